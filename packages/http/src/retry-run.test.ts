import { describe, expect, it } from 'vitest'
import { resolveOptions } from './options'
import { RetryRules, RetryRun } from './retry-run'

const subject = { method: 'GET', url: () => 'https://erp.example/api/orders' }
const rules = (retry: Parameters<typeof resolveOptions>[0]['retry']) => new RetryRules(resolveOptions({ retry }).retry)

describe('the retries of one request (RetryRun), without sockets', () => {
  it('counts the retries it takes and records each wait on the attempt before it', () => {
    const run = new RetryRun(rules({ budget: false }), true)
    run.record({ attempt: 1, status: 503, durationMs: 4 })
    expect(run.take(0, 120.4)).toBeUndefined()
    expect(run.retriesUsed).toBe(1)
    expect(run.outcomes).toEqual([{ attempt: 1, status: 503, durationMs: 4, delayMs: 120 }])
  })

  it('refuses a retry whose wait would reach the deadline, without spending it', () => {
    const run = new RetryRun(rules({ budget: false }), true)
    run.record({ attempt: 1, error: 'ECONNRESET', durationMs: 1 })
    expect(run.take(1_000, 500, 1_500)).toBe('deadline')
    expect(run.take(1_000, 499, 1_500)).toBeUndefined()
    expect(run.retriesUsed).toBe(1)
  })

  it('shares one budget across the runs of one set of rules: minPerWindow, then a ratio of the requests', () => {
    const shared = rules({ budget: { ratio: 0.5, minPerWindow: 1, windowMs: 10_000 } })
    for (let i = 0; i < 2; i++) shared.request(0) // 2 requests: 1 + floor(0.5 × 2) = 2 retries in the window
    const first = new RetryRun(shared, true)
    const second = new RetryRun(shared, true)
    expect(first.take(1, 0)).toBeUndefined()
    expect(second.take(2, 0)).toBeUndefined()
    expect(first.take(3, 0)).toBe('budget')
    expect(first.retriesUsed).toBe(1)
  })

  it('ends with FK_HTTP_RETRY_EXHAUSTED naming the last failure, the attempts and why the next did not go', () => {
    const run = new RetryRun(rules({ budget: false }), true)
    run.record({ attempt: 1, status: 429, durationMs: 3 })
    run.take(0, 10)
    run.record({ attempt: 2, status: 429, durationMs: 2 })
    const error = run.exhausted(subject, { reason: 'attempts', status: 429, body: Buffer.from('{"error":"slow"}') })
    expect(error).toMatchObject({
      code: 'FK_HTTP_RETRY_EXHAUSTED',
      status: 429,
      details: { reason: 'attempts', attempts: [{ attempt: 1, delayMs: 10 }, { attempt: 2 }] },
    })
    expect(error.message).toMatch(
      /^\[fieldkit\/http\] GET https:\/\/erp\.example\/api\/orders failed with 429 after 2 attempts/,
    )
    expect(error.hint).toMatch(/kept answering 429/)
  })

  it('ends a pause longer than maxRetryAfterMs with FK_HTTP_RATE_LIMITED', () => {
    const run = new RetryRun(rules({ maxRetryAfterMs: 1_000, budget: false }), true)
    const error = run.rateLimited(subject, 503, 3_600_000)
    expect(error).toMatchObject({ code: 'FK_HTTP_RATE_LIMITED', status: 503, details: { retryAfterMs: 3_600_000 } })
    expect(error.message).toContain('longer than retry.maxRetryAfterMs (1000 ms)')
  })
})
