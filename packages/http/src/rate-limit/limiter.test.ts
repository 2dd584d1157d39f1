import type { Logger } from '@fieldkit/core'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRateLimiter, type RateLimiter, type RateLimitOptions } from './index'

interface Line {
  level: string
  fields: object
  msg: string | undefined
}

function memoryLogger(lines: Line[] = []): Logger {
  const at =
    (level: string) =>
    (fields: object, msg?: string): void => {
      lines.push({ level, fields, msg })
    }
  const logger: Logger = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  }
  return logger
}

function limiter(options: RateLimitOptions, lines?: Line[]): RateLimiter {
  return createRateLimiter({ marginMs: 0, spread: false, ...options }, { logger: memoryLogger(lines) })
}

/** Acquires, records the grant time and releases at once; returns the grant times. */
async function grantTimes(rl: RateLimiter, arrivals: number[]): Promise<number[]> {
  const start = Date.now()
  const times: number[] = []
  const pending: Promise<void>[] = []
  for (const offset of [...arrivals].sort((a, b) => a - b)) {
    const due = start + offset - Date.now()
    if (due > 0) await vi.advanceTimersByTimeAsync(due)
    pending.push(
      Promise.resolve(rl.acquire()).then((release) => {
        times.push(Date.now() - start)
        release()
      }),
    )
  }
  while (times.length < arrivals.length) await vi.advanceTimersByTimeAsync(50)
  await Promise.all(pending)
  return times
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let lo = 0
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= windowMs) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

describe('local quotas', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('hands out a release synchronously while the quota is free', () => {
    const rl = limiter({ perSecond: 3 })
    const release = rl.acquire()
    expect(typeof release).toBe('function')
    ;(release as () => void)()
  })

  it('never lets more than the quota through in any sliding window, wherever the window starts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 60 }),
        async (arrivals) => {
          const rl = limiter({ perSecond: 4, perMinute: 30 })
          const times = await grantTimes(rl, arrivals)
          expect(maxInAnyWindow(times, 1_000)).toBeLessThanOrEqual(4)
          expect(maxInAnyWindow(times, 60_000)).toBeLessThanOrEqual(30)
          await rl.close()
        },
      ),
      { numRuns: 25 },
    )
  })

  it('does not send twice the quota across a fixed-window boundary, as a full token bucket would', async () => {
    const rl = limiter({ perSecond: 5 })
    const times = await grantTimes(rl, [990, 990, 990, 990, 990, 1_001, 1_001, 1_001, 1_001, 1_001])
    expect(times.slice(0, 5)).toEqual([990, 990, 990, 990, 990])
    for (const t of times.slice(5)) expect(t).toBeGreaterThanOrEqual(1_990)
    await rl.close()
  })

  it('keeps a jitter margin on each window by default (20 ms per second)', async () => {
    const rl = createRateLimiter({ perSecond: 2 }, { logger: memoryLogger() })
    const times = await grantTimes(rl, [0, 0, 0])
    expect(times[2]).toBeGreaterThanOrEqual(1_020)
    await rl.close()
  })

  it('spreads requests evenly over the shortest window by default', async () => {
    const rl = createRateLimiter({ perSecond: 4, perHour: 100, marginMs: 0 }, { logger: memoryLogger() })
    const times = await grantTimes(rl, [0, 0, 0, 0, 0])
    expect(times).toEqual([0, 250, 500, 750, 1_000])
    await rl.close()
  })

  it('hands out every slot synchronously when the limit is far above the load', () => {
    const rl = createRateLimiter({ perSecond: 1_000_000 }, { logger: memoryLogger() })
    for (let i = 0; i < 10_000; i++) {
      // The clock is frozen here: move it a millisecond every 500 grants (a real run is far slower than that).
      if (i % 500 === 499) vi.advanceTimersByTime(1)
      const release = rl.acquire()
      expect(typeof release).toBe('function')
      ;(release as () => void)()
    }
    expect(vi.getTimerCount()).toBe(0)
  })

  it('limits requests in flight with maxConcurrent and hands the slot on at release', async () => {
    const rl = limiter({ maxConcurrent: 2 })
    const a = rl.acquire() as () => void
    rl.acquire()
    let third = false
    const waiting = Promise.resolve(rl.acquire()).then((release) => {
      third = true
      return release
    })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(third).toBe(false)
    expect(rl.state()).toMatchObject({ inFlight: 2, queued: 1 })
    a()
    a() // a second call of the same release changes nothing
    ;(await waiting)()
    expect(third).toBe(true)
    expect(rl.state().inFlight).toBe(1)
    await rl.close()
  })

  it('serves waiting callers by priority, lower first, in arrival order within one priority', async () => {
    const rl = limiter({ maxConcurrent: 1 })
    const first = rl.acquire() as () => void
    const order: string[] = []
    const names = [
      ['low-1', 9],
      ['high', 0],
      ['default', undefined],
      ['low-2', 9],
    ] as const
    const all = names.map(([name, priority]) =>
      Promise.resolve(rl.acquire(priority === undefined ? {} : { priority })).then((release) => {
        order.push(name)
        release()
      }),
    )
    first()
    await Promise.all(all)
    expect(order).toEqual(['high', 'default', 'low-1', 'low-2'])
    await rl.close()
  })

  it('fails at once with FK_HTTP_RATE_LIMITED when the next slot is further than maxWaitMs', async () => {
    const rl = limiter({ perMinute: 1, maxWaitMs: 5_000 })
    ;(rl.acquire() as () => void)()
    await expect(rl.acquire()).rejects.toMatchObject({
      code: 'FK_HTTP_RATE_LIMITED',
      details: { retryAfterMs: 60_000, reason: 'perMinute' },
    })
    await rl.close()
  })

  it('rejects an aborted caller with the signal’s reason and serves the next one', async () => {
    const rl = limiter({ maxConcurrent: 1 })
    const first = rl.acquire() as () => void
    const controller = new AbortController()
    const aborted = rl.acquire({ signal: controller.signal })
    const next = rl.acquire()
    controller.abort(new Error('caller gave up'))
    await expect(aborted).rejects.toThrow('caller gave up')
    first()
    expect(typeof (await next)).toBe('function')
    await rl.close()
  })

  it('rejects waiting callers with FK_HTTP_RATE_LIMIT_CLOSED on close and leaves no timer', async () => {
    const rl = limiter({ perSecond: 1 })
    rl.acquire()
    const waiting = expect(rl.acquire()).rejects.toMatchObject({ code: 'FK_HTTP_RATE_LIMIT_CLOSED' })
    await rl.close()
    await waiting
    expect(vi.getTimerCount()).toBe(0)
    await expect(rl.acquire()).rejects.toMatchObject({ code: 'FK_HTTP_RATE_LIMIT_CLOSED' })
  })
})

describe('adaptive', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('pauses every caller for the Retry-After of a 429, and says so in a warning', async () => {
    const lines: Line[] = []
    const rl = limiter({ perSecond: 100 }, lines)
    rl.observe(429, { 'retry-after': '2' })
    expect(lines.find((l) => l.level === 'warn')?.msg).toMatch(/pausing every caller/)
    const times = await grantTimes(rl, [0, 10, 20])
    for (const t of times) expect(t).toBeGreaterThanOrEqual(2_000)
    expect(rl.state().pausedForMs).toBe(0)
    await rl.close()
  })

  it('pauses one second on a 429 without Retry-After, and not at all on a plain 503', async () => {
    const rl = limiter({})
    rl.observe(503, {})
    expect(typeof rl.acquire()).toBe('function')
    rl.observe(429, {})
    expect(rl.state().pausedForMs).toBe(1_000)
    await rl.close()
  })

  it('holds back until the reset when X-RateLimit-Remaining reaches 0, before any 429', async () => {
    const rl = limiter({})
    rl.observe(200, { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '3' })
    const times = await grantTimes(rl, [0])
    expect(times[0]).toBeGreaterThanOrEqual(3_000)
    await rl.close()
  })

  it('spends what the IETF RateLimit header says is left, then waits for its reset', async () => {
    const rl = limiter({})
    rl.observe(200, { ratelimit: '"default";r=2;t=5', 'ratelimit-policy': '"default";q=10;w=60' })
    const times = await grantTimes(rl, [0, 0, 0])
    expect(times.slice(0, 2)).toEqual([0, 0])
    expect(times[2]).toBeGreaterThanOrEqual(5_000)
    await rl.close()
  })

  it('reads Salesforce usage through the vendor parser hook', async () => {
    const rl = limiter({ adaptive: { maxPauseMs: 10_000 } })
    rl.observe(200, { 'sforce-limit-info': 'api-usage=5000/5000' })
    // The allowance is spent and resets within a day: held back, but never longer than maxPauseMs.
    const times = await grantTimes(rl, [0])
    expect(times[0]).toBeGreaterThanOrEqual(10_000)
    expect(times[0]).toBeLessThan(11_000)
    await rl.close()
  })

  it('ignores malformed rate-limit headers with a debug log, never a crash', async () => {
    const lines: Line[] = []
    const rl = limiter({}, lines)
    rl.observe(429, { 'retry-after': 'soon', 'x-ratelimit-remaining': '-1', 'sforce-limit-info': 'api-usage=lots' })
    expect(lines.find((l) => l.level === 'debug')).toMatchObject({
      fields: { headers: ['retry-after', 'x-ratelimit-remaining', 'sforceLimitInfo'] },
    })
    expect(rl.state().pausedForMs).toBe(1_000)
    await rl.close()
  })

  it('logs what callers wait for, at most once a second', async () => {
    const lines: Line[] = []
    const rl = limiter({ perMinute: 1 }, lines)
    ;(rl.acquire() as () => void)()
    const waiting = rl.acquire()
    const third = Promise.resolve(rl.acquire()).catch((error: unknown) => error)
    const info = lines.filter((l) => l.msg === 'rate limit: waiting for quota')
    expect(info).toHaveLength(1)
    expect(info[0]).toMatchObject({ level: 'info', fields: { reason: 'perMinute', waitMs: 60_000 } })
    await vi.advanceTimersByTimeAsync(60_000)
    await waiting
    await rl.close()
    await expect(third).resolves.toMatchObject({ code: 'FK_HTTP_RATE_LIMIT_CLOSED' })
  })
})

describe('options', () => {
  it.each([
    [{ perSecond: 0 }, 'Expected `rateLimit.perSecond` to be an integer from 1 to 10000000, got 0'],
    [{ perMinute: 1.5 }, 'Expected `rateLimit.perMinute` to be an integer from 1 to 10000000, got 1.5'],
    [{ maxConcurrent: -1 }, 'Expected `rateLimit.maxConcurrent` to be an integer'],
    [{ maxWaitMs: Number.NaN }, 'Expected `rateLimit.maxWaitMs` to be a non-negative number of milliseconds, got NaN'],
    [{ perSecond: 1, redis: 'localhost:6379' }, 'Expected `rateLimit.redis` to be a redis:// or rediss:// URL'],
    [{ redis: 'redis://127.0.0.1:1' }, 'Expected `rateLimit.perSecond` to be set'],
    [{ perSecond: 1, onRedisDown: 'local-share' as const }, 'Expected `rateLimit.localShare` to be a number in (0, 1]'],
    [
      { perSecond: 1, onRedisDown: 'ignore' as 'fail-closed' },
      "Expected `rateLimit.onRedisDown` to be 'fail-closed' or 'local-share'",
    ],
  ])('rejects %j at construction', (options, message) => {
    expect(() => createRateLimiter(options, { logger: memoryLogger() })).toThrow(message)
    try {
      createRateLimiter(options, { logger: memoryLogger() })
    } catch (error) {
      expect(error).toMatchObject({ code: 'FK_HTTP_RATE_LIMIT_OPTIONS' })
    }
  })
})
