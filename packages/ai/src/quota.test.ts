import { type ModelServer, startModelServer, startRedisServer } from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EU, guardFor } from './guard.test-helper'
import { parseDuration, readProviderQuota } from './rate-headers'

let server: ModelServer
let redis: Awaited<ReturnType<typeof startRedisServer>>
beforeAll(async () => {
  server = await startModelServer()
  redis = await startRedisServer()
})
afterAll(async () => {
  await server.close()
  await redis.stop()
})

describe('provider quota headers', () => {
  it('reads OpenAI durations, Anthropic RFC 3339 resets and retry delays', () => {
    expect(parseDuration('6m0s')).toBe(360_000)
    expect(parseDuration('1h2m3.5s')).toBe(3_723_500)
    expect(parseDuration('20ms')).toBe(20)
    expect(parseDuration('soon')).toBeUndefined()
    const now = Date.parse('2026-01-01T00:00:00Z')
    const h = (o: Record<string, string>) => new Headers(o)
    expect(
      readProviderQuota(
        h({ 'x-ratelimit-remaining-tokens': '12', 'x-ratelimit-reset-tokens': '1s', 'retry-after-ms': '250' }),
        now,
      ),
    ).toEqual({
      remainingTokens: 12,
      tokensResetAt: now + 1000,
      retryAfterMs: 250,
    })
    expect(
      readProviderQuota(
        h({
          'anthropic-ratelimit-tokens-remaining': '0',
          'anthropic-ratelimit-tokens-reset': '2026-01-01T00:00:05Z',
          'retry-after': '3',
        }),
        now,
      ),
    ).toEqual({ remainingTokens: 0, tokensResetAt: now + 5000, retryAfterMs: 3000 })
  })
})

describe('a token quota shared through Redis', () => {
  it('rides out a 429 storm with two guards and never overruns the provider’s token quota', async () => {
    server.tokenLimit = { tokens: 300, windowMs: 1000 } // 10 answers of 30 tokens per second
    server.failures.push(429, 429, 429, 429, 429, 429)
    server.failureHeaders = {
      'retry-after-ms': '150',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '150ms',
    }
    const rateLimit = { tokensPerMinute: 300, windowMs: 1000, redis: redis.url, key: 'test:quota' }
    const a = guardFor(server, { rateLimit, retries: 6 })
    const b = guardFor(server, { rateLimit, retries: 6 })
    const body = JSON.stringify({ model: 'm', max_tokens: 20, messages: [{ role: 'user', content: 'ping' }] })
    const call = (g: typeof a) =>
      g.guard.fetch(`${EU}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
    const started = Date.now()
    const answers = await Promise.all([
      ...Array.from({ length: 12 }, () => call(a)),
      ...Array.from({ length: 12 }, () => call(b)),
    ])
    expect(answers.map((r) => r.status)).toEqual(Array(24).fill(200))
    expect(server.failures).toHaveLength(0) // the storm happened
    expect(server.limited).toBe(0) // and after it, the provider never had to refuse a call for its quota
    // Independently of the guards' bookkeeping: no window of the server's log holds more than its quota.
    for (const first of server.accepted) {
      const inWindow = server.accepted.filter((x) => x.at >= first.at && x.at < first.at + 1000)
      expect(inWindow.reduce((s, x) => s + x.tokens, 0)).toBeLessThanOrEqual(300)
    }
    expect(Date.now() - started).toBeGreaterThan(1000) // 24 answers of 30 tokens need at least three windows
    const usage = [...a.records, ...b.records].map((r) => r.usage?.inputTokens)
    expect(usage).toEqual(Array(24).fill(20))
    await a.guard.close()
    await b.guard.close()
  })
})
