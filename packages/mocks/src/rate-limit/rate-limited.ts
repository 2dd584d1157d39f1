import { HttpResponse, http, type RequestHandler } from 'msw'
import { resetConnection } from '../actions'
import { seededRandom } from '../random'

/** The rate-limit header families the mock can answer in. */
export type RateLimitHeaderFamily = 'x-ratelimit' | 'ietf' | 'sforce'

/** Options of {@link rateLimited}. */
export interface RateLimitedOptions {
  /** Requests allowed in any sliding window of `windowMs` (default 20). */
  limit?: number
  /** Window length in ms (default 1 000). */
  windowMs?: number
  /** Daily allowance reported by the `sforce` family (`api-usage=served today/allowance`); default 100 000. */
  dailyLimit?: number
  /** Base path (default `/rate-limited`); the family is the next segment: `/rate-limited/ietf`. */
  path?: string
  /**
   * Faults mixed into the accepted requests, in an order fixed by `seed`: a share answered 503, a share reset,
   * and bursts of 429 with `Retry-After` (every `every`-th accepted request starts `length` 429s). None by default.
   */
  faults?: {
    seed?: number
    errorRate?: number
    resetRate?: number
    burst429?: { every: number; length: number; retryAfterSeconds: number }
  }
}

/** What the mock counted, for assertions. */
export interface RateLimitStats {
  /** Every request that arrived (each counts against the quota, as on a real server). */
  received: number
  /** Requests answered 429 because the sliding window was full: the client exceeded the quota. */
  overQuota: number
  /** 429s sent on purpose by `faults.burst429`. */
  injected429: number
  /** 503s and resets sent on purpose by `faults`. */
  injected503: number
  injectedResets: number
  /** Requests answered 200. */
  ok: number
  /** The most requests seen in any window of `windowMs`. */
  maxInWindow: number
}

/** A rate-limited endpoint and its counters. */
export interface RateLimitedMock {
  handlers: RequestHandler[]
  stats(): RateLimitStats
}

function familyHeaders(
  family: string,
  limit: number,
  windowMs: number,
  used: number,
  resetSeconds: number,
  today: number,
  dailyLimit: number,
): Record<string, string> {
  const remaining = String(Math.max(0, limit - used))
  if (family === 'ietf') {
    return {
      ratelimit: `"default";r=${remaining};t=${resetSeconds}`,
      'ratelimit-policy': `"default";q=${limit};w=${Math.ceil(windowMs / 1000)}`,
    }
  }
  if (family === 'sforce') return { 'sforce-limit-info': `api-usage=${today}/${dailyLimit}` }
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': remaining,
    'x-ratelimit-reset': String(resetSeconds),
  }
}

/**
 * An endpoint that counts requests in a sliding window and answers 429 with `Retry-After` (seconds until a slot
 * frees) above the limit, with the quota in the header family named by the path: `/rate-limited/x-ratelimit`
 * (`X-RateLimit-Limit/-Remaining/-Reset`), `/rate-limited/ietf` (`RateLimit` + `RateLimit-Policy`) or
 * `/rate-limited/sforce` (`Sforce-Limit-Info: api-usage=served today/dailyLimit`, as Salesforce reports its
 * rolling daily allowance). All families share one counter.
 *
 * @example
 * ```ts
 * const quota = rateLimited({ limit: 20, windowMs: 1000 })
 * const mock = await serve(quota.handlers)
 * // … send requests to `${mock.url}/rate-limited/ietf`, then:
 * quota.stats().overQuota // 0 when the client kept to the quota
 * ```
 */
export function rateLimited(options: RateLimitedOptions = {}): RateLimitedMock {
  const { limit = 20, windowMs = 1_000, path = '/rate-limited', faults, dailyLimit = 100_000 } = options
  const next = seededRandom(faults?.seed ?? 1)
  const times: number[] = []
  let first = 0
  const stats: RateLimitStats = {
    received: 0,
    overQuota: 0,
    injected429: 0,
    injected503: 0,
    injectedResets: 0,
    ok: 0,
    maxInWindow: 0,
  }
  let accepted = 0
  let burstLeft = 0

  const handler = http.all(`*${path}/:family`, ({ params }) => {
    const family = String(params.family)
    const now = performance.now()
    stats.received += 1
    while (first < times.length && (times[first] as number) <= now - windowMs) first += 1
    if (first > 4_096) {
      times.splice(0, first)
      first = 0
    }
    const inWindow = times.length - first
    const resetMs = inWindow > 0 ? (times[first] as number) + windowMs - now : windowMs
    const resetSeconds = Math.max(1, Math.ceil(resetMs / 1000))
    if (inWindow >= limit) {
      stats.overQuota += 1
      return HttpResponse.json(
        { error: 'rate limit exceeded' },
        {
          status: 429,
          headers: {
            'retry-after': String(resetSeconds),
            ...familyHeaders(family, limit, windowMs, inWindow, resetSeconds, stats.ok, dailyLimit),
          },
        },
      )
    }
    times.push(now)
    stats.maxInWindow = Math.max(stats.maxInWindow, inWindow + 1)
    const headers = familyHeaders(family, limit, windowMs, inWindow + 1, resetSeconds, stats.ok + 1, dailyLimit)
    if (faults !== undefined) {
      accepted += 1
      const burst = faults.burst429
      if (burst !== undefined && accepted % burst.every === 0) burstLeft = burst.length
      if (burstLeft > 0) {
        burstLeft -= 1
        stats.injected429 += 1
        return HttpResponse.json(
          { error: 'slow down' },
          { status: 429, headers: { ...headers, 'retry-after': String(burst?.retryAfterSeconds ?? 1) } },
        )
      }
      const roll = next()
      if (roll < (faults.resetRate ?? 0)) {
        stats.injectedResets += 1
        return resetConnection()
      }
      if (roll < (faults.resetRate ?? 0) + (faults.errorRate ?? 0)) {
        stats.injected503 += 1
        return HttpResponse.json({ error: 'temporarily unavailable' }, { status: 503, headers })
      }
    }
    stats.ok += 1
    return HttpResponse.json({ ok: true, request: stats.received }, { headers })
  })
  return { handlers: [handler], stats: () => ({ ...stats }) }
}

/** Options of {@link dailyQuota}. */
export interface DailyQuotaOptions {
  /** Requests allowed per day (default 100). */
  limit?: number
  /** Path (default `/daily-quota`). */
  path?: string
}

/**
 * An endpoint with a daily allowance: once `limit` requests were served it answers 429 with a one-hour
 * `Retry-After` (3600) and `X-RateLimit-Remaining: 0`, as enterprise APIs do when an org's day is spent.
 *
 * @example
 * ```ts
 * const mock = await serve(dailyQuota({ limit: 3 }))
 * // the fourth request gets 429 with Retry-After: 3600
 * ```
 */
export function dailyQuota(options: DailyQuotaOptions = {}): RequestHandler[] {
  const { limit = 100, path = '/daily-quota' } = options
  let used = 0
  return [
    http.all(`*${path}`, () => {
      if (used >= limit) {
        return HttpResponse.json(
          { error: 'daily API request limit exceeded' },
          {
            status: 429,
            headers: {
              'retry-after': '3600',
              'x-ratelimit-limit': String(limit),
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': '3600',
            },
          },
        )
      }
      used += 1
      return HttpResponse.json(
        { ok: true, used },
        { headers: { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(limit - used) } },
      )
    }),
  ]
}
