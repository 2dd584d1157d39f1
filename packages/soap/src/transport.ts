import { createHttpClient, DEFAULTS, type HttpClient, type HttpClientOptions } from '@fieldkit/http'
import { Agent, request } from 'undici'
import { SoapError, truncate } from './errors'

/** One SOAP POST, as the client hands it to its transport. */
export interface TransportRequest {
  url: string
  headers: Record<string, string>
  body: string
  signal?: AbortSignal
  /** The caller declared the operation idempotent: the transport may retry transport errors. */
  idempotent: boolean
}

/** An answer with its body read into memory. */
export interface TransportResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

/** An answer whose body is still arriving. */
export interface TransportStream {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: AsyncIterable<Uint8Array>
}

/**
 * The small seam between the SOAP client and HTTP: send a POST and hand back the answer, whatever its status (a
 * fault comes with 500). Faults are never retried here; transport errors follow the HTTP layer's policy.
 */
export interface SoapTransport {
  send(req: TransportRequest): Promise<TransportResponse>
  stream(req: TransportRequest): Promise<TransportStream>
  close(): Promise<void>
}

function transportError(req: TransportRequest, cause: unknown): SoapError {
  const code = (cause as { code?: string })?.code
  return new SoapError({
    code: 'FK_SOAP_TRANSPORT',
    message: `[fieldkit/soap] POST ${where(req.url)} failed before an answer came back: ${truncate(String((cause as Error)?.message ?? cause), 160)}`,
    hint: 'Check the endpoint URL, the network path and TLS; pass an @fieldkit/http client (http option) for retries of idempotent operations',
    details: { ...(code ? { errorCode: code } : {}) },
    cause,
  })
}

/**
 * The default transport: buffered calls go through an `@fieldkit/http` client (retries of transport errors,
 * breaker, timeouts, logs); `stream()` goes through undici directly, since the http client reads whole bodies.
 * Faults are never retried: 500 is taken out of the retried statuses of a client created here, and a call only
 * carries an idempotency key (which makes a POST retryable) when the caller says the operation is idempotent.
 */
export function httpTransport(options: {
  http: HttpClient | HttpClientOptions | undefined
  maxResponseBytes: number
  timeoutMs: number
  totalTimeoutMs: number | undefined
}): SoapTransport {
  const given = options.http
  const owned = given === undefined || typeof (given as HttpClient).request !== 'function'
  const settings = (given ?? {}) as HttpClientOptions
  const retry =
    settings.retry === false
      ? false
      : { ...settings.retry, statuses: (settings.retry?.statuses ?? DEFAULTS.retry.statuses).filter((s) => s !== 500) }
  const client = owned
    ? createHttpClient({
        ...settings,
        retry,
        maxResponseBytes: settings.maxResponseBytes ?? options.maxResponseBytes,
        timeout: {
          headers: options.timeoutMs,
          bodyIdle: options.timeoutMs,
          ...(options.totalTimeoutMs === undefined ? {} : { total: options.totalTimeoutMs }),
          ...settings.timeout,
        },
      })
    : (given as HttpClient)
  // Streams honour the same timeouts as buffered calls: silence between bytes, and the whole call.
  const streaming = undiciStreaming({
    idleMs: settings.timeout?.bodyIdle ?? options.timeoutMs,
    totalMs: settings.timeout?.total ?? options.totalTimeoutMs ?? DEFAULTS.timeout.total,
  })
  return {
    async send(req) {
      const res = await client.request({
        method: 'POST',
        path: req.url,
        headers: req.headers,
        body: req.body,
        throwOnStatus: false,
        ...(req.idempotent ? { idempotencyKey: true as const } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
      })
      return { status: res.status, headers: res.headers, body: res.body }
    },
    stream: (req) => streaming.stream(req),
    async close() {
      await streaming.close()
      if (owned) await client.close()
    },
  }
}

/** How long a streamed answer may stay silent, and take in all; both in ms. */
interface StreamTimeouts {
  /** Until the response headers, and between two body chunks. */
  idleMs: number
  /** The whole call, from sending the request to the last byte. */
  totalMs: number
}

function timeoutError(req: TransportRequest, kind: 'headers' | 'idle' | 'total', ms: number): SoapError {
  const what =
    kind === 'total'
      ? `the whole call took longer than ${ms} ms`
      : kind === 'idle'
        ? `the answer stopped for more than ${ms} ms between two bytes`
        : `no response headers within ${ms} ms`
  return new SoapError({
    code: 'FK_SOAP_TIMEOUT',
    message: `[fieldkit/soap] POST ${where(req.url)} timed out while streaming: ${what}`,
    hint: 'The service went silent or sends too slowly (a slow proxy?); check the service, or raise timeoutMs (silence between bytes, http.timeout.bodyIdle) or totalTimeoutMs (the whole call, http.timeout.total) if the answer is legitimately slow',
    details: { kind, timeoutMs: ms },
  })
}

function where(url: string): string {
  try {
    const u = new URL(url)
    return `${u.origin}${u.pathname}`
  } catch {
    return '(invalid URL)'
  }
}

/**
 * The body as it arrives, under both timeouts: each chunk must come within the idle time and before the deadline.
 * On a timeout the socket is destroyed and FK_SOAP_TIMEOUT thrown; however the iteration ends, the body is freed.
 */
async function* guarded(
  body: AsyncIterable<Uint8Array> & { destroy(error?: Error): void },
  req: TransportRequest,
  timeouts: StreamTimeouts,
  deadline: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  const chunks = body[Symbol.asyncIterator]()
  let timer: NodeJS.Timeout | undefined
  try {
    for (;;) {
      const left = deadline - performance.now()
      const kind = left <= timeouts.idleMs ? 'total' : 'idle'
      const wait = Math.max(0, Math.min(left, timeouts.idleMs))
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(timeoutError(req, kind, kind === 'total' ? timeouts.totalMs : timeouts.idleMs)),
          wait,
        )
      })
      let next: IteratorResult<Uint8Array>
      try {
        next = await Promise.race([chunks.next(), expired])
      } catch (error) {
        if (req.signal?.aborted) throw req.signal.reason ?? error
        if ((error as { code?: string })?.code === 'FK_SOAP_TIMEOUT') throw error
        throw transportError(req, error)
      } finally {
        clearTimeout(timer)
      }
      if (next.done) return
      yield next.value
    }
  } finally {
    body.destroy()
  }
}

/** Streaming POSTs on an undici Agent: one attempt (a POST is not retried), the body handed over as it arrives. */
function undiciStreaming(timeouts: StreamTimeouts): Pick<SoapTransport, 'stream' | 'close'> {
  const agent = new Agent({ headersTimeout: timeouts.idleMs, bodyTimeout: 0 })
  return {
    async stream(req) {
      const deadline = performance.now() + timeouts.totalMs
      const total = new AbortController()
      const timer = setTimeout(() => total.abort(timeoutError(req, 'total', timeouts.totalMs)), timeouts.totalMs)
      const signal = req.signal ? AbortSignal.any([req.signal, total.signal]) : total.signal
      try {
        const res = await request(req.url, {
          method: 'POST',
          headers: req.headers,
          body: req.body,
          dispatcher: agent,
          signal,
        })
        return { status: res.statusCode, headers: res.headers, body: guarded(res.body, req, timeouts, deadline) }
      } catch (cause) {
        if (req.signal?.aborted) throw req.signal.reason ?? cause
        if (total.signal.aborted) throw total.signal.reason
        if ((cause as { code?: string })?.code === 'UND_ERR_HEADERS_TIMEOUT')
          throw timeoutError(req, 'headers', timeouts.idleMs)
        throw transportError(req, cause)
      } finally {
        clearTimeout(timer)
      }
    },
    close: () => agent.close(),
  }
}
