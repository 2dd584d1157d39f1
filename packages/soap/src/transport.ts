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
  const origin = (() => {
    try {
      const u = new URL(req.url)
      return `${u.origin}${u.pathname}`
    } catch {
      return '(invalid URL)'
    }
  })()
  return new SoapError({
    code: 'FK_SOAP_TRANSPORT',
    message: `[fieldkit/soap] POST ${origin} failed before an answer came back: ${truncate(String((cause as Error)?.message ?? cause), 160)}`,
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
        timeout: { headers: options.timeoutMs, bodyIdle: options.timeoutMs, ...settings.timeout },
      })
    : (given as HttpClient)
  const streaming = undiciStreaming(options)
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

/** Streaming POSTs on an undici Agent: one attempt (a POST is not retried), the body handed over as it arrives. */
function undiciStreaming(options: { timeoutMs: number }): Pick<SoapTransport, 'stream' | 'close'> {
  const agent = new Agent({ headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs })
  return {
    async stream(req) {
      try {
        const res = await request(req.url, {
          method: 'POST',
          headers: req.headers,
          body: req.body,
          dispatcher: agent,
          ...(req.signal ? { signal: req.signal } : {}),
        })
        return { status: res.statusCode, headers: res.headers, body: res.body }
      } catch (cause) {
        if (req.signal?.aborted) throw req.signal.reason ?? cause
        throw transportError(req, cause)
      }
    },
    close: () => agent.close(),
  }
}
