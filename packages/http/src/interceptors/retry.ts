import { randomUUID } from 'node:crypto'
import { expected } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import { HttpError } from '../errors'
import type { FailureSubject } from '../failures'
import { type AttemptOutcome, type RetryOptions, resolveOptions } from '../options'
import { redactUrl } from '../redact'
import { parseRetryAfter } from '../retry-after'
import { decideErrorRetry, decideStatusRetry, errorCode, retryableRequest } from '../retry-policy'
import { type RetryRefusal, RetryRules, RetryRun } from '../retry-run'
import { placed } from './order'
import { type RequestWatch, watchOf } from './request-watch'
import { type AnswerDecision, headerOf, headersObject, ResendingHandler, replayable } from './resending-handler'

/** Options of `interceptors.retry`: the client's `retry` option, plus the idempotency key for POSTs that have none. */
export interface RetryInterceptorOptions extends RetryOptions {
  /** Add a generated `Idempotency-Key` to every POST and PATCH that has none, making it retryable. Default false. */
  idempotencyKeys?: boolean
  /**
   * What a request ends with when its retries run out on a retry status (or the retry budget refuses the next one):
   * `'answer'` (default) passes the last answer on as it is, as fetch code expects (it checks `res.ok`); `'error'`
   * fails it with `FK_HTTP_RETRY_EXHAUSTED` and the attempts in `details`, as `createHttpClient` does. A network
   * failure that outlasts its retries is `FK_HTTP_RETRY_EXHAUSTED` either way.
   */
  onExhausted?: 'answer' | 'error'
}

/** State shared by every request through one retry interceptor: the policy and budget, the key and exhaustion rules. */
export interface RetryState {
  readonly rules: RetryRules
  readonly keys: boolean
  readonly throws: boolean
}

function retryState(options: RetryInterceptorOptions): RetryState {
  const { idempotencyKeys, onExhausted, ...retry } = options
  if (onExhausted !== undefined && onExhausted !== 'answer' && onExhausted !== 'error') {
    throw new HttpError({
      code: 'FK_HTTP_OPTIONS',
      message: `[fieldkit/http] interceptors.retry: ${expected('onExhausted', '"answer" or "error"', onExhausted)}`,
      hint: 'Fix the option named in the message; the README lists the options of each interceptor',
    })
  }
  return {
    rules: new RetryRules(resolveOptions({ retry }).retry),
    keys: idempotencyKeys === true,
    throws: onExhausted === 'error',
  }
}

/** How much of a last answer's body an exhausted error keeps (its excerpt is cut shorter still, and redacted). */
const EXCERPT_BYTES = 2048

class RetryHandler extends ResendingHandler {
  /** This request's retries, made on its first answer or failure that the policy looks at (a success needs none). */
  #run: RetryRun | undefined
  readonly #retryable: boolean
  readonly #replayable: boolean
  readonly #started: number
  #sentAt: number
  /** The start of the last answer's body, kept only when it ends the request with an error. */
  #excerpt: Buffer[] | undefined
  #excerptBytes = 0
  /** What createHttpClient adds to the request (deadline, attempt numbers, hooks, log), when it sent it. */
  readonly #watch: RequestWatch | undefined

  constructor(
    private readonly state: RetryState,
    dispatch: (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => boolean,
    private readonly options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ) {
    super(dispatch, handler)
    const method = (options.method ?? 'GET').toUpperCase()
    const policy = state.rules.policy
    // The key matters only for a method the policy does not retry anyway: GETs skip the header scan.
    const keyed = !policy.methods.has(method) && headerOf(options.headers, 'idempotency-key') !== undefined
    this.#retryable = retryableRequest(method, keyed, policy)
    this.#replayable = replayable(options.body)
    this.#started = performance.now()
    this.#sentAt = this.#started
    this.#watch = watchOf(options)
    // The client counts each request into the budget once, however many hops it takes.
    if (this.#watch === undefined) state.rules.request(this.#started)
    else this.#watch.run = undefined
  }

  get #retries(): RetryRun {
    if (this.#run === undefined) {
      this.#run = new RetryRun(this.state.rules, this.#retryable, this.#started)
      if (this.#watch !== undefined) this.#watch.run = this.#run
    }
    return this.#run
  }

  /** The number of the attempt that just ended: every send counted when the client numbers them. */
  get #attempt(): number {
    return this.#watch?.sends ?? this.#retries.retriesUsed + 1
  }

  protected onAnswer(status: number, headers: Record<string, string | string[] | undefined>): AnswerDecision {
    const policy = this.state.rules.policy
    if (!policy.statuses.has(status)) return undefined // the common case: not a retry status, passed on as it is
    const run = this.#retries
    const decision = decideStatusRetry(
      {
        status,
        retryAfter: headers['retry-after'],
        retryable: run.retryable && this.#replayable,
        retriesUsed: run.retriesUsed,
        attempt: this.#attempt,
        durationMs: this.#duration(),
      },
      run.policy,
    )
    if (!decision.retry && (decision.why === 'final' || decision.why === 'not-retryable')) return undefined
    this.#note({ status })
    const header = headers['retry-after']
    const tooLong = !decision.retry && decision.why === 'too-long'
    if (this.#watch !== undefined && header !== undefined && !tooLong && parseRetryAfter(header) === undefined)
      this.#watch.malformedRetryAfter(status, header)
    if (decision.retry) return this.#again(decision.delayMs, status, undefined)
    if (decision.why === 'too-long') {
      const refusal = run.rateLimited(this.#subject(), status, decision.retryAfterMs ?? 0)
      return () => this.fail(refusal)
    }
    return this.#exhausted('attempts', status, undefined)
  }

  protected override onFailure(error: Error): AnswerDecision {
    if (this.#watch?.stopped !== undefined) return undefined
    const run = this.#retries
    const code = errorCode(error)
    const decision = decideErrorRetry(
      {
        code,
        retryable: run.retryable,
        retriesUsed: run.retriesUsed,
        attempt: this.#attempt,
        durationMs: this.#duration(),
      },
      run.policy,
    )
    if (decision.retry && !this.#replayable) return () => this.fail(this.#notReplayable(code, error))
    if (!decision.retry && (decision.why !== 'attempts' || run.policy.retries === 0)) return undefined
    this.#note({ error: code })
    if (decision.retry) return this.#again(decision.delayMs, undefined, error)
    return () =>
      this.fail(run.exhausted(this.#subject(), { reason: 'attempts', cause: error, redactor: this.#watch?.redactor }))
  }

  /** The attempt's duration: as the client measured it on the wire, or since this layer sent it. */
  #duration(): number {
    const ms = this.#watch?.attemptMs ?? performance.now() - this.#sentAt
    return Math.round(ms * 100) / 100
  }

  /** Records the attempt that just ended (its number and duration) for the policy and the errors. */
  #note(what: { status: number } | { error: string }): void {
    this.#retries.record({ attempt: this.#attempt, ...what, durationMs: this.#duration() })
  }

  /** The retry, after its wait (and the client's hooks); when the budget or deadline refuses it, the exhaustion rule. */
  #again(delayMs: number, status: number | undefined, cause: Error | undefined): AnswerDecision {
    const run = this.#retries
    const refused = run.take(performance.now(), delayMs, this.#watch?.deadline)
    if (refused !== undefined) return this.#exhausted(refused, status, cause)
    const resend = () =>
      this.after(delayMs, () => {
        this.#sentAt = performance.now()
        this.send(this.options)
      })
    const watch = this.#watch
    if (watch === undefined) return resend
    return () => {
      const hooks = watch.beforeRetry(run.outcomes[run.outcomes.length - 1] as AttemptOutcome, delayMs)
      if (hooks === undefined) resend()
      else hooks.then(resend, (error: Error) => this.fail(error))
    }
  }

  /**
   * No retry left: on an answer, passed on (`'answer'`) or failed once its body is in (the error carries a redacted
   * excerpt of it, as the client's does); on a network failure, always failed.
   */
  #exhausted(reason: 'attempts' | RetryRefusal, status: number | undefined, cause: Error | undefined): AnswerDecision {
    const throws = this.#watch === undefined ? this.state.throws : this.#watch.throwsOnExhausted
    if (cause === undefined && !throws) return undefined
    if (cause === undefined) this.#excerpt = []
    return () => {
      const body = this.#excerpt === undefined ? undefined : Buffer.concat(this.#excerpt)
      const redactor = this.#watch?.redactor
      this.fail(this.#retries.exhausted(this.#subject(), { reason, status, cause, body, redactor }))
    }
  }

  protected override onDrained(chunk: Buffer): void {
    const excerpt = this.#excerpt
    if (excerpt === undefined || this.#excerptBytes >= EXCERPT_BYTES) return
    excerpt.push(chunk.subarray(0, EXCERPT_BYTES - this.#excerptBytes))
    this.#excerptBytes += chunk.length
  }

  #notReplayable(code: string, cause: Error): HttpError {
    const { method, url } = this.#subject()
    return new HttpError({
      code: 'FK_HTTP_BODY_NOT_REPLAYABLE',
      message: `[fieldkit/http] ${method} ${url()} failed with ${code}, and its body is a stream that cannot be sent again`,
      hint: 'Send the body as a string or a buffer so that it can be retried, or retry the whole operation yourself',
      method,
      url: url(),
      cause,
      details: { error: code },
    })
  }

  #subject(): FailureSubject {
    const url = redactUrl(`${this.options.origin ?? ''}${this.options.path}`)
    return { method: String(this.options.method), url: () => url }
  }
}

/**
 * Retries as the client does, as an undici interceptor: idempotent methods (and POST/PATCH with an
 * `Idempotency-Key`) on the retry statuses and on network errors, waiting the `Retry-After` (seconds or date) or
 * full-jitter backoff, within a retry budget; a `Retry-After` beyond `maxRetryAfterMs` fails with
 * `FK_HTTP_RATE_LIMITED`. The retries are kept by the same `RetryRun` as the client's and fail with the same errors.
 * When retries run out on a status, the last answer is passed on as it is (fetch code checks `res.ok`), or, with
 * `onExhausted: 'error'`, fails with `FK_HTTP_RETRY_EXHAUSTED` as in the client; on a network error,
 * `FK_HTTP_RETRY_EXHAUSTED`. A stream body (fetch's own bodies are streams) is
 * sent once: a failure that would be retried gives `FK_HTTP_BODY_NOT_REPLAYABLE`. List it outermost of the
 * resilience interceptors (after auth, rate limit and breaker), so that each retry goes through them again.
 *
 * @example
 * ```ts
 * const dispatcher = new Agent().compose(interceptors.breaker(), interceptors.retry({ retries: 3 }))
 * const res = await fetch('https://erp.example/api/orders', { dispatcher })
 * ```
 */
export function retry(options: RetryInterceptorOptions = {}): Dispatcher.DispatcherComposeInterceptor {
  return retrying(retryState(options))
}

/**
 * The retry layer over existing rules (`retry` resolves its options; `createHttpClient` passes the client's rules and
 * budget, and decides per request, through its {@link RequestWatch}, whether running out of retries is an error).
 *
 * @example
 * ```ts
 * const layer = retrying({ rules: new RetryRules(policy), keys: false, throws: true })
 * ```
 */
export function retrying(state: RetryState): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) =>
    placed('retry', function fieldkitRetry(opts, handler) {
      let options = opts
      if (
        state.keys &&
        (opts.method === 'POST' || opts.method === 'PATCH') &&
        headerOf(opts.headers, 'idempotency-key') === undefined
      ) {
        options = { ...opts, headers: { ...headersObject(opts.headers), 'idempotency-key': randomUUID() } }
      }
      return dispatch(options, new RetryHandler(state, dispatch, options, handler))
    })
}
