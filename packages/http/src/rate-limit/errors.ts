import type { ErrorDetail } from '@fieldkit/core'
import { HttpError } from '../errors'

/**
 * What the rate limiter throws: invalid options at construction, a wait longer than allowed, Redis down while
 * failing closed, or use after `close()`. Match on `code`, never on the message.
 */
export class RateLimitError extends HttpError {
  override name = 'RateLimitError'
  constructor(options: {
    code: string
    message: string
    hint: string
    cause?: unknown
    details?: Record<string, ErrorDetail>
  }) {
    super(options)
  }
}

/** The "Expected `x` to be …" error for an invalid limiter option. */
export function invalidOption(path: string, expected: string, got: unknown): RateLimitError {
  return new RateLimitError({
    code: 'FK_HTTP_RATE_LIMIT_OPTIONS',
    message: `[fieldkit/http] Expected \`rateLimit.${path}\` to be ${expected}, got ${describe(got)}`,
    hint: 'Fix the rateLimit options passed to createHttpClient or createRateLimiter',
    details: { option: `rateLimit.${path}` },
  })
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value)
  return typeof value
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
