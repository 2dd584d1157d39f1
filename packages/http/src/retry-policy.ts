import type { ResolvedOptions } from './options'
import { parseRetryAfter } from './retry-after'

/** Network errors worth another attempt for idempotent requests. */
export const RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])
/** Errors raised before a byte of the request could have been sent: safe to retry for any method. */
export const NOT_SENT_ERRORS: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])

/** The resolved retry options. */
export type RetryPolicy = ResolvedOptions['retry']

/**
 * Whether a request may be sent again at all: an idempotent method of `retry.methods`, or a POST/PATCH that carries
 * an `Idempotency-Key`.
 *
 * @example
 * ```ts
 * retryableRequest('POST', false, policy) // false: a keyless POST is never re-sent
 * ```
 */
export function retryableRequest(method: string, keyed: boolean, policy: RetryPolicy): boolean {
  return policy.methods.has(method) || ((method === 'POST' || method === 'PATCH') && keyed)
}

/** What to do after an answer or a failure. */
export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; why: 'final' | 'not-retryable' | 'attempts' | 'too-long'; retryAfterMs?: number }

/**
 * The decision after an answer with `status`, as a plain function of the attempt: retried when the status is one of
 * `retry.statuses`, the request may be re-sent and retries are left; the wait is the `Retry-After` (seconds or date)
 * or full-jitter backoff; a `Retry-After` beyond `maxRetryAfterMs`, however written, is `'too-long'`.
 *
 * @example
 * ```ts
 * decideStatusRetry({ status: 503, retryAfter: '2', retryable: true, retriesUsed: 0 }, policy) // { retry: true, delayMs: 2000 }
 * ```
 */
export function decideStatusRetry(
  attempt: {
    status: number
    retryAfter: string | string[] | undefined
    retryable: boolean
    retriesUsed: number
    /** What `retry.shouldRetry` is shown: the attempt's number and duration (default: retriesUsed + 1, 0 ms). */
    attempt?: number
    durationMs?: number
  },
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (!policy.statuses.has(attempt.status)) return { retry: false, why: 'final' }
  if (!attempt.retryable) return { retry: false, why: 'not-retryable' }
  if (
    policy.shouldRetry !== undefined &&
    !policy.shouldRetry({
      attempt: attempt.attempt ?? attempt.retriesUsed + 1,
      status: attempt.status,
      durationMs: attempt.durationMs ?? 0,
    })
  ) {
    return { retry: false, why: 'not-retryable' }
  }
  const retryAfterMs = parseRetryAfter(attempt.retryAfter)
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs)
    return { retry: false, why: 'too-long', retryAfterMs }
  if (attempt.retriesUsed >= policy.retries) return { retry: false, why: 'attempts' }
  return { retry: true, delayMs: retryAfterMs ?? backoff(attempt.retriesUsed, policy, random) }
}

/**
 * The decision after a network error with `code`: retried when it is a retryable error and the request may be
 * re-sent (or nothing of it was sent), and retries are left.
 *
 * @example
 * ```ts
 * decideErrorRetry({ code: 'ECONNREFUSED', retryable: false, retriesUsed: 0 }, policy) // retried: nothing was sent
 * ```
 */
export function decideErrorRetry(
  attempt: { code: string; retryable: boolean; retriesUsed: number; attempt?: number; durationMs?: number },
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (!RETRYABLE_ERRORS.has(attempt.code)) return { retry: false, why: 'final' }
  if (!attempt.retryable && !NOT_SENT_ERRORS.has(attempt.code)) return { retry: false, why: 'not-retryable' }
  if (
    policy.shouldRetry !== undefined &&
    !policy.shouldRetry({
      attempt: attempt.attempt ?? attempt.retriesUsed + 1,
      error: attempt.code,
      durationMs: attempt.durationMs ?? 0,
    })
  ) {
    return { retry: false, why: 'not-retryable' }
  }
  if (attempt.retriesUsed >= policy.retries) return { retry: false, why: 'attempts' }
  return { retry: true, delayMs: backoff(attempt.retriesUsed, policy, random) }
}

/**
 * Full-jitter exponential backoff: a random wait up to `min(maxDelayMs, minDelayMs × 2^retriesUsed)`.
 *
 * @example
 * ```ts
 * backoff(3, policy, () => 1) // min(maxDelayMs, minDelayMs × 8)
 * ```
 */
export function backoff(retriesUsed: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** retriesUsed)
  return Math.round(random() * ceiling)
}

/**
 * The code of a network error (`ECONNRESET`, `UND_ERR_SOCKET`, …), or its name.
 *
 * @example
 * ```ts
 * errorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' })) // 'ECONNRESET'
 * ```
 */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code
  return typeof code === 'string' ? code : ((error as Error)?.name ?? 'Error')
}
