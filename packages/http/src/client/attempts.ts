import { type AuthRequest, isFieldkitError } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import { AttemptHandler, type RawResponse } from '../attempt'
import { AuthAttempts } from '../auth-attempts'
import type { CircuitBreaker } from '../breaker'
import { Breakers } from '../breakers'
import { HttpError } from '../errors'
import { networkError, statusError } from '../failures'
import type { AttemptOutcome, HookRequest } from '../options'
import type { RequestOptions } from '../request'
import { HttpResponse } from '../response'
import { parseRetryAfter } from '../retry-after'
import { errorCode } from '../retry-policy'
import { RetryRun } from '../retry-run'
import type { Call } from './call'
import type { ClientContext } from './context'
import { round } from './log'
import { decideAnswer, decideFailure } from './outcome'
import type { ClientHop } from './target'

/** One attempt as it is sent: the path and headers after auth and the `beforeRequest` hooks. */
interface Sent {
  path: string
  headers: Record<string, string>
  authRequest: AuthRequest | undefined
  probe: boolean
  release: (() => void) | undefined
  t0: number
}

/** Returned by a step when the loop should send again. */
const AGAIN = Symbol('again')

/**
 * The attempts of one hop: breaker admission, quota, auth and hooks, the dispatch, then the decision on the answer or
 * the failure (`decideAnswer`, `decideFailure`) and its bookkeeping — counters, breaker, limiter, log lines, waits.
 *
 * @example
 * ```ts
 * const response = await new HopAttempts(context, call, req, hop).run()
 * ```
 */
export class HopAttempts {
  /** The hop's signing and challenges: the same `AuthAttempts` as `interceptors.auth` runs. */
  readonly #auth: AuthAttempts | undefined
  readonly #dispatcher: Dispatcher
  readonly #breaker: CircuitBreaker | undefined
  /** The retries of this hop: the same `RetryRun` as `interceptors.retry` keeps, with the same errors. */
  readonly #run: RetryRun
  #sends = 0

  constructor(
    private readonly context: ClientContext,
    private readonly call: Call,
    private readonly req: RequestOptions,
    private readonly hop: ClientHop,
  ) {
    // A hop to another origin that redirect.keepAuth does not name goes without the strategy and its connection.
    this.#auth = hop.useAuth && context.strategy !== undefined ? new AuthAttempts(context.strategy) : undefined
    this.#dispatcher = hop.useAuth ? (context.authDispatcher ?? context.agent) : context.agent
    this.#breaker = context.breakers?.for(hop.origin)
    this.#run = new RetryRun(context.retry, hop.retryable)
  }

  async run(): Promise<HttpResponse> {
    const { context } = this
    if (this.#auth !== undefined && context.authDispatcher !== undefined && context.residency !== undefined)
      await this.#checkEgress()
    for (;;) {
      this.#sends += 1
      const probe = this.#admit()
      // Awaited only when there is something to wait for: each await costs a turn of the event loop per attempt.
      const release = context.limiter === undefined ? undefined : await this.#acquire(probe)
      const sent = this.#signs ? await this.#prepare(probe, release) : this.#plain(probe, release)
      context.counters.attempts += 1
      let raw: RawResponse
      try {
        raw = await this.#send(sent)
      } catch (error) {
        await this.#onFailure(error, sent)
        continue
      }
      const t1 = this.#observe(raw, sent)
      if (context.hasHooks) await this.#afterResponse(raw, sent, t1)
      if (raw.status >= 200 && raw.status < 300) return this.#accept(raw, sent, t1)
      const result = await this.#onAnswer(raw, sent, t1)
      if (result !== AGAIN) return result
    }
  }

  /** Whether an attempt needs the asynchronous preparation: an auth strategy or `beforeRequest` hooks. */
  get #signs(): boolean {
    return this.#auth !== undefined || this.context.config.hooks.beforeRequest.length > 0
  }

  /** An attempt without auth or hooks: sent as the hop is. */
  #plain(probe: boolean, release: (() => void) | undefined): Sent {
    const { call, hop } = this
    call.secrets.noteSent(hop.headers)
    if (call.stopped !== undefined) {
      release?.()
      if (probe && this.#breaker !== undefined) Breakers.failed(this.#breaker, false, true)
      throw call.stopped
    }
    return { path: hop.path, headers: hop.headers, authRequest: undefined, probe, release, t0: 0 }
  }

  /** The breaker's admission: throws `FK_HTTP_CIRCUIT_OPEN` while open; true when this attempt is a probe. */
  #admit(): boolean {
    const breakers = this.context.breakers
    if (this.#breaker === undefined || breakers === undefined) return false
    const admitted = breakers.admit(this.#breaker)
    if (typeof admitted !== 'number') return admitted
    this.context.counters.circuitRejections += 1
    throw breakers.refusal(this.hop, this.hop.origin, admitted, this.#run.outcomes)
  }

  /** Waits for quota; the slot is released when the headers arrive. */
  async #acquire(probe: boolean): Promise<(() => void) | undefined> {
    const limiter = this.context.limiter
    if (limiter === undefined) return undefined
    try {
      const acquired = limiter.acquire({
        signal: this.call.controller?.signal as AbortSignal,
        ...(this.req.priority === undefined ? {} : { priority: this.req.priority }),
      })
      return typeof acquired === 'function' ? acquired : await acquired
    } catch (error) {
      if (probe && this.#breaker !== undefined) Breakers.failed(this.#breaker, false, true)
      throw this.call.stopped ?? error
    }
  }

  /** Signs the attempt (auth is applied on every attempt) and runs the `beforeRequest` hooks. */
  async #prepare(probe: boolean, release: (() => void) | undefined): Promise<Sent> {
    const { call, hop } = this
    const { method, origin, path, headers, body } = hop
    const sent: Sent = { path, headers, authRequest: undefined, probe, release, t0: 0 }
    try {
      if (this.#auth !== undefined) {
        const target = new URL(`${origin}${path}`)
        const search = target.search
        const authRequest: AuthRequest = {
          method,
          url: target,
          headers: { ...headers },
          ...(body === undefined ? {} : { body }),
        }
        if (this.req.signal !== undefined) authRequest.signal = this.req.signal
        await this.#auth.sign(authRequest)
        call.secrets.noteAuth(headers, search, authRequest)
        sent.authRequest = authRequest
        sent.path = `${authRequest.url.pathname}${authRequest.url.search}`
        sent.headers = authRequest.headers
      }
      const hooks = this.context.config.hooks.beforeRequest
      if (hooks.length > 0) {
        const hookRequest: HookRequest = {
          method,
          url: `${origin}${sent.path}`,
          headers: sent.headers === headers ? { ...headers } : sent.headers,
          attempt: this.#sends,
        }
        for (const hook of hooks) await hook(hookRequest)
        sent.headers = hookRequest.headers
      }
      call.secrets.noteSent(sent.headers)
      if (call.stopped !== undefined) throw call.stopped
    } catch (error) {
      release?.()
      if (probe && this.#breaker !== undefined) Breakers.failed(this.#breaker, false, true)
      throw error
    }
    return sent
  }

  /** One dispatch, its body read in full (or refused above `maxResponseBytes`). */
  #send(sent: Sent): Promise<RawResponse> {
    const { config } = this.context
    const { method, body } = this.hop
    sent.t0 = performance.now()
    return new Promise<RawResponse>((resolve, reject) => {
      const handler = new AttemptHandler(
        resolve,
        reject,
        config.maxResponseBytes,
        () => `${method} ${this.hop.url()}`,
        sent.release,
      )
      this.call.current = handler
      this.#dispatcher.dispatch(
        {
          origin: this.hop.origin,
          path: sent.path,
          method: method as Dispatcher.HttpMethod,
          headers: sent.headers,
          body: body ?? null,
          headersTimeout: config.timeout.headers,
          bodyTimeout: config.timeout.bodyIdle,
        },
        handler,
      )
    })
  }

  /** A network failure: recorded, then retried after a wait, or thrown as the error that names it. */
  async #onFailure(error: unknown, sent: Sent): Promise<void> {
    const { call, hop, context } = this
    call.current = undefined
    const t1 = performance.now()
    const code = errorCode(error)
    const fieldkit = isFieldkitError(error)
    // The caller's abort and our own refusals (residency, size) say nothing about the service's health.
    if (this.#breaker !== undefined)
      Breakers.failed(this.#breaker, call.stopped === undefined && !fieldkit, sent.probe, t1)
    if (call.stopped !== undefined) throw call.stopped
    const line = this.#line(sent, t1)
    if (fieldkit) {
      context.log.attempt('warn', { ...line, error: code })
      throw error
    }
    const outcome: AttemptOutcome = { attempt: this.#sends, error: code, durationMs: round(t1 - sent.t0) }
    const outcomes = this.#run.record(outcome)
    const step = decideFailure(
      {
        code,
        retryable: hop.retryable,
        retriesUsed: this.#run.retriesUsed,
        attempt: this.#sends,
        durationMs: outcome.durationMs,
      },
      context.config.retry,
    )
    if (step.step === 'retry') {
      const refused = await this.#beforeRetry(outcome, sent, step.delayMs, undefined, t1)
      if (refused !== undefined) throw this.#exhausted(refused, undefined, error)
      return
    }
    context.log.attempt('warn', { ...line, error: code })
    if (step.step === 'exhausted') throw this.#exhausted('attempts', undefined, error)
    throw networkError(hop, { code, cause: error, retryable: hop.retryable, outcomes }, context.config)
  }

  /** An answer: recorded, then returned, answered again (challenge, retry) or thrown as the error that names it. */
  async #onAnswer(raw: RawResponse, sent: Sent, t1: number): Promise<HttpResponse | typeof AGAIN> {
    const status = raw.status
    const auth = this.#auth
    const refused =
      auth !== undefined && sent.authRequest !== undefined && auth.refuses({ status, headers: raw.headers })
    const step = decideAnswer(
      {
        status,
        retryAfter: raw.headers['retry-after'],
        location: raw.headers.location,
        refused,
        followsRedirects: this.context.redirect !== undefined,
        retryable: this.hop.retryable,
        retriesUsed: this.#run.retriesUsed,
        attempt: this.#sends,
        durationMs: round(t1 - sent.t0),
      },
      this.context.config.retry,
    )
    if (step.step === 'success' || step.step === 'redirect') return this.#accept(raw, sent, t1)
    if (step.step === 'refused') return this.#onRefused(raw, sent, t1)
    if (step.step === 'status') {
      this.context.log.attempt('warn', { ...this.#line(sent, t1), status })
      if (this.req.throwOnStatus === false) return this.#response(raw, sent)
      throw statusError(this.hop, raw, this.#sends, this.context.redactor)
    }
    return this.#onRetryStatus(raw, sent, t1, step)
  }

  /** Counts the attempt's answer: the limiter sees every answer, the breaker records it. */
  #observe(raw: RawResponse, sent: Sent): number {
    this.call.current = undefined
    const t1 = performance.now()
    const status = raw.status
    this.context.limiter?.observe(status, raw.headers)
    if (status === 429) this.context.counters.status429 += 1
    if (this.#breaker !== undefined) Breakers.answered(this.#breaker, status, sent.probe, t1)
    return t1
  }

  async #afterResponse(raw: RawResponse, sent: Sent, t1: number): Promise<void> {
    for (const hook of this.context.config.hooks.afterResponse) {
      await hook({
        method: this.hop.method,
        url: `${this.hop.origin}${sent.path}`,
        status: raw.status,
        headers: raw.headers,
        attempt: this.#sends,
        durationMs: t1 - sent.t0,
      })
    }
  }

  /** Answered again while the strategy learns something new (a stale nonce, a new realm), up to a bound. */
  async #onRefused(raw: RawResponse, sent: Sent, t1: number): Promise<typeof AGAIN> {
    const auth = this.#auth as AuthAttempts
    this.context.log.attempt('warn', { ...this.#line(sent, t1), status: raw.status })
    const answer = { status: raw.status, headers: raw.headers }
    if (await auth.answer(answer)) return AGAIN
    // Even with throwOnStatus: false, a refused credential is an error: it needs fixing, not status handling.
    throw auth.refusal(answer, this.hop.method, this.hop.url())
  }

  /** A retry status: too long a pause, a retry after a wait, or retries spent. */
  async #onRetryStatus(
    raw: RawResponse,
    sent: Sent,
    t1: number,
    step: { step: 'rate-limited'; retryAfterMs: number } | { step: 'retry'; delayMs: number } | { step: 'exhausted' },
  ): Promise<HttpResponse | typeof AGAIN> {
    const { status } = raw
    const outcome: AttemptOutcome = { attempt: this.#sends, status, durationMs: round(t1 - sent.t0) }
    this.#run.record(outcome)
    const header = raw.headers['retry-after']
    if (header !== undefined && step.step !== 'rate-limited' && parseRetryAfter(header) === undefined) {
      this.context.log.logger.debug(
        { method: this.hop.method, origin: this.hop.origin, status, retryAfter: String(header).slice(0, 64) },
        'ignoring a malformed Retry-After header',
      )
    }
    if (step.step === 'rate-limited') {
      this.context.log.attempt('warn', { ...this.#line(sent, t1), status })
      throw this.#run.rateLimited(this.hop, status, step.retryAfterMs)
    }
    if (step.step === 'retry') {
      const refused = await this.#beforeRetry(outcome, sent, step.delayMs, status, t1)
      if (refused === undefined) return AGAIN
      if (this.req.throwOnStatus === false) return this.#response(raw, sent)
      throw this.#exhausted(refused, status, undefined, raw.body)
    }
    this.context.log.attempt('warn', { ...this.#line(sent, t1), status })
    if (this.req.throwOnStatus === false) return this.#response(raw, sent)
    throw this.#exhausted('attempts', status, undefined, raw.body)
  }

  /** Logs, checks the deadline and the budget, runs the hooks and waits; returns why not when the retry may not go. */
  async #beforeRetry(
    outcome: AttemptOutcome,
    sent: Sent,
    delay: number,
    status: number | undefined,
    now: number,
  ): Promise<'budget' | 'deadline' | undefined> {
    const { context, call, hop } = this
    context.log.attempt('warn', {
      ...this.#line(sent, now),
      status,
      error: outcome.error,
      durationMs: outcome.durationMs,
      delayMs: delay,
    })
    const refused = this.#run.take(now, delay, call.deadline)
    if (refused !== undefined) return refused
    context.counters.retries += 1
    for (const hook of context.config.hooks.beforeRetry) {
      await hook({
        method: hop.method,
        url: `${hop.origin}${sent.path}`,
        attempt: outcome.attempt,
        delayMs: delay,
        ...(status === undefined ? {} : { status }),
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
      })
    }
    if (delay > 0) await call.wait(delay)
    else if (call.stopped !== undefined) throw call.stopped
    return undefined
  }

  async #checkEgress(): Promise<void> {
    const { guard, dataClass } = this.context.residency as NonNullable<ClientContext['residency']>
    const decision = await guard.check(this.hop.origin, dataClass)
    if (decision.allowed) return
    throw new HttpError({
      code: 'FK_HTTP_EGRESS_DENIED',
      message: `[fieldkit/http] ${this.hop.method} ${this.hop.url()} refused by the residency policy for ${dataClass}: ${decision.reason}`,
      hint: 'The auth strategy brings its own connection (NTLM, client certificates), so the destination was checked by name before connecting (and, where the strategy allows it, each connection again on the address it connects to); change the destination or the policy',
      method: this.hop.method,
      url: this.hop.url(),
      details: { dataClass, reason: decision.reason, region: decision.region ?? null },
    })
  }

  #exhausted(
    reason: 'attempts' | 'budget' | 'deadline',
    status: number | undefined,
    cause?: unknown,
    body?: Buffer,
  ): HttpError {
    return this.#run.exhausted(this.hop, { reason, status, cause, body, redactor: this.context.redactor })
  }

  #line(sent: Sent, t1: number) {
    const { method, origin } = this.hop
    return { method, origin, path: this.call.secrets.scrub(sent.path), attempt: this.#sends, durationMs: t1 - sent.t0 }
  }

  /** A 2xx, or a redirect for the caller's redirect loop: logged at debug, returned. */
  #accept(raw: RawResponse, sent: Sent, t1: number): HttpResponse {
    if (this.context.log.enabled('debug'))
      this.context.log.attempt('debug', { ...this.#line(sent, t1), status: raw.status })
    return this.#response(raw, sent)
  }

  #response(raw: RawResponse, sent: Sent): HttpResponse {
    const { method, origin } = this.hop
    return new HttpResponse(raw, this.#sends, method, origin, sent.path, this.context.redactor, this.call.secrets)
  }
}
