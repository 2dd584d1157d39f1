import { AiError } from './errors'
import { type RestoreCounts, restorePlaceholders } from './placeholders'
import { slotOf, type TextSlot } from './pseudonymise'

/** The request formats the guard reads: found from the URL path, or the caller's JSON paths. */
export type ApiFormat = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'json-paths'

/** The format a request path names, or `undefined` for any other endpoint. */
export function formatOfPath(pathname: string): ApiFormat | undefined {
  if (pathname.endsWith('/chat/completions')) return 'openai-chat'
  if (pathname.endsWith('/responses')) return 'openai-responses'
  if (pathname.endsWith('/messages')) return 'anthropic-messages'
  return undefined
}

/** The strings of a request body to pseudonymise, and what to do after (tool arguments are re-serialised). */
export interface BodySlots {
  slots: TextSlot[]
  finish: (() => void)[]
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

function bad(format: ApiFormat, what: string): AiError {
  return new AiError({
    code: 'FK_AI_INVALID_BODY',
    message: `[fieldkit/ai] the request body is not a ${format} request: ${what}; nothing was sent`,
    hint: 'Send the JSON body the API documents, or set `passThrough: true` for bodies the guard should forward as they are (they are then not pseudonymised)',
    details: { format },
  })
}

/** Every string in a value, deep (keys untouched): tool inputs and tool results. */
function deepStrings(value: unknown, out: BodySlots): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (typeof v === 'string') out.slots.push(slotOf(value, i))
      else deepStrings(v, out)
    })
  } else if (isObj(value)) {
    for (const k of Object.keys(value)) {
      if (typeof value[k] === 'string') out.slots.push(slotOf(value, k))
      else deepStrings(value[k], out)
    }
  }
}

/** A string holding JSON (tool-call arguments): its strings are pseudonymised, then it is serialised again. */
function jsonText(holder: Obj, key: string, out: BodySlots): void {
  const text = holder[key]
  if (typeof text !== 'string') return
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    out.slots.push(slotOf(holder, key)) // arguments that are not JSON are still text
    return
  }
  if (typeof parsed === 'string') {
    const box = [parsed]
    out.slots.push(slotOf(box, 0))
    out.finish.push(() => {
      holder[key] = JSON.stringify(box[0])
    })
    return
  }
  deepStrings(parsed, out)
  out.finish.push(() => {
    holder[key] = JSON.stringify(parsed)
  })
}

/** Message content: a string, or parts with `text`, tool inputs, tool results and outputs. */
function content(holder: Obj, key: string, out: BodySlots): void {
  const value = holder[key]
  if (typeof value === 'string') {
    out.slots.push(slotOf(holder, key))
    return
  }
  if (!Array.isArray(value)) return
  value.forEach((part, i) => {
    if (typeof part === 'string') out.slots.push(slotOf(value, i))
    else if (isObj(part)) item(part, out)
  })
}

/** One message, content part or response item, whichever API it comes from. */
function item(part: Obj, out: BodySlots): void {
  if (typeof part.text === 'string') out.slots.push(slotOf(part, 'text'))
  if ('content' in part) content(part, 'content', out)
  if ('output' in part) content(part, 'output', out) // responses: function_call_output
  if (typeof part.arguments === 'string') jsonText(part, 'arguments', out) // responses: function_call
  if (part.input !== undefined && part.type === 'tool_use') deepStrings(part.input, out)
  if (Array.isArray(part.tool_calls)) {
    for (const call of part.tool_calls) {
      if (isObj(call) && isObj(call.function)) jsonText(call.function, 'arguments', out)
    }
  }
}

/**
 * Finds the strings of a request to pseudonymise: message text, system prompts, tool-call arguments and tool
 * results. Throws `FK_AI_INVALID_BODY` when the body is not the format's JSON.
 */
export function requestSlots(format: ApiFormat, body: unknown, paths: readonly string[]): BodySlots {
  const out: BodySlots = { slots: [], finish: [] }
  if (!isObj(body)) throw bad(format, 'it is not a JSON object')
  if (format === 'openai-chat' || format === 'anthropic-messages') {
    if (!Array.isArray(body.messages) || body.messages.some((m) => !isObj(m)))
      throw bad(format, '`messages` is not a list of message objects')
    if (format === 'anthropic-messages' && 'system' in body) content(body, 'system', out)
    for (const m of body.messages as Obj[]) item(m, out)
  } else if (format === 'openai-responses') {
    if (typeof body.input !== 'string' && !Array.isArray(body.input))
      throw bad(format, '`input` is neither a string nor a list of items')
    if (typeof body.instructions === 'string') out.slots.push(slotOf(body, 'instructions'))
    content(body, 'input', out)
  } else {
    for (const path of paths) atPath(body, path.split('.'), out)
  }
  return out
}

/** The strings at a dotted path (`inputs.*.text`; `*` is every element or property). */
function atPath(value: unknown, segments: string[], out: BodySlots): void {
  const [head, ...rest] = segments
  if (head === undefined || !(isObj(value) || Array.isArray(value))) return
  const holder = value as Obj
  const keys = head === '*' ? Object.keys(holder) : Object.hasOwn(holder, head) ? [head] : []
  for (const k of keys) {
    if (rest.length === 0) {
      if (typeof holder[k] === 'string') out.slots.push(slotOf(holder, Array.isArray(value) ? Number(k) : k))
      else deepStrings(holder[k], out)
    } else atPath(holder[k], rest, out)
  }
}

/** Keys whose string holds JSON text (tool-call arguments): restored with JSON-escaped values. */
const JSON_TEXT_KEYS = new Set(['arguments', 'partial_json'])

/** Restores every string of a JSON answer in place (tool-call arguments as JSON text). */
export function restoreDeep(value: unknown, values: ReadonlyMap<string, string>, counts: RestoreCounts): unknown {
  if (typeof value === 'string') return restorePlaceholders(value, values, 'text', counts)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = restoreDeep(value[i], values, counts)
  } else if (isObj(value)) {
    for (const k of Object.keys(value)) {
      const v = value[k]
      value[k] =
        typeof v === 'string' && JSON_TEXT_KEYS.has(k)
          ? restorePlaceholders(v, values, 'json', counts)
          : restoreDeep(v, values, counts)
    }
  }
  return value
}

/** Token usage as the three APIs report it. */
export interface Usage {
  inputTokens?: number
  outputTokens?: number
}

/** Reads `usage` from an answer or stream event of any of the three APIs. */
export function usageOf(body: unknown, into: Usage): void {
  if (!isObj(body)) return
  const u = isObj(body.usage)
    ? body.usage
    : isObj(body.response) && isObj(body.response.usage)
      ? body.response.usage
      : isObj(body.message) && isObj(body.message.usage)
        ? body.message.usage
        : undefined
  if (u === undefined) return
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
  const input = num(u.prompt_tokens) ?? num(u.input_tokens)
  const output = num(u.completion_tokens) ?? num(u.output_tokens)
  if (input !== undefined) into.inputTokens = input
  if (output !== undefined) into.outputTokens = output
}

/** The model a request names. */
export function modelOf(body: unknown): string | undefined {
  return isObj(body) && typeof body.model === 'string' ? body.model : undefined
}

/** The answer tokens a request allows (`max_tokens`, `max_completion_tokens`, `max_output_tokens`). */
export function maxTokensOf(body: unknown): number | undefined {
  if (!isObj(body)) return undefined
  for (const k of ['max_tokens', 'max_completion_tokens', 'max_output_tokens']) {
    const v = body[k]
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v
  }
  return undefined
}
