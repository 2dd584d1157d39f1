import { invalidOption } from './errors'
import { sforceLimitInfo } from './headers'
import type { RateLimitHeaderParser, RateLimitOptions, RateLimitRedis } from './types'

/** One quota window, after validation. */
export interface WindowSpec {
  /** `perSecond`, `perMinute`, … (for logs and errors). */
  name: string
  limit: number
  /** The window's nominal length. */
  windowMs: number
  /** The length the limiter enforces: nominal plus the jitter margin. */
  enforcedMs: number
}

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  windows: WindowSpec[]
  maxConcurrent: number
  /** Minimum spacing of grants (shortest window's enforced length / its limit), 0 when `spread` is off. */
  spreadMs: number
  maxWaitMs: number
  pauseMs: number
  maxPauseMs: number
  headers: boolean
  headerParsers: readonly RateLimitHeaderParser[]
  redis: RateLimitRedis | undefined
  key: string
  onRedisDown: 'fail-closed' | 'local-share'
  localShare: number
  redisTimeoutMs: number
  recoveryMs: number
}

const WINDOWS = [
  ['perSecond', 1_000],
  ['perMinute', 60_000],
  ['perHour', 3_600_000],
  ['perDay', 86_400_000],
] as const

/** Largest limit per window: the sliding log keeps one timestamp (8 bytes) per unit. */
const MAX_LIMIT = 10_000_000

function positiveInt(value: unknown, path: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalidOption(path, `an integer from 1 to ${max}`, value)
  }
  return value
}

function nonNegative(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidOption(path, 'a non-negative number of milliseconds', value)
  }
  return value
}

const REDIS_URL = /^rediss?:\/\//

/** `rateLimit.redis`: a URL, cluster node URLs, a Sentinel set or an ioredis instance (the URLs never echoed back). */
function validateRedis(redis: unknown): RateLimitRedis | undefined {
  if (redis === undefined) return undefined
  if (typeof redis === 'string') {
    if (!REDIS_URL.test(redis))
      throw invalidOption('redis', 'a redis:// or rediss:// URL', 'a string without that scheme')
    return redis
  }
  if (Array.isArray(redis)) {
    if (redis.length === 0 || redis.some((u) => typeof u !== 'string' || !REDIS_URL.test(u))) {
      throw invalidOption('redis', 'a non-empty list of redis:// cluster node URLs', redis)
    }
    return redis as string[]
  }
  if (typeof redis !== 'object' || redis === null) {
    throw invalidOption('redis', 'a redis:// URL, cluster node URLs, { sentinels, name } or an ioredis instance', redis)
  }
  const r = redis as Record<string, unknown>
  if (typeof r.evalsha === 'function') return redis as RateLimitRedis
  if ('sentinels' in r || 'name' in r) {
    const list = r.sentinels
    const ok = (s: unknown) =>
      (typeof s === 'string' && /^[^\s:]+:\d{1,5}$/.test(s)) ||
      (typeof s === 'object' &&
        s !== null &&
        typeof (s as { host?: unknown }).host === 'string' &&
        Number.isInteger((s as { port?: unknown }).port))
    if (!Array.isArray(list) || list.length === 0 || !list.every(ok)) {
      throw invalidOption('redis.sentinels', 'a non-empty list of "host:port" or { host, port }', list)
    }
    if (typeof r.name !== 'string' || r.name.length === 0) {
      throw invalidOption('redis.name', 'the name of the primary the sentinels watch', r.name)
    }
    return redis as RateLimitRedis
  }
  throw invalidOption(
    'redis',
    'a redis:// URL, cluster node URLs, { sentinels, name } or an ioredis instance',
    'an object',
  )
}

/** Checks every option once, at construction, and fills in the defaults (each written out here). */
export function validateOptions(options: RateLimitOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption('', 'an object', options)
  const marginMs = options.marginMs === undefined ? undefined : nonNegative(options.marginMs, 'marginMs', 0)
  const windows: WindowSpec[] = []
  for (const [name, windowMs] of WINDOWS) {
    const limit = options[name]
    if (limit === undefined) continue
    windows.push({
      name,
      limit: positiveInt(limit, name, MAX_LIMIT),
      windowMs,
      // 2% of the window, at most 1 s: absorbs event-loop lag and network jitter before the server counts.
      enforcedMs: windowMs + (marginMs ?? Math.min(1_000, windowMs * 0.02)),
    })
  }
  const adaptive = options.adaptive ?? {}
  if (typeof adaptive !== 'object' || adaptive === null) throw invalidOption('adaptive', 'an object', adaptive)
  if (adaptive.headers !== undefined && typeof adaptive.headers !== 'boolean') {
    throw invalidOption('adaptive.headers', 'a boolean', adaptive.headers)
  }
  const headerParsers = options.headerParsers ?? [sforceLimitInfo]
  if (!Array.isArray(headerParsers) || headerParsers.some((p) => typeof p !== 'function')) {
    throw invalidOption('headerParsers', 'an array of functions', headerParsers)
  }
  const redis = validateRedis(options.redis)
  if (redis !== undefined && windows.length === 0) {
    throw invalidOption('perSecond', 'set (or perMinute/perHour/perDay) when `rateLimit.redis` is set', undefined)
  }
  const key = options.key ?? 'fieldkit:rate-limit'
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) {
    throw invalidOption('key', 'a non-empty string of at most 200 characters', key)
  }
  const onRedisDown = options.onRedisDown ?? 'fail-closed'
  if (onRedisDown !== 'fail-closed' && onRedisDown !== 'local-share') {
    throw invalidOption('onRedisDown', "'fail-closed' or 'local-share'", onRedisDown)
  }
  const localShare = options.localShare ?? (onRedisDown === 'local-share' ? Number.NaN : 1)
  if (typeof localShare !== 'number' || !(localShare > 0 && localShare <= 1)) {
    throw invalidOption('localShare', "a number in (0, 1] (required with onRedisDown: 'local-share')", localShare)
  }
  if (options.spread !== undefined && typeof options.spread !== 'boolean')
    throw invalidOption('spread', 'a boolean', options.spread)
  const shortest = windows.reduce<WindowSpec | undefined>(
    (a, b) => (a === undefined || b.windowMs < a.windowMs ? b : a),
    undefined,
  )
  return {
    windows,
    // Requests are spread over the shortest window by default (see RateLimitOptions.spread).
    spreadMs: options.spread === false || shortest === undefined ? 0 : shortest.enforcedMs / shortest.limit,
    // No concurrency limit unless asked for.
    maxConcurrent:
      options.maxConcurrent === undefined
        ? Number.POSITIVE_INFINITY
        : positiveInt(options.maxConcurrent, 'maxConcurrent'),
    // A caller waits at most a minute for quota, then gets FK_HTTP_RATE_LIMITED with the time to retry.
    maxWaitMs: nonNegative(options.maxWaitMs, 'maxWaitMs', 60_000),
    // A 429 without Retry-After pauses every caller for one second.
    pauseMs: nonNegative(adaptive.pauseMs, 'adaptive.pauseMs', 1_000),
    // No server hint pauses for longer than an hour.
    maxPauseMs: nonNegative(adaptive.maxPauseMs, 'adaptive.maxPauseMs', 3_600_000),
    // Rate-limit headers are read by default.
    headers: adaptive.headers ?? true,
    headerParsers,
    redis,
    key,
    onRedisDown,
    localShare,
    // A Redis call that takes a second counts as Redis being down.
    redisTimeoutMs: nonNegative(options.redisTimeoutMs, 'redisTimeoutMs', 1_000),
    // After Redis lost its state, a quarter second for every active process to re-seed before scheduling resumes.
    recoveryMs: nonNegative(options.recoveryMs, 'recoveryMs', 250),
  }
}
