import type { TextRedactor } from '@fieldkit/core'
import { RetryBudget } from './breaker'
import type { HttpError } from './errors'
import { exhausted, type FailureSubject, rateLimited } from './failures'
import type { AttemptOutcome } from './options'
import type { RetryPolicy } from './retry-policy'

/** Why a retry that the policy allows does not go: the retry budget is spent, or the wait would pass the deadline. */
export type RetryRefusal = 'budget' | 'deadline'

/**
 * What every request through one client or one `interceptors.retry` shares: the resolved retry policy and the retry
 * budget that bounds all their retries together.
 *
 * @example
 * ```ts
 * const rules = new RetryRules(resolveOptions({ retry: { retries: 3 } }).retry)
 * rules.request(performance.now()) // count a request into the budget's window
 * ```
 */
export class RetryRules {
  readonly budget: RetryBudget | undefined
  constructor(readonly policy: RetryPolicy) {
    this.budget = policy.budget === undefined ? undefined : new RetryBudget(policy.budget)
  }

  /** Counts a request started at `now` into the budget's window (the budget allows a ratio of the requests). */
  request(now: number): void {
    this.budget?.request(now)
  }
}

/**
 * The retries of one request (of one hop, in the client), as the client and `interceptors.retry` both keep them: how
 * many were used, what each attempt ended with, whether the next may go (budget, deadline), and the errors that end
 * the request when retries run out or the service asks for too long a pause — one wording for both. The decisions
 * themselves are `decideStatusRetry` and `decideErrorRetry` (`retry-policy.ts`).
 *
 * @example
 * ```ts
 * const run = new RetryRun(rules, true)
 * run.record({ attempt: 1, status: 503, durationMs: 12 })
 * if (run.take(performance.now(), 200) === undefined) … // wait 200 ms, send again
 * else throw run.exhausted(subject, { reason: 'budget', status: 503 })
 * ```
 */
export class RetryRun {
  /** Retries taken so far. */
  retriesUsed = 0
  #outcomes: AttemptOutcome[] | undefined

  constructor(
    readonly rules: RetryRules,
    /** Whether the request may be sent again at all (idempotent, keyed, a body that can be replayed). */
    readonly retryable: boolean,
    /** When the first attempt started (performance.now()), for the message's "over 1.2 s". */
    readonly first: number = performance.now(),
  ) {}

  get policy(): RetryPolicy {
    return this.rules.policy
  }

  /** The attempts recorded so far (retry statuses and network failures), oldest first. */
  get outcomes(): AttemptOutcome[] {
    return this.#outcomes ?? []
  }

  /** Records the outcome of an attempt that the retry policy looked at. */
  record(outcome: AttemptOutcome): AttemptOutcome[] {
    this.#outcomes = [...(this.#outcomes ?? []), outcome]
    return this.#outcomes
  }

  /**
   * Takes the retry the policy allowed, to go after `delayMs`: refused when the wait would reach `deadline` (a
   * performance.now() time) or the budget is spent; otherwise counted. The last outcome records the wait.
   */
  take(now: number, delayMs: number, deadline = Number.POSITIVE_INFINITY): RetryRefusal | undefined {
    const last = this.#outcomes?.[this.#outcomes.length - 1]
    if (last !== undefined) last.delayMs = Math.round(delayMs)
    if (now + delayMs >= deadline) return 'deadline'
    const budget = this.rules.budget
    if (budget !== undefined && !budget.tryRetry(now)) return 'budget'
    this.retriesUsed += 1
    return undefined
  }

  /** `FK_HTTP_RETRY_EXHAUSTED` after the recorded attempts, saying why the next one did not go. */
  exhausted(
    subject: FailureSubject,
    how: {
      reason: 'attempts' | RetryRefusal
      status?: number | undefined
      cause?: unknown
      body?: Buffer | undefined
      redactor?: TextRedactor | undefined
    },
  ): HttpError {
    return exhausted(subject, this.outcomes, {
      first: this.first,
      reason: how.reason,
      status: how.status,
      cause: how.cause,
      body: how.body,
      redactor: how.redactor,
    })
  }

  /** `FK_HTTP_RATE_LIMITED`: the service asked for a pause longer than `retry.maxRetryAfterMs`. */
  rateLimited(subject: FailureSubject, status: number, retryAfterMs: number): HttpError {
    return rateLimited(subject, status, retryAfterMs, this.outcomes, this.policy.maxRetryAfterMs)
  }
}
