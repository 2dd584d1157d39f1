import { REDIRECT_STATUSES } from '../redirect-policy'
import { decideErrorRetry, decideStatusRetry, type RetryPolicy } from '../retry-policy'

/** What the client does with one answer. */
export type AnswerStep =
  /** A 2xx: the response. */
  | { step: 'success' }
  /** The credentials were refused: answer the challenge again, or fail with `FK_AUTH_REJECTED`. */
  | { step: 'refused' }
  /** A redirect with a location: the caller's redirect loop decides where to. */
  | { step: 'redirect' }
  /** A retry status with a `Retry-After` longer than `retry.maxRetryAfterMs`: `FK_HTTP_RATE_LIMITED`. */
  | { step: 'rate-limited'; retryAfterMs: number }
  /** A retry status, a retry left: wait `delayMs` (the `Retry-After` or backoff), then send again. */
  | { step: 'retry'; delayMs: number }
  /** A retry status with no retry left: `FK_HTTP_RETRY_EXHAUSTED` (or the answer, with `throwOnStatus: false`). */
  | { step: 'exhausted' }
  /** Any other answer: `FK_HTTP_STATUS` (or the answer, with `throwOnStatus: false`). */
  | { step: 'status' }

/** One answer, as {@link decideAnswer} sees it. */
export interface Answer {
  status: number
  /** The `Retry-After` header as it came. */
  retryAfter: string | string[] | undefined
  /** The `Location` header as it came. */
  location: string | string[] | undefined
  /** The auth strategy calls this answer a refusal (401, 407, or its own signal) and it signed the request. */
  refused: boolean
  /** The client follows redirects. */
  followsRedirects: boolean
  /** The request may be sent again (idempotent, or keyed). */
  retryable: boolean
  retriesUsed: number
  /** The attempt's number and duration, for `retry.shouldRetry`. */
  attempt: number
  durationMs: number
}

/**
 * The client's decision after one answer, as a plain function of it: success, a refused credential, a redirect to
 * follow, a retry (and how long to wait first), a pause too long to wait, retries spent, or a final status.
 *
 * @example
 * ```ts
 * decideAnswer({ status: 503, retryAfter: '2', retryable: true, retriesUsed: 0, … }, policy) // { step: 'retry', delayMs: 2000 }
 * ```
 */
export function decideAnswer(answer: Answer, policy: RetryPolicy, random: () => number = Math.random): AnswerStep {
  const status = answer.status
  if (status >= 200 && status < 300) return { step: 'success' }
  if (answer.refused) return { step: 'refused' }
  if (answer.followsRedirects && REDIRECT_STATUSES.has(status) && typeof answer.location === 'string') {
    return { step: 'redirect' }
  }
  const decision = decideStatusRetry(answer, policy, random)
  if (decision.retry) return { step: 'retry', delayMs: decision.delayMs }
  if (decision.why === 'too-long') return { step: 'rate-limited', retryAfterMs: decision.retryAfterMs ?? 0 }
  if (decision.why === 'attempts') return { step: 'exhausted' }
  return { step: 'status' }
}

/** What the client does after a network failure. */
export type FailureStep =
  | { step: 'retry'; delayMs: number }
  /** Retryable, but no retry left (and retries were on): `FK_HTTP_RETRY_EXHAUSTED`. */
  | { step: 'exhausted' }
  /** Not retryable (or retries are off): the network error, named. */
  | { step: 'final' }

/**
 * The client's decision after a network failure with `code`, as a plain function of it.
 *
 * @example
 * ```ts
 * decideFailure({ code: 'ECONNRESET', retryable: false, retriesUsed: 0, attempt: 1, durationMs: 3 }, policy) // final
 * ```
 */
export function decideFailure(
  failure: { code: string; retryable: boolean; retriesUsed: number; attempt: number; durationMs: number },
  policy: RetryPolicy,
  random: () => number = Math.random,
): FailureStep {
  const decision = decideErrorRetry(failure, policy, random)
  if (decision.retry) return { step: 'retry', delayMs: decision.delayMs }
  if (decision.why === 'attempts' && policy.retries > 0) return { step: 'exhausted' }
  return { step: 'final' }
}
