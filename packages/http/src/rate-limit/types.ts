// The rate limiter's public types, in a module that imports nothing of the limiter back (no import cycles:
// index.ts, limiter.ts, options.ts, headers.ts and redis-store.ts all import their shared types from here).

import type { RedisInstance } from '@fieldkit/core'

/**
 * What a header parser reports about the server's quota: any of the fields it could read.
 *
 * @example
 * ```ts
 * const hint: RateLimitHint = { source: 'x-acme-quota', remaining: 0, resetMs: 30_000 }
 * ```
 */
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
 *
 * @example
 * ```ts
 * const acme: RateLimitHeaderParser = (h) =>
 *   h['x-acme-left'] === undefined ? undefined : { source: 'x-acme', remaining: Number(h['x-acme-left']) }
 * ```
 */
export type RateLimitHeaderParser = (
  headers: Record<string, string | string[] | undefined>,
) => RateLimitHint | undefined

/**
 * A Sentinel set to find the quota's Redis primary through: the sentinels' `host:port` (or `{ host, port }`) and
 * the name of the primary they watch. After a failover the limiter follows the promoted replica on its own.
 *
 * @example
 * ```ts
 * createRateLimiter({ perSecond: 20, redis: { sentinels: ['10.0.0.5:26379', '10.0.0.6:26379'], name: 'quota' } }, { logger })
 * ```
 */
export interface RateLimitRedisSentinels {
  sentinels: readonly (string | { host: string; port: number })[]
  /** The primary's name in the sentinels' configuration (`sentinel monitor <name> …`). */
  name: string
  /** Password of the Redis primary and replicas, when they need one. */
  password?: string
  /** Password of the sentinels themselves, when they need one. */
  sentinelPassword?: string
}

/**
 * Where a shared quota lives: a `redis://` or `rediss://` URL, a list of Redis Cluster node URLs (any of the
 * masters; the rest is discovered), a Sentinel set, or a ready ioredis `Redis` or `Cluster` instance (typed as
 * core's {@link RedisInstance}, so these types need no ioredis installed).
 *
 * @example
 * ```ts
 * const redis: RateLimitRedis = ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000', 'redis://10.0.0.3:7000']
 * createRateLimiter({ perSecond: 20, redis }, { logger })
 * ```
 */
export type RateLimitRedis = string | readonly string[] | RateLimitRedisSentinels | RedisInstance

/**
 * The codes a {@link RateLimitError} carries: invalid options, a wait longer than allowed, use after `close()`,
 * and the shared quota's Redis failures, each named by what happened (unreachable or timed out, a cluster node
 * that does not own the key, a script Redis refused).
 *
 * @example
 * ```ts
 * if (isFieldkitError(e) && (e.code as RateLimitErrorCode) === 'FK_HTTP_RATE_LIMIT_REDIS_DOWN') retryLater()
 * ```
 */
export type RateLimitErrorCode =
  | 'FK_HTTP_RATE_LIMIT_OPTIONS'
  | 'FK_HTTP_RATE_LIMITED'
  | 'FK_HTTP_RATE_LIMIT_CLOSED'
  | 'FK_HTTP_RATE_LIMIT_REDIS_DOWN'
  | 'FK_HTTP_RATE_LIMIT_REDIS_TIMEOUT'
  | 'FK_HTTP_RATE_LIMIT_REDIS_MISROUTED'
  | 'FK_HTTP_RATE_LIMIT_REDIS_SCRIPT'

/**
 * Options of `createRateLimiter` (and `createHttpClient({ rateLimit })`).
 *
 * @example
 * ```ts
 * const rateLimit: RateLimitOptions = { perSecond: 20, perDay: 100_000, redis: process.env.REDIS_URL, key: 'erp' }
 * ```
 */
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
  /**
   * Share the quota through Redis: a `redis://` URL, a list of Redis Cluster node URLs, `{ sentinels, name }` of a
   * Sentinel set (the limiter owns those connections, with a bounded command timeout and no offline queue), or a
   * ready ioredis `Redis` / `Cluster` instance (the caller owns it; each call is still bounded by `redisTimeoutMs`).
   */
  redis?: RateLimitRedis
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

/**
 * A limiter: acquire before each attempt, release when its headers arrive or it fails, observe every response.
 *
 * @example
 * ```ts
 * const release = await limiter.acquire({ priority: 1 })
 * try { const res = await send(); limiter.observe(res.status, res.headers) } finally { release() }
 * ```
 */
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

/**
 * A snapshot of a limiter.
 *
 * @example
 * ```ts
 * const { queued, store } = limiter.state() // store: 'redis', or 'local-share' while Redis is down
 * ```
 */
export interface RateLimiterState {
  inFlight: number
  queued: number
  /** Milliseconds left of a pause set by a 429 / Retry-After, 0 when none. */
  pausedForMs: number
  /** `'local'`, `'redis'`, or `'local-share'` while Redis is down. */
  store: 'local' | 'redis' | 'local-share'
}
