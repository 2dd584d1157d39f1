import type { Logger } from '@fieldkit/core'
import type { Redis } from 'ioredis'
import { Limiter } from './limiter'
import { validateOptions } from './options'

export { RateLimitError } from './errors'
export { parseRateLimitHeaders, type RateLimitHeaders, type RateLimitObservation, sforceLimitInfo } from './headers'

/** What a header parser reports about the server's quota: any of the fields it could read. */
export interface RateLimitHint {
  /** Requests the server says are left in its current window. */
  remaining?: number
  /** The server's quota for its window. */
  limit?: number
  /** Milliseconds until the server's window resets (or, for a sliding window, frees a slot). */
  resetMs?: number
  /** Length of the server's window in milliseconds, when the header says it. */
  windowMs?: number
  /** Which header family it came from (`x-ratelimit`, `ratelimit`, `sforce-limit-info`, …), for logs. */
  source: string
}

/**
 * A vendor header parser: reads the response headers and returns what it learned about the quota, or `undefined`
 * when its header is absent. Throwing or returning non-finite numbers marks the header as malformed: it is ignored
 * with a debug log.
 */
export type RateLimitHeaderParser = (
  headers: Record<string, string | string[] | undefined>,
) => RateLimitHint | undefined

/** Options of {@link createRateLimiter} (and `createHttpClient({ rateLimit })`). */
export interface RateLimitOptions {
  /** Requests allowed in any sliding window of one second. */
  perSecond?: number
  /** Requests allowed in any sliding window of one minute. */
  perMinute?: number
  /** Requests allowed in any sliding window of one hour. */
  perHour?: number
  /** Requests allowed in any sliding window of one day (24 h). */
  perDay?: number
  /** Requests in flight at once (per process, also with Redis). Default: unlimited. */
  maxConcurrent?: number
  /**
   * Milliseconds added to each window so that network jitter between this limiter and the server's clock cannot
   * put one request too many in the server's window. Default: 2% of the window, at most 1 s (20 ms per second).
   */
  marginMs?: number
  /**
   * Spread requests evenly over the shortest window (one every window/limit) instead of letting its whole quota go
   * in one burst. Default true: a burst reaches the server as a queue, and the queueing delay can carry requests of
   * one window into the next one as the server counts them. Longer windows still allow bursts within it.
   */
  spread?: boolean
  /**
   * Longest an `acquire()` may wait for quota before it fails with `FK_HTTP_RATE_LIMITED` (carrying the time to
   * retry) instead of queueing. Default 60 000 ms.
   */
  maxWaitMs?: number
  /** Adaptive behaviour on responses passed to `observe()`. */
  adaptive?: {
    /** Pause when a 429 carries no `Retry-After`, in ms. Default 1 000. */
    pauseMs?: number
    /** Longest pause taken from a `Retry-After` or reset header, in ms. Default 3 600 000 (one hour). */
    maxPauseMs?: number
    /** Read rate-limit headers and hold back when the server says the quota is spent. Default true. */
    headers?: boolean
  }
  /** Vendor header parsers, tried after the standard families. Default `[sforceLimitInfo]`. */
  headerParsers?: readonly RateLimitHeaderParser[]
  /** Share the quota through Redis: a `redis://` URL (the limiter owns that connection) or an ioredis instance. */
  redis?: string | Redis
  /** Redis key prefix of this quota; every process that shares it uses the same key. Default `fieldkit:rate-limit`. */
  key?: string
  /**
   * When Redis is unreachable: `'fail-closed'` (default) rejects `acquire()` with `FK_HTTP_RATE_LIMIT_REDIS_DOWN`;
   * `'local-share'` keeps going on `localShare` of each limit, in this process alone, with a warning.
   */
  onRedisDown?: 'fail-closed' | 'local-share'
  /** Share of each limit this process may use while Redis is down (0 < share ≤ 1), e.g. 0.25 for four workers. */
  localShare?: number
  /** A Redis call slower than this counts as Redis being down, in ms. Default 1 000. */
  redisTimeoutMs?: number
  /**
   * After Redis lost the quota's state (a restart), no request is scheduled for this long while every process
   * re-seeds its recent requests, in ms. Default 250.
   */
  recoveryMs?: number
}

/** A limiter: acquire before each attempt, release when its headers arrive or it fails, observe every response. */
export interface RateLimiter {
  /**
   * Waits for a slot within every quota, the concurrency limit and any pause, then returns `release()`.
   * Synchronous on the fast path (no queue, quota free, local store). Lower `priority` goes first (default 5).
   * Rejects with `FK_HTTP_RATE_LIMITED` when the wait would exceed `maxWaitMs`, with the signal's reason on abort.
   */
  acquire(options?: { signal?: AbortSignal; priority?: number }): (() => void) | Promise<() => void>
  /** Every response: a 429 or `Retry-After` pauses all callers; rate-limit headers hold back before a 429. */
  observe(status: number, headers: Record<string, string | string[] | undefined>): void
  /** Current state, for `stats()` and logs. */
  state(): RateLimiterState
  /** Rejects waiting callers with `FK_HTTP_RATE_LIMIT_CLOSED`, clears timers, closes a Redis connection it opened. */
  close(): Promise<void>
}

/** A snapshot of a limiter. */
export interface RateLimiterState {
  inFlight: number
  queued: number
  /** Milliseconds left of a pause set by a 429 / Retry-After, 0 when none. */
  pausedForMs: number
  /** `'local'`, `'redis'`, or `'local-share'` while Redis is down. */
  store: 'local' | 'redis' | 'local-share'
}

/**
 * Creates a rate limiter: exact sliding-window quotas per second/minute/hour/day, `maxConcurrent`, priorities,
 * pauses on 429 and `Retry-After` shared by every caller, hold-back on rate-limit headers, and optionally one quota
 * shared by many processes through Redis (one round trip per request).
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
