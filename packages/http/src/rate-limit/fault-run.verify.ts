import { isFieldkitError } from '@fieldkit/core'
import { rateLimited, serve } from '@fieldkit/mocks'
import { describe, expect, it } from 'vitest'
import { createHttpClient } from '../index'

// 1,500 requests through createHttpClient with a limiter, against a mock that answers 20% 503s, resets 5% of the
// connections and sends a burst of 429 with Retry-After every 600 accepted requests, under a sliding-window quota it
// enforces itself. Sized so that the quota, not the machine, is what limits the run (≈1,850 attempts at 100 a
// second, ≈25 s; the 10,000 requests at 200/s before took 84 s, paced by retry backoffs rather than the quota).
// Denser faults would open the breaker (half the calls failing in its window) and prove something else.
const REQUESTS = 1_500
const QUOTA = 100
const IN_FLIGHT = 64

describe('fault run under a quota', () => {
  it('ends every request in success or a typed error and never exceeds the quota', async () => {
    const quota = rateLimited({
      limit: QUOTA,
      windowMs: 1_000,
      faults: {
        seed: 2026,
        errorRate: 0.2,
        resetRate: 0.05,
        burst429: { every: 600, length: 2, retryAfterSeconds: 1 },
      },
    })
    const mock = await serve(quota.handlers)
    const client = createHttpClient({
      baseUrl: mock.url,
      // 100 ms of margin per window: on a shared two-core machine the mock's event loop stalls for tens of ms.
      rateLimit: { perSecond: QUOTA, marginMs: 100 },
      // Short backoffs: with the default ones (hundreds of ms) the 64 callers spend the run waiting to retry and the
      // backoff, not the quota, sets the pace (≈50 attempts/s measured).
      retry: { retries: 3, minDelayMs: 5, maxDelayMs: 50 },
    })
    const outcomes = { ok: 0, typed: {} as Record<string, number>, untyped: [] as string[] }
    const families = ['x-ratelimit', 'ietf', 'sforce']
    let next = 0
    const started = performance.now()
    const worker = async () => {
      while (next < REQUESTS) {
        const i = next++
        try {
          const res = await client.request({ method: 'GET', path: `/rate-limited/${families[i % 3]}` })
          await res.text()
          outcomes.ok += 1
        } catch (error) {
          if (isFieldkitError(error)) outcomes.typed[error.code] = (outcomes.typed[error.code] ?? 0) + 1
          else outcomes.untyped.push(String(error))
        }
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    const seconds = (performance.now() - started) / 1000
    await client.close()
    await mock.close()
    const stats = quota.stats()
    const typed = Object.values(outcomes.typed).reduce((a, b) => a + b, 0)
    console.log(JSON.stringify({ seconds: Math.round(seconds), outcomes, stats }))
    expect(outcomes.untyped).toEqual([])
    expect(outcomes.ok + typed).toBe(REQUESTS)
    for (const code of Object.keys(outcomes.typed)) expect(code).toMatch(/^FK_HTTP_/)
    // The server never had to refuse a request for going over the quota, and never saw more than it in a second;
    // the quota was what bound the run (a second came near it: spread caps it at 1 s / 11 ms ≈ 91, a loaded machine
    // at less), and some requests ran out of retries (typed).
    expect(stats.overQuota).toBe(0)
    expect(stats.maxInWindow).toBeLessThanOrEqual(QUOTA)
    expect(stats.maxInWindow).toBeGreaterThanOrEqual(0.7 * QUOTA)
    expect(outcomes.typed.FK_HTTP_RETRY_EXHAUSTED).toBeGreaterThan(0)
    expect(stats.injected429).toBeGreaterThan(0)
    expect(stats.injected503).toBeGreaterThan(250)
    expect(stats.injectedResets).toBeGreaterThan(40)
  })
})
