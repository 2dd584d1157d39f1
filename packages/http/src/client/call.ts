import type { AuthRequest } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import type { RequestWatch } from '../interceptors/request-watch'
import type { AttemptOutcome } from '../options'
import { redactUrl } from '../redact'
import type { RedirectDecision } from '../redirect-policy'
import type { RequestOptions } from '../request'
import type { RetryRun } from '../retry-run'
import { SentSecrets } from '../sent-secrets'
import type { ClientContext } from './context'
import type { AttemptLine } from './log'
import { type ClientHop, nextHop } from './target'
import type { Expiring } from './timeouts'

/**
 * One request of the client as it goes through the composed interceptors: its current hop, its attempt numbers and
 * log line, its hooks and counters (the {@link RequestWatch} the interceptors read on its dispatch options), and what
 * outside events act on — the caller's abort, the total deadline, `close()`: {@link Call.stop} ends the request at
 * once and aborts the attempt in flight or the wait between attempts.
 *
 * @example
 * ```ts
 * const call = new Call(context, req, firstHop(req, context.config), performance.now())
 * dispatcher.dispatch({ ...options, [WATCH]: call }, new ClientAnswer(context, call, resolve, reject))
 * ```
 */
export class Call implements RequestWatch, Expiring {
  /** The hop being sent: the first, then each one a redirect leads to. */
  hop: ClientHop
  /** The URLs of the hops so far, for `details.hops`: made on the first redirect (most requests have none). */
  hops: string[] | undefined
  sends = 0
  run: RetryRun | undefined
  /** The path the last attempt was sent with (after signing), for the response and log lines. */
  sentPath: string
  /** The last attempt's outcome (attempt number, path, status or error, duration), until its log line is written. */
  #lastAttempt = 0
  #lastPath = ''
  #lastStatus: number | undefined
  #lastError: string | undefined
  #lastMs: number | undefined
  #lineDue = false
  /** The origin whose egress was checked before the strategy's own connection was used. */
  checkedOrigin: string | undefined
  stopped: Error | undefined
  expire: (() => Error) | undefined
  /** Aborts the attempt in flight or the wait (the controller the outermost interceptor gave the request). */
  controller: Dispatcher.DispatchController | undefined
  /** Ends the request at once with an error (set by its answer handler). */
  onStop: ((reason: Error) => void) | undefined
  /** Aborts a wait for quota. */
  readonly quota: AbortController | undefined
  readonly acquire: { signal?: AbortSignal; priority?: number } | undefined
  readonly signal: AbortSignal | undefined
  readonly deadline: number
  /** Every secret this request sent: no error or log line of it carries one back. */
  readonly secrets = new SentSecrets()
  #onAbort: (() => void) | undefined

  constructor(
    private readonly context: ClientContext,
    private readonly req: RequestOptions,
    hop: ClientHop,
    readonly started: number,
  ) {
    this.hop = hop
    this.sentPath = hop.path
    this.deadline = started + context.config.timeout.total
    this.signal = req.signal
    if (context.limiter !== undefined) {
      this.quota = new AbortController()
      this.acquire = { signal: this.quota.signal, ...(req.priority === undefined ? {} : { priority: req.priority }) }
    }
  }

  /** Whether an answer the client does not accept is an error (`FK_HTTP_STATUS`), as `throwOnStatus` says. */
  get throwsOnStatus(): boolean {
    return this.req.throwOnStatus !== false
  }
  /** Running out of retries on a status is an error exactly when other statuses are. */
  get throwsOnExhausted(): boolean {
    return this.throwsOnStatus
  }
  get redactor() {
    return this.context.redactor
  }

  /** Listens to the caller's signal until {@link Call.detach}. */
  listen(abort: (signal: AbortSignal) => Error): void {
    const signal = this.signal
    if (signal === undefined) return
    this.#onAbort = () => this.stop(abort(signal))
    signal.addEventListener('abort', this.#onAbort, { once: true })
  }

  stop(reason: Error): void {
    if (this.stopped !== undefined) return
    this.stopped = reason
    this.onStop?.(reason)
    this.controller?.abort(reason)
    this.quota?.abort(reason)
  }

  /**
   * A step of the request's own failed — a hook, or the auth strategy signing or answering a challenge: the request
   * ends with `error` as it is (not the service's failure), and the layers that see it afterwards neither retry it nor
   * count it against the service.
   */
  stepFailed(error: unknown): Error {
    this.stop(error as Error)
    return this.stopped as Error
  }

  /**
   * The request is over: stops listening to the caller's signal and lets go of the attempt's controller and the
   * answer handler. (A Call that lived long enough to be moved to the old generation would otherwise keep the last
   * attempt's whole object graph alive through every young-generation collection until the next full one: measured,
   * that tripled the memory promoted and cost about a third of the client's CPU.)
   */
  detach(): void {
    if (this.#onAbort !== undefined) this.signal?.removeEventListener('abort', this.#onAbort)
    this.controller = undefined
    this.onStop = undefined
  }

  /** How long the last attempt took on the wire (ms), for the retry layer's records. */
  get attemptMs(): number | undefined {
    return this.#lastMs
  }

  /** Notes how the attempt sent at `t0` ended, for its log line. */
  attempted(t0: number, status: number | undefined, error: string | undefined): void {
    this.#lastMs = performance.now() - t0
    this.#lastAttempt = this.sends
    this.#lastPath = this.sentPath
    this.#lastStatus = status
    this.#lastError = error
    this.#lineDue = true
  }

  /** Writes the last attempt's line (once), with the wait before its retry. */
  logLine(level: 'debug' | 'warn', delayMs?: number): void {
    if (!this.#lineDue) return
    this.#lineDue = false
    const log = this.context.log
    if (!log.enabled(level)) return
    const line: AttemptLine = {
      method: this.hop.method,
      origin: this.hop.origin,
      path: this.secrets.scrub(this.#lastPath),
      attempt: this.#lastAttempt,
      durationMs: this.#lastMs ?? 0,
      status: this.#lastStatus,
      error: this.#lastError,
      delayMs,
    }
    log.attempt(level, line)
  }

  authServes(): boolean {
    return this.hop.useAuth
  }

  signed(before: Readonly<Record<string, string>>, beforeSearch: string, request: AuthRequest): void {
    this.secrets.noteAuth(before, beforeSearch, request)
  }

  refused(): void {
    this.logLine('warn')
  }

  circuitRefused(): void {
    this.context.counters.circuitRejections += 1
  }

  beforeRetry(outcome: AttemptOutcome, delayMs: number): Promise<void> | undefined {
    this.logLine('warn', delayMs)
    this.context.counters.retries += 1
    const hooks = this.context.config.hooks.beforeRetry
    if (hooks.length === 0) return undefined
    return this.#runRetryHooks(hooks, outcome, delayMs)
  }

  async #runRetryHooks(
    hooks: ClientContext['config']['hooks']['beforeRetry'],
    outcome: AttemptOutcome,
    delayMs: number,
  ): Promise<void> {
    const { method, origin } = this.hop
    try {
      for (const hook of hooks) {
        await hook({
          method,
          url: `${origin}${this.sentPath}`,
          attempt: outcome.attempt,
          delayMs,
          ...(outcome.status === undefined ? {} : { status: outcome.status }),
          ...(outcome.error === undefined ? {} : { error: outcome.error }),
        })
      }
    } catch (error) {
      throw this.stepFailed(error)
    }
    if (this.stopped !== undefined) throw this.stopped
  }

  malformedRetryAfter(status: number, header: string | string[]): void {
    const { method, origin } = this.hop
    this.context.log.logger.debug(
      { method, origin, status, retryAfter: String(header).slice(0, 64) },
      'ignoring a malformed Retry-After header',
    )
  }

  followed(status: number, decision: Extract<RedirectDecision, { follow: true }>): void {
    this.logLine('debug')
    this.hops ??= [`${this.hop.origin}${this.hop.path}`]
    this.hop = nextHop(this.hop, decision, this.context.config)
    this.hops.push(`${this.hop.origin}${this.hop.path}`)
    this.sentPath = this.hop.path
    const log = this.context.log
    if (log.enabled('debug'))
      log.logger.debug(
        { method: this.hop.method, origin: this.hop.origin, path: redactUrl(this.hop.path), status },
        'http redirect followed',
      )
  }
}
