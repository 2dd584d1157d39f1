import { expected } from '@fieldkit/core'
import { HttpResponse, http, type RequestHandler } from 'msw'
import { MockError } from '../errors'
import { type MockServer, type ServeOptions, serve } from '../serve'
import { type AnswerParts, type ModelApi, streamEvents, USAGE, wholeAnswer } from './answers'

/**
 * How the model server mangles the placeholders it echoes, as models do: `case` (`<email_1>`), `spaces`
 * (`< EMAIL_1 >`), `bare` (`EMAIL_1`), `json-escape` (`\u003cEMAIL_1\u003e` inside tool-call arguments).
 */
export type ModelMangle = 'none' | 'case' | 'spaces' | 'bare' | 'json-escape'

/** One request the model server received, for assertions ("no planted value reached the server"). */
export interface ModelRequest {
  /** The host the request named (`x-forwarded-host` when a test routes every host to loopback, else `host`). */
  host: string
  /** The region of that host in `regions`, if listed. */
  region: string | undefined
  path: string
  body: string
  /** Lower-case header names. */
  headers: Record<string, string>
}

/** Options of {@link modelServer}; each is also a field of the returned mock that a test may change between calls. */
export interface ModelServerOptions {
  /** How echoed placeholders are mangled (default `none`). */
  mangle?: ModelMangle
  /** Characters of text per streamed event (default 4; 1 splits every placeholder at every position). */
  chunkSize?: number
  /**
   * Cut the streamed text (or tool arguments) exactly at these character offsets instead of every `chunkSize`
   * characters: a test can split one placeholder at one chosen position.
   */
  splits?: number[]
  /** Delay before the first streamed event, in ms (the time to first token; default 0). */
  firstTokenMs?: number
  /** Delay between streamed events, in ms (default 0). */
  eventMs?: number
  /** Delay before a whole (non-streamed) answer, in ms (default 0). */
  answerMs?: number
  /** Answer with a tool call (`send_mail`) echoing the text as its arguments when the request offers tools. */
  toolCalls?: boolean
  /** A fixed answer text instead of the echo of the last user message. */
  answer?: string
  /** Statuses to answer first, one per request (429, 503, 529 overloaded), before answering normally. */
  failures?: number[]
  /** Headers sent with every answer (token-quota headers such as `x-ratelimit-remaining-tokens`). */
  headers?: Record<string, string>
  /** Headers sent with the scripted failures (`retry-after-ms`, `retry-after`). */
  failureHeaders?: Record<string, string>
  /** The provider's own token quota: an answer (30 tokens) that would overrun it gets 429 with token headers. */
  tokenLimit?: { tokens: number; windowMs: number }
  /** Send this raw text as the event stream instead of a well-formed one (malformed-stream tests). */
  rawStream?: string
  /**
   * Cut the connection after this many streamed events (a stream that fails after its first byte); the cut comes at
   * least 20 ms after the last event, so the events before it reach the client.
   */
  cutAfter?: number
  /** Host → region (`{ 'eu.model.test': 'eu' }`): each answer names its region in `x-model-region`. */
  regions?: Record<string, string>
}

/** The model server's handlers, its settings (change them between calls) and what it recorded. */
export interface ModelServerMock
  extends Required<Omit<ModelServerOptions, 'answer' | 'tokenLimit' | 'rawStream' | 'splits' | 'cutAfter'>> {
  splits: number[] | undefined
  cutAfter: number | undefined
  answer: string | undefined
  tokenLimit: { tokens: number; windowMs: number } | undefined
  rawStream: string | undefined
  /**
   * MSW handlers for `POST *\/chat/completions`, `*\/responses`, `*\/messages` and `*\/embeddings` (a fixed
   * three-number vector per input); serve them with {@link serve}.
   */
  handlers: RequestHandler[]
  /** Every request received, in arrival order. */
  received: ModelRequest[]
  /** Answers given within `tokenLimit`, with their arrival time (ms since the epoch) and token cost. */
  accepted: { at: number; tokens: number }[]
  /** Requests answered 429 because they would have overrun `tokenLimit`. */
  limited: number
  /** For each streamed answer, when each of its events was handed to the socket (`performance.timeOrigin + now`). */
  streams: { sentAt: number[] }[]
}

/** A {@link ModelServerMock} served on a loopback port. */
export interface ModelServer extends ModelServerMock {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  origin: string
  /** The underlying mock server (every raw request, connection counts). */
  server: MockServer
  close(): Promise<void>
}

const PLACEHOLDER = /<([A-Za-z]+_[0-9]+)>/g

/** `text` with its placeholders mangled as `how` says (`json-escape` applies to tool arguments only). */
export function mangleText(text: string, how: ModelMangle): string {
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
  const users = list.filter((m) => m?.role === 'user')
  return texts(users[users.length - 1]?.content)
}

function checkOptions(options: ModelServerOptions): void {
  const bad = (name: string, what: string, got: unknown) =>
    new MockError({
      code: 'FK_MOCK_OPTIONS',
      message: `[fieldkit/mocks] ${expected(`modelServer.${name}`, what, got)}`,
      hint: 'Fix the option passed to modelServer(); the defaults answer at once with 4-character events',
    })
  const { chunkSize, firstTokenMs, eventMs, answerMs } = options
  if (chunkSize !== undefined && !(Number.isInteger(chunkSize) && chunkSize >= 1))
    throw bad('chunkSize', 'a positive integer', chunkSize)
  for (const [name, value] of Object.entries({ firstTokenMs, eventMs, answerMs })) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      throw bad(name, 'a non-negative number of ms', value)
  }
}

/**
 * A language-model server for tests, as MSW handlers: OpenAI chat completions and responses, Anthropic messages,
 * whole JSON answers and server-sent event streams, tool calls. It answers by echoing the placeholders it received
 * (`Echo: <last user text>`) so that restore can be tested end to end, mangles them as models do, can split them
 * across events at every position (`chunkSize: 1`), sends token-quota headers, 429 and 529, waits a fixed time per
 * answer and per event, and records every request (with its host's region) so a test can check what left.
 *
 * @example
 * ```ts
 * const model = modelServer({ chunkSize: 1, firstTokenMs: 200, regions: { 'eu.model.test': 'eu' } })
 * const mock = await serve(model.handlers)
 * const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'test', fetch: guard.fetch })
 * // … then: model.received.map((r) => r.body) holds no planted value
 * ```
 */
export function modelServer(options: ModelServerOptions = {}): ModelServerMock {
  checkOptions(options)
  const state: ModelServerMock = {
    mangle: options.mangle ?? 'none',
    chunkSize: options.chunkSize ?? 4,
    splits: options.splits,
    firstTokenMs: options.firstTokenMs ?? 0,
    eventMs: options.eventMs ?? 0,
    answerMs: options.answerMs ?? 0,
    toolCalls: options.toolCalls ?? false,
    answer: options.answer,
    failures: [...(options.failures ?? [])],
    headers: { ...options.headers },
    failureHeaders: { ...options.failureHeaders },
    tokenLimit: options.tokenLimit,
    rawStream: options.rawStream,
    cutAfter: options.cutAfter,
    regions: { ...options.regions },
    handlers: [],
    received: [],
    accepted: [],
    limited: 0,
    streams: [],
  }
  const route =
    (api: ModelApi) =>
    async ({ request }: { request: Request }) =>
      answer(state, api, request)
  state.handlers = [
    http.post('*/chat/completions', route('chat')),
    http.post('*/responses', route('responses')),
    http.post('*/messages', route('anthropic')),
    http.post('*/embeddings', async ({ request }) => embeddings(state, request)),
  ]
  return state
}

/**
 * Starts a {@link modelServer} on a loopback port.
 *
 * @example
 * ```ts
 * const model = await startModelServer({ mangle: 'case' })
 * const anthropic = new Anthropic({ baseURL: model.origin, apiKey: 'test', fetch: guard.fetch })
 * await model.close()
 * ```
 */
export async function startModelServer(
  options: ModelServerOptions = {},
  serveOptions: ServeOptions = {},
): Promise<ModelServer> {
  const mock = modelServer(options)
  const server = await serve(mock.handlers, serveOptions)
  return Object.assign(mock, { origin: server.url, server, close: () => server.close() })
}

/** Records the request; its body and the headers every answer to it carries. */
async function record(
  state: ModelServerMock,
  request: Request,
): Promise<{ body: string; common: Record<string, string> }> {
  const body = await request.text()
  const headers: Record<string, string> = {}
  request.headers.forEach((value, name) => {
    if (!name.startsWith('x-fieldkit-connection')) headers[name] = value
  })
  const host = headers['x-forwarded-host'] ?? new URL(request.url).host
  const region = Object.hasOwn(state.regions, host) ? state.regions[host] : undefined
  state.received.push({ host, region, path: new URL(request.url).pathname, body, headers })
  return { body, common: { ...state.headers, ...(region ? { 'x-model-region': region } : {}) } }
}

/** OpenAI embeddings: one fixed vector per input, so a test can check what was sent. */
async function embeddings(state: ModelServerMock, request: Request): Promise<Response> {
  const { body, common } = await record(state, request)
  let input: unknown
  try {
    input = (JSON.parse(body) as Obj).input
  } catch {}
  const list = Array.isArray(input) ? input : [input]
  return HttpResponse.json(
    {
      object: 'list',
      data: list.map((_v, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })),
      model: 'mock-embedding',
      usage: { prompt_tokens: USAGE.input, total_tokens: USAGE.input },
    },
    { headers: common },
  )
}

async function answer(state: ModelServerMock, api: ModelApi, request: Request): Promise<Response> {
  const { body, common } = await record(state, request)
  const failure = state.failures.shift()
  if (failure !== undefined) {
    const type = failure === 529 ? 'overloaded_error' : failure === 429 ? 'rate_limit_error' : 'api_error'
    return HttpResponse.json(
      { type: 'error', error: { type, message: 'slow down' } },
      { status: failure, headers: { ...common, ...state.failureHeaders } },
    )
  }
  const limited = state.tokenLimit !== undefined ? overQuota(state, common) : undefined
  if (limited !== undefined) return limited
  let parsed: Obj
  try {
    parsed = JSON.parse(body) as Obj
  } catch {
    return HttpResponse.json(
      { type: 'error', error: { type: 'invalid_request_error', message: 'body is not JSON' } },
      { status: 400, headers: common },
    )
  }
  const parts = answerParts(state, api, parsed)
  if (parsed.stream === true) return streamAnswer(state, parts, common, request.signal)
  if (state.answerMs > 0) await sleep(state.answerMs, request.signal)
  return HttpResponse.json(wholeAnswer(parts), { headers: common })
}

function answerParts(state: ModelServerMock, api: ModelApi, request: Obj): AnswerParts {
  const text = mangleText(state.answer ?? `Echo: ${lastUserText(request)}`, state.mangle)
  const tool = state.toolCalls && Array.isArray(request.tools) && request.tools.length > 0
  let args: string | undefined
  if (tool) {
    args = JSON.stringify({ to: (text.match(/<[^>]+>|[A-Z]+_[0-9]+/) ?? [''])[0], text })
    if (state.mangle === 'json-escape') args = args.replace(/</g, '\\u003c').replace(/>/g, '\\u003e')
  }
  return { api, model: typeof request.model === 'string' ? request.model : 'mock', text, args }
}

/** Counts the answer against the token quota, or answers 429 with the token headers when it would overrun. */
function overQuota(state: ModelServerMock, common: Record<string, string>): Response | undefined {
  const { tokens, windowMs } = state.tokenLimit as { tokens: number; windowMs: number }
  const now = Date.now()
  const live = state.accepted.filter((a) => a.at > now - windowMs)
  const used = live.reduce((sum, a) => sum + a.tokens, 0)
  const cost = USAGE.input + USAGE.output
  const reset = live.length > 0 ? Math.max(1, (live[0] as { at: number }).at + windowMs - now) : 1
  if (used + cost > tokens) {
    state.limited++
    return HttpResponse.json(
      { type: 'error', error: { type: 'rate_limit_error', message: 'token quota' } },
      {
        status: 429,
        headers: {
          ...common,
          'retry-after-ms': String(reset),
          'x-ratelimit-remaining-tokens': '0',
          'x-ratelimit-reset-tokens': `${reset}ms`,
        },
      },
    )
  }
  state.accepted.push({ at: now, tokens: cost })
  common['x-ratelimit-remaining-tokens'] = String(tokens - used - cost)
  common['x-ratelimit-reset-tokens'] = `${reset}ms`
  return undefined
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

function streamAnswer(
  state: ModelServerMock,
  parts: AnswerParts,
  common: Record<string, string>,
  signal: AbortSignal,
): Response {
  const headers = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...common }
  if (state.rawStream !== undefined) return new HttpResponse(state.rawStream, { headers })
  const list = streamEvents(parts, state.chunkSize, state.splits)
  const { firstTokenMs, eventMs, cutAfter } = state
  const record = { sentAt: [] as number[] }
  state.streams.push(record)
  const encoder = new TextEncoder()
  let i = 0
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await sleep(i === 0 ? firstTokenMs : eventMs, signal)
      if (signal.aborted) {
        controller.close()
        return
      }
      if (i === cutAfter) {
        // Time for the events before the cut to reach the client: an error discards what is still queued.
        if (eventMs < 20) await sleep(20 - eventMs, signal)
        controller.error(new Error('model server: connection cut on purpose (cutAfter)'))
        return
      }
      record.sentAt.push(performance.timeOrigin + performance.now())
      controller.enqueue(encoder.encode(list[i] as string))
      i++
      if (i >= list.length) controller.close()
    },
  })
  return new HttpResponse(body, { headers })
}
