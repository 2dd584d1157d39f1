import { type ErrorDetail, expected } from '@fieldkit/core'
import { HttpError } from '../errors'
import type { RateLimitErrorCode } from './types'

/**
 * What the rate limiter throws: invalid options at construction, a wait longer than allowed, the shared quota's
 * Redis failing (each way named by its own code) while failing closed, or use after `close()`. Match on `code`,
 * never on the message.
 *
 * @example
 * ```ts
 * try { await client.request({ path: '/orders' }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_HTTP_RATE_LIMIT_REDIS_DOWN') scheduleRetry()
 * }
 * ```
 */
export class RateLimitError extends HttpError {
  override name = 'RateLimitError'
  declare readonly code: RateLimitErrorCode
  constructor(options: {
    code: RateLimitErrorCode
    message: string
    hint: string
    cause?: unknown
    details?: Record<string, ErrorDetail>
  }) {
    super(options)
  }
}

/** The "Expected `x` to be …" error for an invalid limiter option. */
export function invalidOption(path: string, what: string, got: unknown): RateLimitError {
  const name = path === '' ? 'rateLimit' : `rateLimit.${path}`
  return new RateLimitError({
    code: 'FK_HTTP_RATE_LIMIT_OPTIONS',
    message: `[fieldkit/http] ${expected(name, what, got)}`,
    hint: 'Fix the rateLimit options passed to createHttpClient or createRateLimiter',
    details: { option: name },
  })
}

/** The error for a wait longer than `maxWaitMs`: the same code as a 429 whose Retry-After is too long. */
export function rateLimited(waitMs: number, reason: string): RateLimitError {
  return new RateLimitError({
    code: 'FK_HTTP_RATE_LIMITED',
    message: `[fieldkit/http] rate limit: the next slot is ${(waitMs / 1000).toFixed(1)} s away (${reason}), longer than maxWaitMs`,
    hint: 'The quota is spent for now; retry after details.retryAfterMs, lower the request rate, or raise rateLimit.maxWaitMs',
    details: { retryAfterMs: Math.ceil(waitMs), reason },
  })
}
