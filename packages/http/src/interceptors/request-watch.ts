import type { AuthRequest, TextRedactor } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import type { AttemptOutcome } from '../options'
import type { RedirectDecision } from '../redirect-policy'
import type { RetryRun } from '../retry-run'

/** Where a {@link RequestWatch} rides on a request's dispatch options. */
export const WATCH = Symbol.for('fieldkit.http.requestWatch')

/**
 * What a caller that composes the interceptors itself (`createHttpClient`) adds to one request, on its dispatch
 * options under {@link WATCH}: the request's own inputs (quota priority, abort signal, deadline, whether auth serves
 * the current hop) and the points where it keeps its books (attempt numbers, log lines, hooks, counters, the secrets
 * it sent). The interceptors read it when it is there and behave exactly as documented when it is not; none of them
 * imports the client.
 *
 * @example
 * ```ts
 * agent.compose(interceptors.retry()).dispatch({ origin, path, method: 'GET', [WATCH]: call }, handler)
 * ```
 */
export interface RequestWatch {
  /** Sends so far, every layer's re-sends counted (the attempt number of the last one). */
  readonly sends: number
  /** performance.now() time after which no retry may start. */
  readonly deadline: number
  /** Whether a retry status with no retry left ends in `FK_HTTP_RETRY_EXHAUSTED` (otherwise the answer is passed). */
  readonly throwsOnExhausted: boolean
  readonly redactor: TextRedactor | undefined
  /** The quota's options for this request's attempts. */
  readonly acquire: { signal?: AbortSignal; priority?: number } | undefined
  /** The caller's signal, given to the auth strategy. */
  readonly signal: AbortSignal | undefined
  /**
   * Why the caller ended the request (its abort, the total timeout, `close()`, a hook that threw), once it has: what
   * fails after that says nothing about the service — no retry, no breaker outcome.
   */
  readonly stopped: Error | undefined
  /** The current hop's retries (set by `retry`, read by `breaker` for the attempts in its refusal). */
  run: RetryRun | undefined
  /** Whether the auth strategy serves the current hop (the first, and later hops `redirect.keepAuth` names). */
  authServes(options: Dispatcher.DispatchOptions): boolean
  /** How long the last attempt took from its send to its answer or failure (ms), once known. */
  readonly attemptMs: number | undefined
  /**
   * A step of the caller's own failed (the auth strategy signing or answering a challenge): returns the error the
   * request ends with, after which {@link RequestWatch.stopped} is set.
   */
  stepFailed(error: unknown): Error
  /** The strategy signed `request`, which carried `before` headers and `beforeSearch` query before. */
  signed(before: Readonly<Record<string, string>>, beforeSearch: string, request: AuthRequest): void
  /** The strategy called the last answer a refusal and answers its challenge. */
  refused(): void
  /** The breaker refused an attempt. */
  circuitRefused(): void
  /** A retry goes after `delayMs`: log, count and run the hooks; rejects when the request was stopped meanwhile. */
  beforeRetry(outcome: AttemptOutcome, delayMs: number): Promise<void> | undefined
  /** A `Retry-After` header that is neither seconds nor a date was ignored. */
  malformedRetryAfter(status: number, header: string | string[]): void
  /** A redirect (`status`) is followed as `decision` says (`decision.dropAuth`: auth stays behind). */
  followed(status: number, decision: Extract<RedirectDecision, { follow: true }>): void
}

/** The watch on `options`, when a caller put one there. */
export const watchOf = (options: Dispatcher.DispatchOptions): RequestWatch | undefined =>
  (options as { [WATCH]?: RequestWatch })[WATCH]
