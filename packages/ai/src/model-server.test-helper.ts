import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** How the model server mangles the placeholders it echoes, as models do. */
export type Mangle = 'none' | 'case' | 'spaces' | 'bare' | 'json-escape'

/** A loopback model server speaking OpenAI chat completions / responses and Anthropic messages. */
export interface ModelServer {
  /** `http://127.0.0.1:port` */
  origin: string
  /** Every request body received, as text, with its host header and path. */
  received: { host: string; path: string; body: string; headers: Record<string, string | string[] | undefined> }[]
  /** Statuses to answer first, one per request (429, 529, 503), before answering normally. */
  failures: number[]
  /** Headers sent with every answer (token-quota headers). */
  headers: Record<string, string>
  /** Headers sent with the scripted failures (`retry-after-ms`). */
  failureHeaders: Record<string, string>
  mangle: Mangle
  /** Characters per streamed text event (1 splits every placeholder at every position). */
  chunkSize: number
  /** Delay before the first streamed event, and between events, in ms. */
  firstTokenMs: number
  eventMs: number
  /** Answer a tool call echoing the last user text as arguments, when the request offers tools. */
  toolCalls: boolean
  /** A fixed answer text instead of the echo. */
  answer: string | undefined
  /** The provider's own token quota: answers over it get 429 with token headers (each answer costs 30 tokens). */
  tokenLimit: { tokens: number; windowMs: number } | undefined
  /** Answers given within the quota, with their arrival time and token cost. */
  accepted: { at: number; tokens: number }[]
  /** Requests refused because they would have overrun `tokenLimit`. */
  limited: number
  /** Send this raw text as the stream instead of a well-formed one. */
  rawStream: string | undefined
  close(): Promise<void>
}

const PLACEHOLDER = /<([A-Za-z]+_[0-9]+)>/g

function mangle(text: string, how: Mangle): string {
  if (how === 'case') return text.replace(PLACEHOLDER, (_m, core: string) => `<${core.toLowerCase()}>`)
  if (how === 'spaces') return text.replace(PLACEHOLDER, (_m, core: string) => `< ${core} >`)
  if (how === 'bare') return text.replace(PLACEHOLDER, (_m, core: string) => core)
  return text
}

type Obj = Record<string, unknown>

/** The text of the last user message, whichever API: what the server echoes. */
function lastUserText(body: Obj): string {
  const texts = (content: unknown): string => {
    if (typeof content === 'string') return content
    if (!Array.isArray(content)) return ''
    return content
      .map((p) => (typeof p === 'string' ? p : typeof (p as Obj)?.text === 'string' ? (p as Obj).text : ''))
      .join(' ')
  }
  if (typeof body.input === 'string') return body.input
  const list = (Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : []) as Obj[]
  const users = list.filter((m) => m.role === 'user')
  return texts(users[users.length - 1]?.content)
}

function pieces(text: string, size: number): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out.length === 0 ? [''] : out
}

const wait = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve())

/**
 * Starts the model server on a loopback port. It answers by echoing the last user text (placeholders included),
 * optionally as a tool call, mangled as configured, as JSON or as server-sent events of the API's format.
 */
export async function startModelServer(): Promise<ModelServer> {
  const state: ModelServer = {
    origin: '',
    received: [],
    failures: [],
    headers: {},
    failureHeaders: {},
    mangle: 'none',
    chunkSize: 4,
    firstTokenMs: 0,
    eventMs: 0,
    toolCalls: false,
    answer: undefined,
    rawStream: undefined,
    tokenLimit: undefined,
    accepted: [],
    limited: 0,
    close: async () => {},
  }
  const server: Server = createServer((req, res) => {
    handle(state, req, res).catch((error: unknown) => {
      res.statusCode = 500
      res.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return state
}

async function handle(state: ModelServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = ''
  for await (const chunk of req) body += chunk
  const path = (req.url ?? '/').split('?')[0] as string
  state.received.push({ host: req.headers.host ?? '', path, body, headers: req.headers })
  const failure = state.failures.shift()
  if (failure !== undefined) {
    res.writeHead(failure, { 'content-type': 'application/json', ...state.headers, ...state.failureHeaders })
    res.end(
      JSON.stringify({
        error: { type: failure === 529 ? 'overloaded_error' : 'rate_limit_error', message: 'slow down' },
      }),
    )
    return
  }
  if (state.tokenLimit !== undefined && overQuota(state, res)) return
  const request = JSON.parse(body) as Obj
  const text = mangle(state.answer ?? `Echo: ${lastUserText(request)}`, state.mangle)
  const api = path.endsWith('/messages') ? 'anthropic' : path.endsWith('/responses') ? 'responses' : 'chat'
  const tool = state.toolCalls && Array.isArray(request.tools) && request.tools.length > 0
  let args = JSON.stringify({ to: (text.match(/<[^>]+>|[A-Z]+_[0-9]+/) ?? [''])[0], text })
  if (state.mangle === 'json-escape') args = args.replace(/</g, '\\u003c').replace(/>/g, '\\u003e')
  const model = typeof request.model === 'string' ? request.model : 'mock'
  if (request.stream === true) {
    if (state.rawStream !== undefined) {
      res.writeHead(200, { 'content-type': 'text/event-stream', ...state.headers })
      res.end(state.rawStream)
      return
    }
    await stream(state, res, api, model, tool ? args : undefined, text)
    return
  }
  res.writeHead(200, { 'content-type': 'application/json', ...state.headers })
  res.end(JSON.stringify(whole(api, model, tool ? args : undefined, text)))
}

const usage = { input: 20, output: 10 }

/** Counts the answer against the provider quota, or answers 429 with the token headers when it would overrun. */
function overQuota(state: ModelServer, res: ServerResponse): boolean {
  const { tokens, windowMs } = state.tokenLimit as { tokens: number; windowMs: number }
  const now = Date.now()
  const live = state.accepted.filter((a) => a.at > now - windowMs)
  const used = live.reduce((sum, a) => sum + a.tokens, 0)
  const cost = usage.input + usage.output
  const reset = live.length > 0 ? Math.max(1, (live[0] as { at: number }).at + windowMs - now) : 1
  if (used + cost > tokens) {
    state.limited++
    res.writeHead(429, {
      'content-type': 'application/json',
      'retry-after-ms': String(reset),
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': `${reset}ms`,
    })
    res.end(JSON.stringify({ error: { type: 'rate_limit_error', message: 'token quota' } }))
    return true
  }
  state.accepted.push({ at: now, tokens: cost })
  res.setHeader('x-ratelimit-remaining-tokens', String(tokens - used - cost))
  res.setHeader('x-ratelimit-reset-tokens', `${reset}ms`)
  return false
}

function whole(api: string, model: string, args: string | undefined, text: string): Obj {
  if (api === 'anthropic') {
    const content =
      args !== undefined
        ? [{ type: 'tool_use', id: 'toolu_1', name: 'send_mail', input: JSON.parse(args) }]
        : [{ type: 'text', text }]
    return {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: args ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: usage.input, output_tokens: usage.output },
    }
  }
  if (api === 'responses') {
    const output =
      args !== undefined
        ? [
            {
              type: 'function_call',
              id: 'fc_1',
              call_id: 'call_1',
              name: 'send_mail',
              arguments: args,
              status: 'completed',
            },
          ]
        : [
            {
              type: 'message',
              id: 'msg_1',
              role: 'assistant',
              status: 'completed',
              content: [{ type: 'output_text', text, annotations: [] }],
            },
          ]
    return {
      id: 'resp_1',
      object: 'response',
      created_at: 1,
      model,
      status: 'completed',
      output,
      usage: { input_tokens: usage.input, output_tokens: usage.output, total_tokens: usage.input + usage.output },
    }
  }
  const message =
    args !== undefined
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send_mail', arguments: args } }],
        }
      : { role: 'assistant', content: text }
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message, finish_reason: args ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
  }
}

/** One server-sent event. */
const ev = (data: unknown, name?: string) => `${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`

/** The events of one streamed answer, before timing. */
function events(api: string, model: string, args: string | undefined, text: string, size: number): string[] {
  const parts = pieces(args ?? text, size)
  if (api === 'anthropic') return anthropicEvents(model, args, parts)
  if (api === 'responses') return responsesEvents(model, args, text, parts)
  return chatEvents(model, args, parts)
}

function anthropicEvents(model: string, args: string | undefined, parts: string[]): string[] {
  const block =
    args !== undefined ? { type: 'tool_use', id: 'toolu_1', name: 'send_mail', input: {} } : { type: 'text', text: '' }
  return [
    ev(
      {
        type: 'message_start',
        message: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: usage.input, output_tokens: 1 },
        },
      },
      'message_start',
    ),
    ev({ type: 'content_block_start', index: 0, content_block: block }, 'content_block_start'),
    ...parts.map((p) =>
      ev(
        {
          type: 'content_block_delta',
          index: 0,
          delta: args !== undefined ? { type: 'input_json_delta', partial_json: p } : { type: 'text_delta', text: p },
        },
        'content_block_delta',
      ),
    ),
    ev({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
    ev(
      {
        type: 'message_delta',
        delta: { stop_reason: args ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.output },
      },
      'message_delta',
    ),
    ev({ type: 'message_stop' }, 'message_stop'),
  ]
}

function responsesEvents(model: string, args: string | undefined, text: string, parts: string[]): string[] {
  const done = whole('responses', model, args, text)
  return [
    ev(
      {
        type: 'response.created',
        sequence_number: 0,
        response: { ...done, status: 'in_progress', output: [], usage: null },
      },
      'response.created',
    ),
    ...parts.map((p, i) =>
      ev(
        {
          type: args ? 'response.function_call_arguments.delta' : 'response.output_text.delta',
          sequence_number: i + 1,
          item_id: 'msg_1',
          output_index: 0,
          content_index: 0,
          delta: p,
        },
        args ? 'response.function_call_arguments.delta' : 'response.output_text.delta',
      ),
    ),
    ev(
      args
        ? {
            type: 'response.function_call_arguments.done',
            sequence_number: parts.length + 1,
            item_id: 'fc_1',
            output_index: 0,
            arguments: args,
          }
        : {
            type: 'response.output_text.done',
            sequence_number: parts.length + 1,
            item_id: 'msg_1',
            output_index: 0,
            content_index: 0,
            text,
          },
      args ? 'response.function_call_arguments.done' : 'response.output_text.done',
    ),
    ev({ type: 'response.completed', sequence_number: parts.length + 2, response: done }, 'response.completed'),
  ]
}

function chatEvents(model: string, args: string | undefined, parts: string[]): string[] {
  const chunk = (delta: Obj, finish: string | null, extra: Obj = {}) =>
    ev({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    })
  return [
    chunk(
      args !== undefined
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'send_mail', arguments: '' } }],
          }
        : { role: 'assistant', content: '' },
      null,
    ),
    ...parts.map((p) =>
      chunk(args !== undefined ? { tool_calls: [{ index: 0, function: { arguments: p } }] } : { content: p }, null),
    ),
    chunk({}, args ? 'tool_calls' : 'stop'),
    ev({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model,
      choices: [],
      usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
    }),
    'data: [DONE]\n\n',
  ]
}

async function stream(
  state: ModelServer,
  res: ServerResponse,
  api: string,
  model: string,
  args: string | undefined,
  text: string,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...state.headers })
  res.flushHeaders()
  await wait(state.firstTokenMs)
  const list = events(api, model, args, text, state.chunkSize)
  for (let i = 0; i < list.length; i++) {
    if (i > 0) await wait(state.eventMs)
    res.write(list[i])
  }
  res.end()
}
