import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockServer, serve } from '../serve'
import { dailyQuota, rateLimited } from './rate-limited'

describe('rate-limited endpoint', () => {
  const quota = rateLimited({ limit: 3, windowMs: 60_000, dailyLimit: 5_000 })
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([...quota.handlers, ...dailyQuota({ limit: 1 })])
  })
  afterAll(async () => {
    await mock.close()
  })

  it('answers within the quota with X-RateLimit headers, then 429 with Retry-After in every family', async () => {
    const first = await fetch(`${mock.url}/rate-limited/x-ratelimit`)
    expect(first.status).toBe(200)
    expect(first.headers.get('x-ratelimit-limit')).toBe('3')
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2')
    const ietf = await fetch(`${mock.url}/rate-limited/ietf`)
    expect(ietf.headers.get('ratelimit')).toMatch(/^"default";r=1;t=\d+$/)
    expect(ietf.headers.get('ratelimit-policy')).toBe('"default";q=3;w=60')
    const sforce = await fetch(`${mock.url}/rate-limited/sforce`)
    expect(sforce.headers.get('sforce-limit-info')).toBe('api-usage=3/5000')
    for (const family of ['x-ratelimit', 'ietf', 'sforce']) {
      const over = await fetch(`${mock.url}/rate-limited/${family}`)
      expect(over.status).toBe(429)
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(59)
    }
    expect(quota.stats()).toMatchObject({ received: 6, overQuota: 3, ok: 3, maxInWindow: 3 })
  })

  it('answers a spent daily quota with a one-hour Retry-After', async () => {
    expect((await fetch(`${mock.url}/daily-quota`)).status).toBe(200)
    const spent = await fetch(`${mock.url}/daily-quota`)
    expect(spent.status).toBe(429)
    expect(spent.headers.get('retry-after')).toBe('3600')
  })
})

describe('rate-limited endpoint with faults', () => {
  it('mixes 503s, resets and 429 bursts into accepted requests, in a seeded order', async () => {
    const quota = rateLimited({
      limit: 1_000,
      faults: { seed: 3, errorRate: 0.2, resetRate: 0.05, burst429: { every: 50, length: 3, retryAfterSeconds: 1 } },
    })
    const mock = await serve(quota.handlers)
    try {
      const statuses: (number | 'reset')[] = []
      for (let i = 0; i < 200; i++) {
        statuses.push(
          await fetch(`${mock.url}/rate-limited/x-ratelimit`).then(
            (r) => r.status,
            () => 'reset' as const,
          ),
        )
      }
      const stats = quota.stats()
      expect(stats.received).toBe(200)
      expect(stats.overQuota).toBe(0)
      expect(stats.injected429).toBe(statuses.filter((s) => s === 429).length)
      expect(stats.injected429).toBeGreaterThanOrEqual(9)
      expect(stats.injected503).toBe(statuses.filter((s) => s === 503).length)
      expect(stats.injectedResets).toBe(statuses.filter((s) => s === 'reset').length)
      expect(stats.injected503).toBeGreaterThan(20)
      expect(stats.injectedResets).toBeGreaterThan(2)
    } finally {
      await mock.close()
    }
  })
})
