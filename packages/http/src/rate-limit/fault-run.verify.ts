import { isFieldkitError } from '@fieldkit/core'
import { rateLimited, serve } from '@fieldkit/mocks'
import { describe, expect, it } from 'vitest'
import { createHttpClient } from '../index'

// 10,000 requests through createHttpClient with a limiter, against a mock that answers 20% 503s, resets 5% of the
// connections and sends bursts of 429 with Retry-After, under a sliding-window quota it enforces itself.
const REQUESTS = 10_000
const QUOTA = 200
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
        burst429: { every: 2_000, length: 2, retryAfterSeconds: 1 },
      },
    })
    const mock = await serve(quota.handlers)
    const client = createHttpClient({
      baseUrl: mock.url,
      // 100 ms of margin per window: on a shared two-core machine the mock's event loop stalls for tens of ms.
      rateLimit: { perSecond: QUOTA, marginMs: 100 },
      retry: { retries: 3 },
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
    // The server never had to refuse a request for going over the quota, and never saw more than it in a second.
    expect(stats.overQuota).toBe(0)
    expect(stats.maxInWindow).toBeLessThanOrEqual(QUOTA)
    expect(stats.injected429).toBeGreaterThan(0)
    expect(stats.injected503).toBeGreaterThan(1_000)
    expect(stats.injectedResets).toBeGreaterThan(200)
  })
})
