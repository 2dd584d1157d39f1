import { describe, expect, it } from 'vitest'
import { type AttemptOutcome, resolveOptions } from '../options'
import { type Answer, decideAnswer, decideFailure } from './outcome'

const policy = resolveOptions({
  retry: { retries: 2, minDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 60_000 },
}).retry
const top = () => 0.999_999

const answer = (over: Partial<Answer>): Answer => ({
  status: 200,
  retryAfter: undefined,
  location: undefined,
  refused: false,
  followsRedirects: true,
  retryable: true,
  retriesUsed: 0,
  attempt: 1,
  durationMs: 5,
  ...over,
})

describe('the client’s decision after an answer, without sockets', () => {
  it.each([
    ['a 2xx is the response', { status: 204 }, { step: 'success' }],
    ['a refused credential goes to the strategy', { status: 401, refused: true }, { step: 'refused' }],
    ['a 401 the strategy did not sign is a status', { status: 401 }, { step: 'status' }],
    ['a redirect with a location is followed', { status: 302, location: '/next' }, { step: 'redirect' }],
    ['a redirect without a location is a status', { status: 302 }, { step: 'status' }],
    [
      'a redirect with redirects off is a status',
      { status: 307, location: '/x', followsRedirects: false },
      { step: 'status' },
    ],
    ['a 503 with Retry-After waits that long', { status: 503, retryAfter: '2' }, { step: 'retry', delayMs: 2_000 }],
    ['a 429 without Retry-After backs off', { status: 429, retriesUsed: 1 }, { step: 'retry', delayMs: 200 }],
    [
      'a Retry-After past maxRetryAfterMs is too long',
      { status: 429, retryAfter: '3600' },
      { step: 'rate-limited', retryAfterMs: 3_600_000 },
    ],
    ['a huge Retry-After is too long too', { status: 503, retryAfter: '9'.repeat(30) }, { step: 'rate-limited' }],
    ['retries spent', { status: 503, retriesUsed: 2 }, { step: 'exhausted' }],
    ['a keyless POST’s 503 is a status', { status: 503, retryable: false }, { step: 'status' }],
    ['a 404 is a status', { status: 404 }, { step: 'status' }],
  ] as const)('%s', (_title, over, expected) => {
    expect(decideAnswer(answer(over), policy, top)).toMatchObject(expected)
  })

  it('shows retry.shouldRetry the attempt’s number and duration', () => {
    const seen: AttemptOutcome[] = []
    const picky = resolveOptions({
      retry: {
        shouldRetry: (outcome) => {
          seen.push(outcome)
          return outcome.durationMs < 100
        },
      },
    }).retry
    expect(decideAnswer(answer({ status: 503, attempt: 3, durationMs: 50 }), picky, top).step).toBe('retry')
    expect(decideAnswer(answer({ status: 503, attempt: 4, durationMs: 500 }), picky, top).step).toBe('status')
    expect(seen).toEqual([
      { attempt: 3, status: 503, durationMs: 50 },
      { attempt: 4, status: 503, durationMs: 500 },
    ])
  })
})

describe('the client’s decision after a network failure, without sockets', () => {
  const failure = (over: Partial<Parameters<typeof decideFailure>[0]>) => ({
    code: 'ECONNRESET',
    retryable: true,
    retriesUsed: 0,
    attempt: 1,
    durationMs: 3,
    ...over,
  })

  it.each([
    ['a reset GET is retried with backoff', {}, { step: 'retry', delayMs: 100 }],
    ['a reset keyless POST is final: it may have been processed', { retryable: false }, { step: 'final' }],
    [
      'a refused connection is retried for any method: nothing was sent',
      { code: 'ECONNREFUSED', retryable: false },
      { step: 'retry' },
    ],
    ['retries spent', { retriesUsed: 2 }, { step: 'exhausted' }],
    ['an error that is not retryable is final', { code: 'UND_ERR_INVALID_ARG' }, { step: 'final' }],
  ] as const)('%s', (_title, over, expected) => {
    expect(decideFailure(failure(over), policy, top)).toMatchObject(expected)
  })

  it('with retries off a retryable error is final, not exhausted', () => {
    const off = resolveOptions({ retry: { retries: 0 } }).retry
    expect(decideFailure(failure({}), off, top)).toEqual({ step: 'final' })
  })
})
