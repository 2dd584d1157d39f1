import { delay, http, type RequestHandler } from 'msw'
import { dripBody } from '../actions'

/** Options of {@link slow}. */
export interface SlowOptions {
  /** Path to answer on (GET); default `/slow`. */
  path?: string
  /** Wait before the status line and headers, in ms (default 0). */
  headerDelayMs?: number
  /** Body size in bytes (default 1,024). */
  bytes?: number
  /** The body arrives in this many chunks (default 8)… */
  chunks?: number
  /** …this many ms apart (default 50). */
  intervalMs?: number
}

/**
 * An endpoint that is slow to answer: it delays the headers, then drips the body in chunks. Use it to test
 * header, body-idle and total timeouts.
 *
 * @example
 * ```ts
 * const mock = await serve(slow({ headerDelayMs: 2_000 }))
 * ```
 */
export function slow(options: SlowOptions = {}): RequestHandler[] {
  const { path = '/slow', headerDelayMs = 0, bytes = 1024, chunks = 8, intervalMs = 50 } = options
  return [
    http.get(`*${path}`, async ({ request }) => {
      if (headerDelayMs > 0) await delay(headerDelayMs)
      return dripBody('x'.repeat(bytes), {
        chunks,
        intervalMs,
        signal: request.signal,
        init: { headers: { 'content-type': 'text/plain' } },
      })
    }),
  ]
}
