import { AiError } from './errors'
import { restoreDeep, type Usage, usageOf } from './formats'
import { type RestoreCounts, type RestoreMode, StreamRestorer } from './placeholders'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** One streamed text channel: its restorer, and how to write an event that carries more of its text. */
interface Channel {
  restorer: StreamRestorer
  event: (text: string) => string
}

/** What a stream reports when it ends: the usage it carried, and the error that ended it, if any. */
export interface StreamEnd {
  usage: Usage
  error?: unknown
}

/** One parsed SSE event: its non-data lines as they came, and its data text (lines joined). */
interface SseEvent {
  lines: string[]
  data: string | undefined
}

function parseEvent(block: string): SseEvent {
  const lines: string[] = []
  let data: string | undefined
  for (const line of block.split('\n')) {
    if (line.startsWith('data:')) {
      const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5)
      data = data === undefined ? value : `${data}\n${value}`
    } else lines.push(line)
  }
  return { lines, data }
}

function writeEvent(lines: readonly string[], data: unknown): string {
  const head = lines.filter((l) => l !== '')
  return `${head.length > 0 ? `${head.join('\n')}\n` : ''}data: ${JSON.stringify(data)}\n\n`
}

function malformed(what: string): AiError {
  return new AiError({
    code: 'FK_AI_STREAM_MALFORMED',
    message: `[fieldkit/ai] the model's event stream is malformed: ${what}; the stream was closed`,
    hint: 'Check that the endpoint speaks the OpenAI or Anthropic streaming format (server-sent events with JSON data); a proxy in between may be cutting or rewriting the stream',
  })
}

/**
 * Restores the placeholders of a streamed answer (server-sent events of OpenAI chat completions, OpenAI responses
 * or Anthropic messages) event by event. Each text channel (a choice's content, a tool call's arguments, a content
 * block) has its own {@link StreamRestorer}: an event whose text ends in what may be the start of a placeholder goes
 * out at once with the rest, the held characters follow in the next event of that channel (or in an event of their
 * own when the channel ends). Other events are restored whole.
 */
export class SseRestorer {
  private readonly values: ReadonlyMap<string, string>
  private readonly counts: RestoreCounts
  private readonly channels = new Map<string, Channel>()
  readonly usage: Usage = {}
  private buffer = ''

  constructor(values: ReadonlyMap<string, string>, counts: RestoreCounts) {
    this.values = values
    this.counts = counts
  }

  /** Text in, restored events out (whole events only; a partial one waits for its end). */
  push(text: string): string {
    let buffer = this.buffer + text
    // A CR at the end may be the first half of CRLF: keep it for the next piece.
    let keep = ''
    if (buffer.endsWith('\r')) {
      keep = '\r'
      buffer = buffer.slice(0, -1)
    }
    buffer = buffer.replace(/\r\n?/g, '\n')
    let out = ''
    let at = buffer.indexOf('\n\n')
    let start = 0
    while (at >= 0) {
      out += this.event(buffer.slice(start, at))
      start = at + 2
      at = buffer.indexOf('\n\n', start)
    }
    this.buffer = buffer.slice(start) + keep
    return out
  }

  /** The end of the stream: a last event without its blank line, and every held text. */
  end(): string {
    const rest = this.buffer.replace(/\r\n?/g, '\n').trim()
    this.buffer = ''
    return (rest === '' ? '' : this.event(rest)) + this.flushAll()
  }

  private flushAll(prefix = ''): string {
    let out = ''
    for (const [name, channel] of this.channels) {
      if (!name.startsWith(prefix)) continue
      const text = channel.restorer.flush()
      if (text !== '') out += channel.event(text)
      this.channels.delete(name)
    }
    return out
  }

  private event(block: string): string {
    if (block.trim() === '') return ''
    const { lines, data } = parseEvent(block)
    if (data === undefined) return `${block}\n\n`
    if (data.trim() === '[DONE]') return `${this.flushAll()}${block}\n\n`
    let body: unknown
    try {
      body = JSON.parse(data)
    } catch {
      throw malformed('an event’s data is not JSON')
    }
    if (!isObj(body)) throw malformed('an event’s data is not a JSON object')
    usageOf(body, this.usage)
    let before = ''
    if (Array.isArray(body.choices)) before = this.chat(body, lines)
    else if (typeof body.type === 'string') before = this.typed(body, lines)
    else restoreDeep(body, this.values, this.counts)
    return before + writeEvent(lines, body)
  }

  private channel(name: string, mode: RestoreMode, event: (text: string) => string): Channel {
    let c = this.channels.get(name)
    if (c === undefined) {
      c = { restorer: new StreamRestorer(this.values, mode, this.counts), event }
      this.channels.set(name, c)
    } else c.event = event
    return c
  }

  /** OpenAI chat completions chunks: `choices[].delta.content` and `choices[].delta.tool_calls[].function.arguments`. */
  private chat(body: Obj, lines: string[]): string {
    let before = ''
    for (const choice of body.choices as unknown[]) {
      if (!isObj(choice)) continue
      const ci = typeof choice.index === 'number' ? choice.index : 0
      const delta = isObj(choice.delta) ? choice.delta : undefined
      if (delta !== undefined) {
        if (typeof delta.content === 'string') {
          const c = this.channel(`c${ci}:`, 'text', (text) =>
            writeEvent(lines, { ...body, choices: [{ index: ci, delta: { content: text }, finish_reason: null }] }),
          )
          delta.content = c.restorer.push(delta.content)
        }
        if (Array.isArray(delta.tool_calls)) {
          for (const call of delta.tool_calls) {
            if (!isObj(call) || !isObj(call.function) || typeof call.function.arguments !== 'string') continue
            const ti = typeof call.index === 'number' ? call.index : 0
            const c = this.channel(`c${ci}:t${ti}`, 'json', (text) =>
              writeEvent(lines, {
                ...body,
                choices: [
                  {
                    index: ci,
                    delta: { tool_calls: [{ index: ti, function: { arguments: text } }] },
                    finish_reason: null,
                  },
                ],
              }),
            )
            call.function.arguments = c.restorer.push(call.function.arguments)
          }
        }
        for (const k of Object.keys(delta)) {
          if (k !== 'content' && k !== 'tool_calls') delta[k] = restoreDeep(delta[k], this.values, this.counts)
        }
      }
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) before += this.flushAll(`c${ci}:`)
    }
    return before
  }

  /** Events with a `type`: Anthropic messages, OpenAI responses. */
  private typed(body: Obj, lines: string[]): string {
    const type = body.type as string
    if (type === 'content_block_delta' && isObj(body.delta)) {
      const index = typeof body.index === 'number' ? body.index : 0
      const delta = body.delta
      const key = typeof delta.text === 'string' ? 'text' : typeof delta.partial_json === 'string' ? 'partial_json' : ''
      if (key !== '') {
        const c = this.channel(`a${index}:`, key === 'text' ? 'text' : 'json', (text) =>
          writeEvent(lines, { ...body, delta: { ...delta, [key]: text } }),
        )
        delta[key] = c.restorer.push(delta[key] as string)
        return ''
      }
    }
    if (type === 'content_block_stop') return this.flushAll(`a${typeof body.index === 'number' ? body.index : 0}:`)
    if (
      (type === 'response.output_text.delta' || type === 'response.function_call_arguments.delta') &&
      typeof body.delta === 'string'
    ) {
      const name = `r${String(body.output_index)}.${String(body.content_index ?? '')}:`
      const mode = type === 'response.output_text.delta' ? 'text' : 'json'
      const c = this.channel(name, mode, (text) => writeEvent(lines, { ...body, delta: text }))
      body.delta = c.restorer.push(body.delta)
      return ''
    }
    let before = ''
    if (type === 'response.output_text.done' || type === 'response.function_call_arguments.done')
      before = this.flushAll(`r${String(body.output_index)}.${String(body.content_index ?? '')}:`)
    restoreDeep(body, this.values, this.counts)
    return before
  }
}

/**
 * Pipes a streamed answer through an {@link SseRestorer}; `onEnd` runs once, when the stream ends, fails or is
 * cancelled by the reader.
 */
export function restoreEventStream(
  body: ReadableStream<Uint8Array>,
  restorer: SseRestorer,
  onEnd: (end: StreamEnd) => void,
): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  const reader = body.getReader()
  let ended = false
  const finish = (error?: unknown) => {
    if (ended) return
    ended = true
    onEnd(error === undefined ? { usage: restorer.usage } : { usage: restorer.usage, error })
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) {
            const rest = restorer.push(decoder.decode()) + restorer.end()
            if (rest !== '') controller.enqueue(encoder.encode(rest))
            controller.close()
            finish()
            return
          }
          const out = restorer.push(decoder.decode(value, { stream: true }))
          if (out !== '') {
            controller.enqueue(encoder.encode(out))
            return
          }
        }
      } catch (error) {
        controller.error(error)
        reader.cancel(error).catch(() => {})
        finish(error)
      }
    },
    cancel(reason) {
      finish(reason ?? 'cancelled')
      return reader.cancel(reason)
    },
  })
}
