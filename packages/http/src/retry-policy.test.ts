import { describe, expect, it } from 'vitest'
import { resolveOptions } from './options'
import { backoff, decideErrorRetry, decideStatusRetry, retryableRequest } from './retry-policy'

const policy = resolveOptions({
  retry: { retries: 2, minDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 60_000 },
}).retry
const top = () => 0.999_999

describe('retry decisions, without sockets', () => {
  it('retries an idempotent method and a keyed POST, never a keyless POST', () => {
    expect(retryableRequest('GET', false, policy)).toBe(true)
    expect(retryableRequest('POST', false, policy)).toBe(false)
    expect(retryableRequest('POST', true, policy)).toBe(true)
    expect(retryableRequest('PATCH', true, policy)).toBe(true)
  })

  it.each([
    [
      { status: 503, retryAfter: '2', retryable: true, retriesUsed: 0 },
      { retry: true, delayMs: 2_000 },
    ],
    [
      { status: 429, retryAfter: undefined, retryable: true, retriesUsed: 1 },
      { retry: true, delayMs: 200 },
    ],
    [
      { status: 503, retryAfter: undefined, retryable: true, retriesUsed: 2 },
      { retry: false, why: 'attempts' },
    ],
    [
      { status: 503, retryAfter: undefined, retryable: false, retriesUsed: 0 },
      { retry: false, why: 'not-retryable' },
    ],
    [
      { status: 404, retryAfter: '1', retryable: true, retriesUsed: 0 },
      { retry: false, why: 'final' },
    ],
    [
      { status: 429, retryAfter: '999999999999999999999999', retryable: true, retriesUsed: 0 },
      { retry: false, why: 'too-long', retryAfterMs: Number.MAX_SAFE_INTEGER },
    ],
  ])('status %j → %j', (attempt, decision) => {
    expect(decideStatusRetry(attempt, policy, top)).toEqual(decision)
  })

  it.each([
    [
      { code: 'ECONNRESET', retryable: true, retriesUsed: 0 },
      { retry: true, delayMs: 100 },
    ],
    [
      { code: 'ECONNRESET', retryable: false, retriesUsed: 0 },
      { retry: false, why: 'not-retryable' },
    ],
    [
      { code: 'ECONNREFUSED', retryable: false, retriesUsed: 0 },
      { retry: true, delayMs: 100 },
    ],
    [
      { code: 'UND_ERR_INVALID_ARG', retryable: true, retriesUsed: 0 },
      { retry: false, why: 'final' },
    ],
    [
      { code: 'ECONNRESET', retryable: true, retriesUsed: 2 },
      { retry: false, why: 'attempts' },
    ],
  ])('error %j → %j', (attempt, decision) => {
    expect(decideErrorRetry(attempt, policy, top)).toEqual(decision)
  })

  it('backs off with full jitter under min(maxDelayMs, minDelayMs × 2^n)', () => {
    expect(backoff(0, policy, top)).toBe(100)
    expect(backoff(3, policy, top)).toBe(800)
    expect(backoff(10, policy, top)).toBe(1_000)
    expect(backoff(10, policy, () => 0)).toBe(0)
  })
})
