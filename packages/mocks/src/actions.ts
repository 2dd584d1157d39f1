import { HttpResponse } from 'msw'

/** Header a handler sets to ask the loopback server for a socket-level fault; never sent on the wire. */
export const MOCK_ACTION_HEADER = 'x-fieldkit-mock-action'

/**
 * A response that makes the loopback server reset the TCP connection (RST) instead of answering; in-process it
 * is `Response.error()`, which fetch turns into a network error.
 *
 * @example
 * ```ts
 * http.get('*\/orders', () => resetConnection())
 * ```
 */
export function resetConnection(): Response {
  return HttpResponse.error()
}

/**
 * A response whose headers announce the whole `body` but whose connection is closed after `sentBytes` bytes of it:
 * a socket closed mid-body, as a crashing proxy does.
 *
 * @example
 * ```ts
 * http.get('*\/report', () => closeMidBody(JSON.stringify(bigReport), 100))
 * ```
 */
export function closeMidBody(body: string, sentBytes: number, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers)
  headers.set(MOCK_ACTION_HEADER, `close-mid-body:${Buffer.byteLength(body)}`)
  return new HttpResponse(Buffer.from(body).subarray(0, sentBytes), { ...init, headers })
}

/**
 * A response whose body arrives in `chunks` pieces, `intervalMs` apart: a slow server dripping bytes. Pass a
 * signal (the request's) so that the drip stops when the client goes away.
 *
 * @example
 * ```ts
 * http.get('*\/slow', ({ request }) => dripBody('x'.repeat(1000), { chunks: 10, intervalMs: 50, signal: request.signal }))
 * ```
 */
export function dripBody(
  body: string,
  options: { chunks: number; intervalMs: number; signal?: AbortSignal; init?: ResponseInit },
): Response {
  const bytes = Buffer.from(body)
  const size = Math.max(1, Math.ceil(bytes.length / Math.max(1, options.chunks)))
  let offset = 0
  let timer: NodeJS.Timeout | undefined
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      return new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          controller.enqueue(bytes.subarray(offset, offset + size))
          offset += size
          if (offset >= bytes.length) controller.close()
          resolve()
        }, options.intervalMs)
        timer.unref()
      })
    },
    cancel() {
      clearTimeout(timer)
    },
  })
  options.signal?.addEventListener('abort', () => clearTimeout(timer), { once: true })
  const headers = new Headers(options.init?.headers)
  headers.set('content-length', String(bytes.length))
  return new HttpResponse(stream, { ...options.init, headers })
}
