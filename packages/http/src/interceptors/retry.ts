import { randomUUID } from 'node:crypto'
import type { Dispatcher } from 'undici'
import { RetryBudget } from '../breaker'
import { HttpError } from '../errors'
import { type RetryOptions, resolveOptions } from '../options'
import { redactUrl } from '../redact'
import { decideErrorRetry, decideStatusRetry, errorCode, type RetryPolicy, retryableRequest } from '../retry-policy'
import { placed } from './order'
import { type AnswerDecision, headerOf, headersObject, ResendingHandler, replayable } from './resending-handler'

/** Options of `interceptors.retry`: the client's `retry` option, plus the idempotency key for POSTs that have none. */
export interface RetryInterceptorOptions extends RetryOptions {
  /** Add a generated `Idempotency-Key` to every POST and PATCH that has none, making it retryable. Default false. */
  idempotencyKeys?: boolean
}

/** State shared by every request through one retry interceptor. */
class RetryState {
  readonly policy: RetryPolicy
  readonly budget: RetryBudget | undefined
  readonly keys: boolean
  constructor(options: RetryInterceptorOptions) {
    const { idempotencyKeys, ...retry } = options
    this.policy = resolveOptions({ retry }).retry
    this.budget = this.policy.budget === undefined ? undefined : new RetryBudget(this.policy.budget)
    this.keys = idempotencyKeys === true
  }
}

class RetryHandler extends ResendingHandler {
  #retriesUsed = 0
  readonly #retryable: boolean
  readonly #replayable: boolean
  readonly #started = performance.now()

  constructor(
    private readonly state: RetryState,
    dispatch: (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => boolean,
    private readonly options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ) {
    super(dispatch, handler)
    const method = (options.method ?? 'GET').toUpperCase()
    this.#retryable = retryableRequest(method, headerOf(options.headers, 'idempotency-key') !== undefined, state.policy)
    this.#replayable = replayable(options.body)
    state.budget?.request(performance.now())
  }

  protected onAnswer(status: number, headers: Record<string, string | string[] | undefined>): AnswerDecision {
    const decision = decideStatusRetry(
      {
        status,
        retryAfter: headers['retry-after'],
        retryable: this.#retryable && this.#replayable,
        retriesUsed: this.#retriesUsed,
      },
      this.state.policy,
    )
    if (decision.retry) return this.#again(decision.delayMs)
    if (decision.why !== 'too-long') return undefined
    const retryAfterMs = decision.retryAfterMs ?? 0
    return () =>
      this.fail(
        new HttpError({
          code: 'FK_HTTP_RATE_LIMITED',
          message: `[fieldkit/http] ${this.#describe()} answered ${status} asking to retry after ${(retryAfterMs / 1000).toFixed(1)} s, longer than retry.maxRetryAfterMs (${this.state.policy.maxRetryAfterMs} ms)`,
          hint: 'The service asked for a long pause (quota or maintenance); schedule the work after retryAfterMs, or raise retry.maxRetryAfterMs',
          status,
          method: this.options.method,
          url: this.#url(),
          details: { retryAfterMs },
        }),
      )
  }

  protected override onFailure(error: Error): AnswerDecision {
    const code = errorCode(error)
    const decision = decideErrorRetry(
      { code, retryable: this.#retryable, retriesUsed: this.#retriesUsed },
      this.state.policy,
    )
    if (decision.retry && !this.#replayable) {
      return () =>
        this.fail(
          new HttpError({
            code: 'FK_HTTP_BODY_NOT_REPLAYABLE',
            message: `[fieldkit/http] ${this.#describe()} failed with ${code}, and its body is a stream that cannot be sent again`,
            hint: 'Send the body as a string or a buffer so that it can be retried, or retry the whole operation yourself',
            method: this.options.method,
            url: this.#url(),
            cause: error,
            details: { error: code },
          }),
        )
    }
    if (decision.retry) return this.#again(decision.delayMs)
    if (decision.why !== 'attempts' || this.#retriesUsed === 0) return undefined
    return () =>
      this.fail(
        new HttpError({
          code: 'FK_HTTP_RETRY_EXHAUSTED',
          message: `[fieldkit/http] ${this.#describe()} failed with ${code} after ${this.#retriesUsed + 1} attempts over ${((performance.now() - this.#started) / 1000).toFixed(1)} s`,
          hint: 'The endpoint kept failing; check the service status, or raise retry.retries',
          method: this.options.method,
          url: this.#url(),
          cause: error,
          details: { error: code, attempts: this.#retriesUsed + 1 },
        }),
      )
  }

  #again(delayMs: number): AnswerDecision {
    const budget = this.state.budget
    if (budget !== undefined && !budget.tryRetry(performance.now())) return undefined
    this.#retriesUsed += 1
    return () => this.after(delayMs, () => this.send(this.options))
  }

  #url(): string {
    return redactUrl(`${this.options.origin ?? ''}${this.options.path}`)
  }

  #describe(): string {
    return `${this.options.method} ${this.#url()}`
  }
}

/**
 * Retries as the client does, as an undici interceptor: idempotent methods (and POST/PATCH with an
 * `Idempotency-Key`) on the retry statuses and on network errors, waiting the `Retry-After` (seconds or date) or
 * full-jitter backoff, within a retry budget; a `Retry-After` beyond `maxRetryAfterMs` fails with
 * `FK_HTTP_RATE_LIMITED`. When retries run out on a status, the last answer is passed on as it is (fetch code
 * checks `res.ok`); on a network error, `FK_HTTP_RETRY_EXHAUSTED`. A stream body (fetch's own bodies are streams) is
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
  const state = new RetryState(options)
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
