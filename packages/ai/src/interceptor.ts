import type { Dispatcher } from 'undici'
import {
  type CallContext,
  type CallState,
  CONVERSATION_HEADER,
  checkResidency,
  finishRecord,
  newCallState,
  prepare,
  usedTokens,
} from './call'
import { restoreDeep, type Usage, usageOf } from './formats'
import { type RestoreCounts, restorePlaceholders } from './placeholders'
import type { QuotaGrant } from './quota'
import { readProviderQuota } from './rate-headers'
import { SseRestorer } from './sse'

type Headers = Record<string, string | string[] | undefined>

/** Request headers in any of undici's forms, as a plain object with lower-case names. */
function headersOf(raw: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = Object.create(null)
  if (raw == null) return out
  const put = (k: string, v: unknown) => {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v)
  }
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) put(String(raw[i]), raw[i + 1])
  } else if (typeof (raw as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of raw as Iterable<[string, string]>) put(k, v)
  } else for (const [k, v] of Object.entries(raw)) put(k, v)
  return out
}

/**
 * Restores an answer on its way up the dispatcher chain: a stream event by event, anything else whole at its end;
 * settles the token reservation and writes the audit record when the answer ends or fails.
 */
class RestoreHandler implements Dispatcher.DispatchHandler {
  private sse: SseRestorer | undefined
  private chunks: Buffer[] | undefined
  private json = false
  private readonly decoder = new TextDecoder()
  private readonly counts: RestoreCounts = { restored: 0, unrestored: 0 }
  private readonly usage: Usage = {}

  constructor(
    private readonly ctx: CallContext,
    private readonly state: CallState,
    private readonly values: ReadonlyMap<string, string>,
    private readonly grant: QuotaGrant,
    private readonly next: Dispatcher.DispatchHandler,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.next.onRequestStart?.(controller, context)
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: Headers, message?: string): void {
    this.state.record.status = status
    this.grant.arrived().catch(() => {})
    const getter = { get: (n: string) => (typeof headers[n] === 'string' ? (headers[n] as string) : null) }
    this.ctx.quota.observe(status, readProviderQuota(getter)).catch(() => {})
    const type = String(headers['content-type'] ?? '')
    const out: Headers = { ...headers }
    if (type.includes('text/event-stream')) {
      this.state.record.stream = true
      this.sse = new SseRestorer(this.values, this.counts)
    } else {
      this.json = type.includes('json')
      this.chunks = []
    }
    delete out['content-length']
    this.next.onResponseStart?.(controller, status, out, message)
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.chunks !== undefined) {
      this.chunks.push(chunk)
      return
    }
    let text: string
    try {
      text = (this.sse as SseRestorer).push(this.decoder.decode(chunk, { stream: true }))
    } catch (error) {
      controller.abort(error as Error)
      return
    }
    if (text !== '') this.next.onResponseData?.(controller, Buffer.from(text))
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: Headers): void {
    let out: string
    try {
      out = this.chunks !== undefined ? this.whole(Buffer.concat(this.chunks).toString('utf8')) : this.endStream()
    } catch (error) {
      this.onResponseError(controller, error as Error)
      return
    }
    if (out !== '') this.next.onResponseData?.(controller, Buffer.from(out))
    this.finish()
    this.next.onResponseEnd?.(controller, trailers)
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(error)
    this.next.onResponseError?.(controller, error)
  }

  private endStream(): string {
    const sse = this.sse as SseRestorer
    const out = sse.push(this.decoder.decode()) + sse.end()
    Object.assign(this.usage, sse.usage)
    return out
  }

  private whole(text: string): string {
    if (this.json) {
      try {
        const parsed: unknown = JSON.parse(text)
        usageOf(parsed, this.usage)
        return JSON.stringify(restoreDeep(parsed, this.values, this.counts))
      } catch {
        // Not JSON after all: restored as text below.
      }
    }
    return restorePlaceholders(text, this.values, 'text', this.counts)
  }

  private finish(error?: unknown): void {
    this.state.record.restored = this.counts.restored
    this.state.record.unrestored = this.counts.unrestored
    if (this.usage.inputTokens !== undefined || this.usage.outputTokens !== undefined)
      this.state.record.usage = { ...this.usage }
    this.grant.settle(usedTokens(this.usage))
    finishRecord(this.ctx, this.state, error)
  }
}

/**
 * The guard as an undici interceptor, for code that calls models through a dispatcher rather than an SDK's
 * `fetch`: the request body is pseudonymised, the region checked and the tokens acquired before dispatching; the
 * answer is restored on its way back. Retries are left to undici's `interceptors.retry()` composed after it.
 */
export function modelInterceptor(
  ctx: CallContext,
  defaultConversation: string,
): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const url = new URL(opts.path, opts.origin as string | URL)
    const headers = headersOf(opts.headers)
    const conversation = headers[CONVERSATION_HEADER] ?? defaultConversation
    delete headers[CONVERSATION_HEADER]
    delete headers['content-length']
    // The answer is restored as it comes: ask for it uncompressed.
    headers['accept-encoding'] = 'identity'
    const body =
      typeof opts.body === 'string'
        ? opts.body
        : opts.body instanceof Uint8Array
          ? new TextDecoder().decode(opts.body)
          : opts.body
    const state = newCallState(url, conversation)
    const run = async () => {
      const prepared = await prepare(ctx, url, body as RequestInit['body'], conversation, state)
      await checkResidency(ctx, url, prepared.counts, state)
      state.record.estimatedTokens = prepared.estimate
      state.record.attempts = 1
      const grant = await ctx.quota.acquire(prepared.estimate)
      const values = await ctx.vault.values(conversation)
      dispatch(
        { ...opts, headers, body: prepared.body as string },
        new RestoreHandler(ctx, state, values, grant, handler),
      )
    }
    run().catch((error: Error) => {
      finishRecord(ctx, state, error)
      handler.onResponseError?.(null as unknown as Dispatcher.DispatchController, error)
    })
    return true
  }
}
