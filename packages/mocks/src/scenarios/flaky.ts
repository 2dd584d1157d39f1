import { HttpResponse, http, type RequestHandler } from 'msw'
import { resetConnection } from '../actions'
import { seededRandom } from '../random'

/** Options of {@link flaky}. */
export interface FlakyOptions {
  /** Path to answer on (any method); default `/flaky`. */
  path?: string
  /** Seed of the fault sequence: the same seed, the same faults in the same order. Default 1. */
  seed?: number
  /** Share of requests answered with `status` (default 0.2). */
  errorRate?: number
  /** Share of requests whose connection is reset instead (default 0.05). */
  resetRate?: number
  /** Status of the failures (default 503). */
  status?: number
  /** `Retry-After` sent with the failures, in seconds; none by default. */
  retryAfterSeconds?: number
}

/**
 * An endpoint that fails a set share of requests with a 5xx and resets the connection of another share, in an
 * order fixed by the seed. Successful answers echo the method, the request number and the idempotency key.
 *
 * @example
 * ```ts
 * const mock = await serve(flaky({ seed: 7, errorRate: 0.2, resetRate: 0.05 }))
 * ```
 */
export function flaky(options: FlakyOptions = {}): RequestHandler[] {
  const { path = '/flaky', seed = 1, errorRate = 0.2, resetRate = 0.05, status = 503 } = options
  const next = seededRandom(seed)
  let count = 0
  return [
    http.all(`*${path}`, ({ request }) => {
      count += 1
      const roll = next()
      if (roll < resetRate) return resetConnection()
      if (roll < resetRate + errorRate) {
        const headers: Record<string, string> = { 'content-type': 'application/json' }
        if (options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds)
        return HttpResponse.json({ error: 'temporarily unavailable', request: count }, { status, headers })
      }
      return HttpResponse.json({
        ok: true,
        request: count,
        method: request.method,
        idempotencyKey: request.headers.get('idempotency-key'),
      })
    }),
  ]
}
