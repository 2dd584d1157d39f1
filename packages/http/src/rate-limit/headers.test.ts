import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseRateLimitHeaders, sforceLimitInfo } from './headers'

const NOW = Date.parse('2026-11-23T12:00:00Z')

describe('parseRateLimitHeaders', () => {
  it.each([
    [{ 'retry-after': '120' }, { retryAfterMs: 120_000, hints: [] }],
    [{ 'retry-after': 'Mon, 23 Nov 2026 12:00:30 GMT' }, { retryAfterMs: 30_000, hints: [] }],
    [
      { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '30' },
      { hints: [{ source: 'x-ratelimit', limit: 100, remaining: 7, resetMs: 30_000 }] },
    ],
    [
      // GitHub sends the reset as epoch seconds.
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 + 60) },
      { hints: [{ source: 'x-ratelimit', remaining: 0, resetMs: 60_000 }] },
    ],
    [
      { ratelimit: '"default";r=5;t=30', 'ratelimit-policy': '"default";q=100;w=60' },
      { hints: [{ source: 'ratelimit', remaining: 5, resetMs: 30_000, limit: 100, windowMs: 60_000 }] },
    ],
    [
      { ratelimit: 'limit=10, remaining=4, reset=3' },
      { hints: [{ source: 'ratelimit', remaining: 4, resetMs: 3_000, limit: 10 }] },
    ],
    [
      { 'ratelimit-limit': '10', 'ratelimit-remaining': '2', 'ratelimit-reset': '9' },
      { hints: [{ source: 'ratelimit', limit: 10, remaining: 2, resetMs: 9_000 }] },
    ],
  ])('reads %j', (headers, expected) => {
    expect(parseRateLimitHeaders(headers, { now: NOW })).toEqual({ malformed: [], ...expected })
  })

  it.each([
    [{ 'retry-after': 'soon' }, ['retry-after']],
    [{ 'retry-after': '-5' }, ['retry-after']],
    [{ 'retry-after': '1e9' }, ['retry-after']],
    [{ 'x-ratelimit-remaining': 'NaN', 'x-ratelimit-limit': '10' }, ['x-ratelimit-remaining']],
    [{ ratelimit: 'r=;t=' }, ['ratelimit']],
    [{ ratelimit: `"x";r=1;${'a'.repeat(5_000)}` }, ['ratelimit']],
  ])('lists malformed %j and reads nothing from it', (headers, malformed) => {
    const seen = parseRateLimitHeaders(headers, { now: NOW })
    expect(seen.malformed).toEqual(malformed)
    expect(seen.retryAfterMs).toBeUndefined()
  })

  it('runs vendor parsers and drops what they throw or return out of range', () => {
    const negative = () => ({ source: 'neg', remaining: -1 })
    const throws = () => {
      throw new Error('boom')
    }
    const seen = parseRateLimitHeaders(
      { 'sforce-limit-info': 'api-usage=25/5000' },
      { parsers: [sforceLimitInfo, negative, throws], now: NOW },
    )
    expect(seen.hints).toEqual([{ source: 'sforce-limit-info', limit: 5000, remaining: 4975, windowMs: 86_400_000 }])
    expect(seen.malformed).toEqual(['neg', 'throws'])
  })

  it('never throws on hostile header values', () => {
    const names = [
      'retry-after',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'ratelimit',
      'ratelimit-policy',
      'sforce-limit-info',
    ]
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.oneof(fc.string(), fc.array(fc.string()))), (headers) => {
        const seen = parseRateLimitHeaders(headers, { parsers: [sforceLimitInfo], now: NOW })
        for (const hint of seen.hints) {
          for (const v of [hint.remaining, hint.limit, hint.resetMs, hint.windowMs]) {
            if (v !== undefined) expect(Number.isFinite(v) && v >= 0).toBe(true)
          }
        }
        if (seen.retryAfterMs !== undefined) expect(Number.isFinite(seen.retryAfterMs)).toBe(true)
      }),
      { numRuns: 2_000 },
    )
  })
})
