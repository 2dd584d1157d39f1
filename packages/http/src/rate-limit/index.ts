import type { Logger } from '@fieldkit/core'
import { Limiter } from './limiter'
import { validateOptions } from './options'
import type { RateLimiter, RateLimitOptions } from './types'

export { RateLimitError } from './errors'
export { parseRateLimitHeaders, type RateLimitHeaders, type RateLimitObservation, sforceLimitInfo } from './headers'
export type {
  RateLimitErrorCode,
  RateLimiter,
  RateLimiterState,
  RateLimitHeaderParser,
  RateLimitHint,
  RateLimitOptions,
  RateLimitRedis,
  RateLimitRedisSentinels,
} from './types'

/**
 * Creates a rate limiter: exact sliding-window quotas per second/minute/hour/day, `maxConcurrent`, priorities,
 * pauses on 429 and `Retry-After` shared by every caller, hold-back on rate-limit headers, and optionally one quota
 * shared by many processes through Redis (a single node, a Cluster or a Sentinel set; one round trip per batch of
 * requests).
 *
 * @example
 * ```ts
 * const limiter = createRateLimiter({ perSecond: 10, perHour: 1000 }, { logger })
 * const release = await limiter.acquire()
 * try { const res = await send(); limiter.observe(res.status, res.headers) } finally { release() }
 * await limiter.close()
 * ```
 */
export function createRateLimiter(options: RateLimitOptions, context: { logger: Logger }): RateLimiter {
  return new Limiter(validateOptions(options), context.logger)
}
