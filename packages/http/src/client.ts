import { randomUUID } from 'node:crypto'
import { type AuthRequest, abortReason, type ErrorDetail, isFieldkitError, resolveLogger } from '@fieldkit/core'
import { Agent, type buildConnector, type Dispatcher, errors as undiciErrors } from 'undici'
import { AttemptHandler, type RawResponse } from './attempt'
import { authRefused, MAX_CHALLENGES } from './auth-refusal'
import { CircuitBreaker, RetryBudget } from './breaker'
import { HttpError } from './errors'
import {
  type AttemptOutcome,
  type HookRequest,
  type HttpClientOptions,
  type ResolvedOptions,
  resolveOptions,
} from './options'
import { type PagingOptions, paginate } from './paginate'
import { createRateLimiter, type RateLimiter } from './rate-limit'
import { bodyExcerpt, redactUrl } from './redact'
import { decideRedirect, REDIRECT_STATUSES, type RedirectDecision, resolveRedirect } from './redirect-policy'
import type { QueryValue, RequestOptions } from './request'
import { HttpResponse } from './response'
import { parseRetryAfter } from './retry-after'
import { backoff as backoffDelay, errorCode, NOT_SENT_ERRORS, RETRYABLE_ERRORS } from './retry-policy'
import { SentSecrets } from './sent-secrets'
import { type HttpStats, LatencyRing } from './stats'

/**
 * What {@link createHttpClient} returns.
 *
 * @example
 * ```ts
 * const client: HttpClient = createHttpClient({ baseUrl: 'https://erp.example/api' })
 * ```
 */
export interface HttpClient {
  /** Sends a request with retries, breaker, timeouts and auth; resolves with the read response. */
  request(request: RequestOptions | string): Promise<HttpResponse>
  /** Follows pages (Link header, cursor, next URL, offset/limit, page numbers) and yields their items. */
  paginate<T = unknown>(request: RequestOptions | string, paging: PagingOptions<T>): AsyncGenerator<T, void, undefined>
  /** Counters, circuit states and latency percentiles. */
  stats(): HttpStats
  /** Stops every wait, closes the connection pool, the auth strategy and the rate limiter; later calls fail. */
  close(): Promise<void>
}

const TIMEOUT_KINDS: Record<string, string> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'bodyIdle',
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** One hop of a request: the first, or one a redirect led to. */
interface ClientHop {
  method: string
  origin: string
  path: string
  headers: Record<string, string>
  body: string | Uint8Array | undefined
  /** May be sent again after a failure (an idempotent method, or a keyed POST/PATCH). */
  retryable: boolean
  /** The redacted URL, for messages. */
  url: () => string
  /** Whether the auth strategy (and its own dispatcher) serves this hop. */
  useAuth: boolean
}

/** Adds the redirect chain to a Fieldkit error's details (when there was more than one hop). */
function withHops(error: unknown, chain: readonly string[]): unknown {
  if (chain.length < 2 || !isFieldkitError(error) || error.details.hops !== undefined) return error
  ;(error as { details: unknown }).details = Object.freeze({ ...error.details, hops: chain.map(redactUrl) })
  return error
}

/** The per-request state that outside events (caller abort, total deadline, close) act on. */
class Call {
  current: AttemptHandler | undefined
  stopped: Error | undefined
  private waiter: { timer: NodeJS.Timeout; reject: (error: Error) => void } | undefined
  controller: AbortController | undefined
  /** performance.now() time after which the total timeout stops the call. */
  deadline = 0
  expire: (() => Error) | undefined
  started = 0
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  /** Every secret this request sent: no error or log line of it carries one back. */
  readonly secrets = new SentSecrets()

  stop(reason: Error): void {
    if (this.stopped !== undefined) return
    this.stopped = reason
    this.current?.abort(reason)
    if (this.waiter !== undefined) {
      clearTimeout(this.waiter.timer)
      this.waiter.reject(reason)
      this.waiter = undefined
    }
    this.controller?.abort(reason)
  }

  wait(ms: number): Promise<void> {
    if (this.stopped !== undefined) return Promise.reject(this.stopped)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined
        resolve()
      }, ms)
      this.waiter = { timer, reject }
    })
  }
}

/**
 * Creates the resilient client: undici underneath, retries with full-jitter backoff and `Retry-After`, idempotency
 * keys, a retry budget, a circuit breaker per origin, four timeouts, auth re-applied on every attempt, connect-time
 * residency checks, redacted errors and logs.
 *
 * @example
 * ```ts
 * const client = createHttpClient({ baseUrl: 'https://erp.client.example/api', retry: { retries: 3 } })
 * const res = await client.request({ method: 'POST', path: '/orders', json: order, idempotencyKey: true })
 * const created = await res.json(Order)
 * await client.close()
 * ```
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: not yet split into the interceptors it now shares its decisions with (issue 18, open)
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const config: ResolvedOptions = resolveOptions(options)
  const log = resolveLogger(options.logger, 'http')
  const levelCheck = (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.bind(log)
  const logs = (level: 'debug' | 'warn') => (levelCheck === undefined ? true : levelCheck(level))
  const strategy = options.auth
  const redirect = resolveRedirect(options.redirect)
  const redactor = options.redactor
  const residency = options.residency
  const { retry, timeout, hooks } = config
  const limiter: RateLimiter | undefined =
    options.rateLimit === undefined ? undefined : createRateLimiter(options.rateLimit, { logger: log })

  let connect: buildConnector.BuildOptions | buildConnector.connector = { timeout: timeout.connect }
  if (residency !== undefined) {
    connect = withConnectTimeout(
      residency.guard.connector(residency.dataClass) as buildConnector.connector,
      timeout.connect,
    )
  }
  const agent = new Agent({
    connect,
    ...(config.pool.connections !== undefined ? { connections: config.pool.connections } : {}),
    ...(config.pool.keepAliveTimeoutMs !== undefined ? { keepAliveTimeout: config.pool.keepAliveTimeoutMs } : {}),
    ...(config.pool.keepAliveMaxTimeoutMs !== undefined
      ? { keepAliveMaxTimeout: config.pool.keepAliveMaxTimeoutMs }
      : {}),
  })
  const authDispatcher = strategyDispatcher(strategy, residency)

  const breakers = new Map<string, CircuitBreaker>()
  const breakerFor = (origin: string): CircuitBreaker | undefined => {
    if (config.breaker === undefined) return undefined
    let breaker = breakers.get(origin)
    if (breaker === undefined) {
      breaker = new CircuitBreaker(config.breaker)
      breakers.set(origin, breaker)
    }
    return breaker
  }
  const budget = retry.budget === undefined ? undefined : new RetryBudget(retry.budget)
  const latency = new LatencyRing()
  const counters = { requests: 0, attempts: 0, retries: 0, succeeded: 0, failed: 0, status429: 0, circuitRejections: 0 }
  const active = new Set<Call>()
  let closed = false
  // One timer per client, not one per request, enforces timeout.total: it ticks at a tenth of the total (10–500 ms)
  // while requests are active, and stops when none are.
  const tick = Math.min(500, Math.max(10, Math.floor(timeout.total / 10)))
  let sweeper: NodeJS.Timeout | undefined
  const startSweeper = (): NodeJS.Timeout => {
    const timer = setInterval(() => {
      if (active.size === 0) {
        clearInterval(timer)
        sweeper = undefined
        return
      }
      const now = performance.now()
      for (const call of active) if (now >= call.deadline && call.expire !== undefined) call.stop(call.expire())
    }, tick)
    timer.unref()
    return timer
  }
  const hasHooks = hooks.beforeRequest.length > 0 || hooks.afterResponse.length > 0 || hooks.beforeRetry.length > 0

  function resolveTarget(path: string): { origin: string; path: string } {
    if (typeof path !== 'string' || path === '') {
      throw new HttpError({
        code: 'FK_HTTP_INVALID_REQUEST',
        message: `[fieldkit/http] Expected \`path\` to be a non-empty string, got ${typeof path === 'string' ? '""' : typeof path}`,
        hint: 'Pass a path relative to baseUrl (`/orders`) or an absolute http(s) URL',
      })
    }
    if (path.charCodeAt(0) !== 47 /* / */ && /^https?:\/\//i.test(path)) {
      let url: URL
      try {
        url = new URL(path)
      } catch (error) {
        throw new HttpError({
          code: 'FK_HTTP_INVALID_REQUEST',
          message: `[fieldkit/http] Expected an absolute http(s) URL, got ${JSON.stringify(redactUrl(path))}`,
          hint: 'Pass a path relative to baseUrl (`/orders`) or an absolute http(s) URL',
          cause: error,
        })
      }
      return { origin: url.origin, path: `${url.pathname}${url.search}` }
    }
    if (config.baseOrigin === undefined) {
      throw new HttpError({
        code: 'FK_HTTP_INVALID_REQUEST',
        message: `[fieldkit/http] the path ${JSON.stringify(redactUrl(path))} is relative but the client has no baseUrl`,
        hint: 'Give createHttpClient a baseUrl, or pass an absolute http(s) URL',
      })
    }
    return {
      origin: config.baseOrigin,
      path: path.charCodeAt(0) === 47 ? config.basePath + path : `${config.basePath}/${path}`,
    }
  }

  function withQuery(path: string, query: RequestOptions['query']): string {
    if (query === undefined) return path
    let out = ''
    for (const name in query) {
      const value = query[name]
      const values = Array.isArray(value) ? value : [value]
      for (const v of values as QueryValue[]) {
        if (v === undefined || v === null) continue
        out += `${out === '' ? '' : '&'}${encodeURIComponent(name)}=${encodeURIComponent(String(v))}`
      }
    }
    if (out === '') return path
    return `${path}${path.includes('?') ? '&' : '?'}${out}`
  }

  function request(input: RequestOptions | string): Promise<HttpResponse> {
    try {
      return start(input)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** The synchronous part of a request: validate, build, register; then the attempts run. */
  function start(input: RequestOptions | string): Promise<HttpResponse> {
    const req: RequestOptions = typeof input === 'string' ? { path: input } : input
    if (closed) {
      throw new HttpError({
        code: 'FK_HTTP_CLOSED',
        message: '[fieldkit/http] the client was closed; no more requests are sent',
        hint: 'Create a new client, or close it only after the last request',
      })
    }
    const started = performance.now()
    counters.requests += 1
    budget?.request(started)
    const method = req.method === undefined ? 'GET' : req.method.toUpperCase()
    const target = resolveTarget(req.path)
    const origin = target.origin
    const path = withQuery(target.path, req.query)

    let headers = config.headers
    let body: string | Uint8Array | undefined = req.body
    if (req.headers !== undefined || req.json !== undefined || req.idempotencyKey !== undefined) {
      headers = { ...config.headers }
      if (req.headers !== undefined) {
        for (const name in req.headers) {
          const value = req.headers[name]
          if (value === undefined) delete headers[name.toLowerCase()]
          else headers[name.toLowerCase()] = value
        }
      }
      if (req.json !== undefined) {
        body = JSON.stringify(req.json)
        headers['content-type'] ??= 'application/json'
      }
      if (req.idempotencyKey !== undefined) {
        headers['idempotency-key'] = req.idempotencyKey === true ? randomUUID() : String(req.idempotencyKey)
      }
    }
    const keyed = headers['idempotency-key'] !== undefined
    const retryable = retry.methods.has(method) || ((method === 'POST' || method === 'PATCH') && keyed)

    const call = new Call()
    const signal = req.signal
    if (signal?.aborted) throw abortReason(signal)
    const onAbort = signal === undefined ? undefined : () => call.stop(abortReason(signal))
    if (onAbort !== undefined) signal?.addEventListener('abort', onAbort, { once: true })
    if (limiter !== undefined) call.controller = new AbortController()
    const deadline = started + timeout.total
    const url = () => redactUrl(`${origin}${path}`)
    call.deadline = deadline
    call.expire = () =>
      new HttpError({
        code: 'FK_HTTP_TIMEOUT',
        message: `[fieldkit/http] ${method} ${url()} did not complete within timeout.total (${timeout.total} ms)`,
        hint: 'The endpoint (or its retries and waits) took longer than the total timeout; check the service or raise timeout.total',
        method,
        url: url(),
        details: { kind: 'total', timeoutMs: timeout.total },
      })
    sweeper ??= startSweeper()
    call.started = started
    call.onAbort = onAbort
    call.signal = signal
    active.add(call)
    return run(call, req, { method, origin, path, headers, body, retryable, url, useAuth: true }, deadline)
  }

  /** Sends the request and follows its redirects, each hop with its own retries, breaker and quota. */
  async function run(call: Call, req: RequestOptions, first: ClientHop, deadline: number): Promise<HttpResponse> {
    let failed = false
    const chain = [`${first.origin}${first.path}`]
    try {
      let hop = first
      for (;;) {
        const response = await attempts(call, req, hop, deadline)
        if (redirect === undefined || !REDIRECT_STATUSES.has(response.status)) return response
        const decision = decideRedirect(
          {
            method: hop.method,
            url: `${hop.origin}${hop.path}`,
            headers: hop.headers,
            body: hop.body === undefined ? undefined : 'replayable',
          },
          response.status,
          response.headers.location,
          chain,
          redirect,
        )
        if (!decision.follow) return response
        hop = nextHop(hop, decision)
        chain.push(`${hop.origin}${hop.path}`)
        if (logs('debug'))
          log.debug(
            { method: hop.method, origin: hop.origin, path: redactUrl(hop.path), status: response.status },
            'http redirect followed',
          )
      }
    } catch (error) {
      failed = true
      counters.failed += 1
      throw withHops(call.secrets.scrubError(error), chain)
    } finally {
      if (!failed) counters.succeeded += 1
      if (call.onAbort !== undefined) call.signal?.removeEventListener('abort', call.onAbort)
      active.delete(call)
      latency.add(performance.now() - call.started)
    }
  }

  function nextHop(hop: ClientHop, decision: Extract<RedirectDecision, { follow: true }>): ClientHop {
    const url = new URL(decision.next.url)
    const path = `${url.pathname}${url.search}`
    const headers = decision.next.headers
    const method = decision.next.method
    const keyed = headers['idempotency-key'] !== undefined
    return {
      method,
      origin: url.origin,
      path,
      headers,
      body: decision.dropBody || decision.next.body === undefined ? undefined : hop.body,
      retryable: retry.methods.has(method) || ((method === 'POST' || method === 'PATCH') && keyed),
      url: () => redactUrl(`${url.origin}${path}`),
      useAuth: hop.useAuth && !decision.dropAuth,
    }
  }

  async function checkEgress(origin: string, method: string, url: () => string): Promise<void> {
    if (residency === undefined) return
    const decision = await residency.guard.check(origin, residency.dataClass)
    if (decision.allowed) return
    throw new HttpError({
      code: 'FK_HTTP_EGRESS_DENIED',
      message: `[fieldkit/http] ${method} ${url()} refused by the residency policy for ${residency.dataClass}: ${decision.reason}`,
      hint: 'The auth strategy brings its own connection (NTLM, client certificates), so the destination was checked by name before connecting (and, where the strategy allows it, each connection again on the address it connects to); change the destination or the policy',
      method,
      url: url(),
      details: { dataClass: residency.dataClass, reason: decision.reason, region: decision.region ?? null },
    })
  }

  // biome-ignore lint/complexity/noExcessiveLinesPerFunction: not yet split into the interceptors it now shares its decisions with (issue 18, open)
  async function attempts(call: Call, req: RequestOptions, hop: ClientHop, deadline: number): Promise<HttpResponse> {
    const { method, origin, path, headers, body, retryable, url } = hop
    // A hop to another origin that redirect.keepAuth does not name goes without the strategy and its connection.
    const auth = hop.useAuth ? strategy : undefined
    const dispatcher: Dispatcher = hop.useAuth ? (authDispatcher ?? agent) : agent
    {
      if (auth !== undefined && authDispatcher !== undefined && residency !== undefined)
        await checkEgress(origin, method, url)
      const breaker = breakerFor(origin)
      let sends = 0
      let retriesUsed = 0
      let challenges = 0
      let outcomes: AttemptOutcome[] | undefined
      const first = performance.now()

      for (;;) {
        sends += 1
        let probe = false
        if (breaker !== undefined) {
          const admitted = breaker.admit(performance.now())
          if (typeof admitted === 'number') {
            counters.circuitRejections += 1
            throw new HttpError({
              code: 'FK_HTTP_CIRCUIT_OPEN',
              message: `[fieldkit/http] ${method} ${url()} not sent: the circuit for ${origin} is open after repeated failures; next probe in ${seconds(admitted)}`,
              hint: 'The service has been failing; wait for the next probe (retryInMs) or check the service status',
              method,
              url: url(),
              details: {
                origin,
                retryInMs: Math.ceil(admitted),
                attempts: (outcomes ?? []) as unknown as ErrorDetail[],
              },
            })
          }
          probe = admitted.probe
        }

        let release: (() => void) | undefined
        if (limiter !== undefined) {
          try {
            const acquired = limiter.acquire({
              signal: call.controller?.signal as AbortSignal,
              ...(req.priority === undefined ? {} : { priority: req.priority }),
            })
            release = typeof acquired === 'function' ? acquired : await acquired
          } catch (error) {
            if (probe) breaker?.record(performance.now(), false, true)
            throw call.stopped ?? error
          }
        }

        let sendPath = path
        let sendHeaders = headers
        let authRequest: AuthRequest | undefined
        try {
          if (auth !== undefined) {
            const target = new URL(`${origin}${path}`)
            const search = target.search
            authRequest = { method, url: target, headers: { ...headers }, ...(body === undefined ? {} : { body }) }
            if (req.signal !== undefined) authRequest.signal = req.signal
            await auth.apply(authRequest)
            call.secrets.noteAuth(headers, search, authRequest)
            sendPath = `${authRequest.url.pathname}${authRequest.url.search}`
            sendHeaders = authRequest.headers
          }
          if (hooks.beforeRequest.length > 0) {
            const hookRequest: HookRequest = {
              method,
              url: `${origin}${sendPath}`,
              headers: sendHeaders === headers ? { ...headers } : sendHeaders,
              attempt: sends,
            }
            for (const hook of hooks.beforeRequest) await hook(hookRequest)
            sendHeaders = hookRequest.headers
          }
          call.secrets.noteSent(sendHeaders)
          if (call.stopped !== undefined) throw call.stopped
        } catch (error) {
          release?.()
          if (probe) breaker?.record(performance.now(), false, true)
          throw error
        }

        const t0 = performance.now()
        counters.attempts += 1
        let raw: RawResponse
        try {
          raw = await new Promise<RawResponse>((resolve, reject) => {
            const handler = new AttemptHandler(
              resolve,
              reject,
              config.maxResponseBytes,
              () => `${method} ${url()}`,
              release,
            )
            call.current = handler
            dispatcher.dispatch(
              {
                origin,
                path: sendPath,
                method: method as Dispatcher.HttpMethod,
                headers: sendHeaders,
                body: body ?? null,
                headersTimeout: timeout.headers,
                bodyTimeout: timeout.bodyIdle,
              },
              handler,
            )
          })
        } catch (error) {
          call.current = undefined
          const t1 = performance.now()
          const code = errorCode(error)
          const fieldkit = isFieldkitError(error)
          if (breaker !== undefined) {
            // The caller's abort and our own refusals (residency, size) say nothing about the service's health.
            const failed = call.stopped === undefined && !fieldkit
            if (failed || probe) breaker.record(t1, failed, probe)
          }
          if (call.stopped !== undefined) throw call.stopped
          if (fieldkit) {
            logAttempt('warn', method, origin, call.secrets.scrub(sendPath), undefined, code, sends, t1 - t0)
            throw error
          }
          const outcome: AttemptOutcome = { attempt: sends, error: code, durationMs: round(t1 - t0) }
          outcomes = [...(outcomes ?? []), outcome]
          const canRetry =
            RETRYABLE_ERRORS.has(code) &&
            (retryable || NOT_SENT_ERRORS.has(code)) &&
            (retry.shouldRetry === undefined || retry.shouldRetry(outcome))
          if (canRetry && retriesUsed < retry.retries) {
            const refused = await beforeRetry(
              call,
              method,
              origin,
              sendPath,
              outcome,
              backoff(retriesUsed),
              deadline,
              undefined,
              t1,
            )
            if (refused !== undefined) throw exhausted(method, url, outcomes, first, refused, undefined, error)
            retriesUsed += 1
            continue
          }
          logAttempt('warn', method, origin, call.secrets.scrub(sendPath), undefined, code, sends, t1 - t0)
          if (canRetry && retry.retries > 0) throw exhausted(method, url, outcomes, first, 'attempts', undefined, error)
          throw networkError(method, url, code, error, retryable, outcomes)
        }
        call.current = undefined
        const t1 = performance.now()
        const status = raw.status
        limiter?.observe(status, raw.headers)
        if (status === 429) counters.status429 += 1
        if (breaker !== undefined && (status >= 500 || probe)) breaker.record(t1, status >= 500, probe)
        else if (breaker !== undefined) breaker.record(t1, false, false)
        if (hasHooks && hooks.afterResponse.length > 0) {
          for (const hook of hooks.afterResponse) {
            await hook({
              method,
              url: `${origin}${sendPath}`,
              status,
              headers: raw.headers,
              attempt: sends,
              durationMs: t1 - t0,
            })
          }
        }

        if (status >= 200 && status < 300) {
          if (logs('debug'))
            logAttempt('debug', method, origin, call.secrets.scrub(sendPath), status, undefined, sends, t1 - t0)
          return new HttpResponse(raw, sends, method, origin, sendPath, redactor, call.secrets)
        }
        const response = () => new HttpResponse(raw, sends, method, origin, sendPath, redactor, call.secrets)

        const refused =
          auth !== undefined &&
          (status === 401 || status === 407 || auth.isRefused?.({ status, headers: raw.headers }) === true)
        if (refused && authRequest !== undefined) {
          logAttempt('warn', method, origin, call.secrets.scrub(sendPath), status, undefined, sends, t1 - t0)
          const answer = { status, headers: raw.headers }
          // Answered again while the strategy learns something new (a stale nonce, a new realm), up to a bound.
          if (
            challenges < MAX_CHALLENGES &&
            auth.challenge !== undefined &&
            (await auth.challenge(answer, authRequest))
          ) {
            challenges += 1
            continue
          }
          // Even with throwOnStatus: false, a refused credential is an error: it needs fixing, not status handling.
          throw authRefused(auth, answer, { method, url: url(), challenges })
        }

        if (redirect !== undefined && REDIRECT_STATUSES.has(status) && typeof raw.headers.location === 'string') {
          if (logs('debug'))
            logAttempt('debug', method, origin, call.secrets.scrub(sendPath), status, undefined, sends, t1 - t0)
          return response()
        }

        const outcome: AttemptOutcome = { attempt: sends, status, durationMs: round(t1 - t0) }
        if (
          retry.statuses.has(status) &&
          retryable &&
          (retry.shouldRetry === undefined || retry.shouldRetry(outcome))
        ) {
          outcomes = [...(outcomes ?? []), outcome]
          const retryAfterHeader = raw.headers['retry-after']
          const retryAfter = parseRetryAfter(retryAfterHeader)
          if (retryAfterHeader !== undefined && retryAfter === undefined) {
            log.debug(
              { method, origin, status, retryAfter: String(retryAfterHeader).slice(0, 64) },
              'ignoring a malformed Retry-After header',
            )
          }
          if (retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs) {
            logAttempt('warn', method, origin, call.secrets.scrub(sendPath), status, undefined, sends, t1 - t0)
            throw new HttpError({
              code: 'FK_HTTP_RATE_LIMITED',
              message: `[fieldkit/http] ${method} ${url()} answered ${status} asking to retry after ${seconds(retryAfter)}, longer than retry.maxRetryAfterMs (${retry.maxRetryAfterMs} ms)`,
              hint: 'The service asked for a long pause (quota or maintenance); schedule the work after retryAfterMs, or raise retry.maxRetryAfterMs',
              status,
              method,
              url: url(),
              details: {
                retryAfterMs: retryAfter,
                retryAt: retryAt(retryAfter),
                attempts: outcomes as unknown as ErrorDetail[],
              },
            })
          }
          if (retriesUsed < retry.retries) {
            const delay = retryAfter ?? backoff(retriesUsed)
            const refused = await beforeRetry(call, method, origin, sendPath, outcome, delay, deadline, status, t1)
            if (refused === undefined) {
              retriesUsed += 1
              continue
            }
            if (req.throwOnStatus === false) return response()
            throw exhausted(method, url, outcomes, first, refused, status, undefined, raw.body)
          }
          logAttempt('warn', method, origin, call.secrets.scrub(sendPath), status, undefined, sends, t1 - t0)
          if (req.throwOnStatus === false) return response()
          throw exhausted(method, url, outcomes, first, 'attempts', status, undefined, raw.body)
        }

        logAttempt('warn', method, origin, call.secrets.scrub(sendPath), status, undefined, sends, t1 - t0)
        if (req.throwOnStatus === false) return response()
        throw new HttpError({
          code: 'FK_HTTP_STATUS',
          message: `[fieldkit/http] ${method} ${url()} answered ${status}${sends > 1 ? ` after ${sends} attempts` : ''}: ${bodyExcerpt(raw.body.toString('utf8'), redactor, 300)}`,
          hint: 'The server refused or failed the request; the status and body excerpt say why (4xx: the request, 5xx: the service)',
          status,
          method,
          url: url(),
          details: {
            bodyExcerpt: bodyExcerpt(raw.body.toString('utf8'), redactor, 512),
            contentType: String(raw.headers['content-type'] ?? ''),
            attempts: sends,
          },
        })
      }
    }
  }

  /** Logs, checks the deadline and the budget, runs the hooks and waits; returns why not when the retry may not go. */
  async function beforeRetry(
    call: Call,
    method: string,
    origin: string,
    path: string,
    outcome: AttemptOutcome,
    delay: number,
    deadline: number,
    status: number | undefined,
    now: number,
  ): Promise<'budget' | 'deadline' | undefined> {
    outcome.delayMs = Math.round(delay)
    logAttempt(
      'warn',
      method,
      origin,
      call.secrets.scrub(path),
      status,
      outcome.error,
      outcome.attempt,
      outcome.durationMs,
      delay,
    )
    if (now + delay >= deadline) return 'deadline'
    if (budget !== undefined && !budget.tryRetry(now)) return 'budget'
    counters.retries += 1
    for (const hook of hooks.beforeRetry) {
      await hook({
        method,
        url: `${origin}${path}`,
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

  const backoff = (retriesUsed: number): number => backoffDelay(retriesUsed, retry)

  function exhausted(
    method: string,
    url: () => string,
    outcomes: AttemptOutcome[],
    first: number,
    reason: 'attempts' | 'budget' | 'deadline',
    status: number | undefined,
    cause?: unknown,
    body?: Buffer,
  ): HttpError {
    const last = outcomes[outcomes.length - 1]
    const what = last?.status !== undefined ? `with ${last.status}` : `with ${last?.error ?? 'an error'}`
    const why =
      reason === 'budget'
        ? '; the retry budget is spent (too many retries across all requests)'
        : reason === 'deadline'
          ? `; the next wait would pass timeout.total`
          : ''
    return new HttpError({
      ...exhaustedWording(last, url()),
      message: `[fieldkit/http] ${method} ${url()} failed ${what} after ${outcomes.length} attempt${outcomes.length === 1 ? '' : 's'} over ${seconds(performance.now() - first)}${why}`,
      cause,
      ...(status === undefined ? {} : { status }),
      method,
      url: url(),
      details: {
        reason,
        attempts: outcomes as unknown as ErrorDetail[],
        ...(body === undefined ? {} : { bodyExcerpt: bodyExcerpt(body.toString('utf8'), redactor, 512) }),
      },
    })
  }

  function networkError(
    method: string,
    url: () => string,
    code: string,
    cause: unknown,
    retryable: boolean,
    outcomes: AttemptOutcome[],
  ): HttpError {
    if (code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_ARG_TYPE') {
      return new HttpError({
        code: 'FK_HTTP_INVALID_REQUEST',
        message: `[fieldkit/http] ${method} ${url()} could not be sent: ${(cause as Error).message}`,
        hint: 'A header name or value, the method or the body is not valid HTTP (a newline in a header value, a stream body); fix the request',
        cause,
        method,
        url: url(),
      })
    }
    const kind = TIMEOUT_KINDS[code]
    const notRetried = !RETRYABLE_ERRORS.has(code)
      ? ''
      : retry.retries === 0
        ? ' (not retried: retries are off)'
        : !retryable
          ? ` (not retried: a ${method} without an idempotency key may already have been processed)`
          : ''
    if (kind !== undefined) {
      const limit = kind === 'connect' ? timeout.connect : kind === 'headers' ? timeout.headers : timeout.bodyIdle
      return new HttpError({
        code: 'FK_HTTP_TIMEOUT',
        message: `[fieldkit/http] ${method} ${url()} timed out (${kind}, ${limit} ms)${notRetried}`,
        hint: 'The service did not answer in time; check it is up and reachable, or raise the timeout named in details.kind',
        cause,
        method,
        url: url(),
        details: { kind, timeoutMs: limit, attempts: outcomes as unknown as ErrorDetail[] },
      })
    }
    return new HttpError({
      ...networkWording(code, url()),
      message: `[fieldkit/http] ${method} ${url()} failed before an answer: ${code}${notRetried}`,
      cause,
      method,
      url: url(),
      details: { error: code, attempts: outcomes as unknown as ErrorDetail[] },
    })
  }

  function logAttempt(
    level: 'debug' | 'warn',
    method: string,
    origin: string,
    path: string,
    status: number | undefined,
    error: string | undefined,
    attempt: number,
    durationMs: number,
    delayMs?: number,
  ): void {
    if (!logs(level)) return
    const line: Record<string, unknown> = {
      method,
      origin,
      path: redactUrl(path),
      attempt,
      durationMs: round(durationMs),
    }
    if (status !== undefined) line.status = status
    if (error !== undefined) line.error = error
    if (delayMs !== undefined) line.delayMs = Math.round(delayMs)
    log[level](line, delayMs !== undefined ? 'http attempt failed; retrying' : 'http attempt')
  }

  return {
    request,
    paginate: (req, paging) => paginate(request, typeof req === 'string' ? { path: req } : req, paging),
    stats() {
      const now = performance.now()
      const states: HttpStats['breakers'] = {}
      for (const [origin, breaker] of breakers) {
        states[origin] = {
          state: breaker.state,
          openings: breaker.openings,
          ...(breaker.state === 'open' ? { nextProbeInMs: Math.max(0, Math.ceil(breaker.nextProbeAt - now)) } : {}),
        }
      }
      return {
        ...counters,
        breakers: states,
        latencyMs: latency.summary(),
        ...(limiter === undefined ? {} : { rateLimit: limiter.state() }),
      }
    },
    async close() {
      if (closed) return
      closed = true
      const reason = new HttpError({
        code: 'FK_HTTP_CLOSED',
        message: '[fieldkit/http] the client was closed while this request was in flight or waiting',
        hint: 'Close the client only after its last request has finished',
      })
      for (const call of active) call.stop(reason)
      if (sweeper !== undefined) clearInterval(sweeper)
      await Promise.allSettled([agent.close(), strategy?.close?.(), limiter?.close()])
    },
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100

/** Wraps a connector (the residency guard's) so that connection set-up still has the connect timeout. */
function withConnectTimeout(connector: buildConnector.connector, ms: number): buildConnector.connector {
  return (options, callback) => {
    let done = false
    const timer = setTimeout(() => {
      if (done) return
      done = true
      callback(new undiciErrors.ConnectTimeoutError(`Connect Timeout Error (${ms} ms)`), null)
    }, ms)
    timer.unref()
    connector(options, (error, socket) => {
      if (done) {
        socket?.destroy()
        return
      }
      done = true
      clearTimeout(timer)
      if (error) callback(error, null)
      else callback(null, socket)
    })
  }
}

/**
 * The dispatcher of a strategy that brings its own: with a residency guard, one whose connections resolve through the
 * guard's checked `lookup` (so they reach only an address the guard judged), when the strategy and guard offer it.
 */
function strategyDispatcher(
  strategy: HttpClientOptions['auth'],
  residency: HttpClientOptions['residency'],
): Dispatcher | undefined {
  if (strategy?.dispatcher === undefined) return undefined
  const lookup = residency?.guard.lookup?.(residency.dataClass)
  if (lookup === undefined || strategy.pinnedDispatcher === undefined) return strategy.dispatcher as Dispatcher
  return strategy.pinnedDispatcher(lookup) as Dispatcher
}

/** `host:port` of a URL, the port written out even when it is the scheme's default. */
function hostPort(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'https:' ? '443' : '80')}`
  } catch {
    return 'the host and port'
  }
}

/** Code and hint of FK_HTTP_RETRY_EXHAUSTED, naming the real cause of the last failure. */
function exhaustedWording(last: AttemptOutcome | undefined, url: string) {
  if (last?.status === 429) {
    return {
      code: 'FK_HTTP_RETRY_EXHAUSTED',
      hint: 'The service kept answering 429 (too many requests): set `rateLimit` to its quota so requests wait for their turn, or lower the concurrency; more retries only spend the quota faster',
    } as const
  }
  if (last?.error === 'ECONNREFUSED') {
    return {
      code: 'FK_HTTP_RETRY_EXHAUSTED',
      hint: `Nothing is listening at ${hostPort(url)} (connection refused on every attempt): check the host and port, and that the service is started`,
    } as const
  }
  return {
    code: 'FK_HTTP_RETRY_EXHAUSTED',
    hint: 'The endpoint kept failing; the attempts in details say how. Check the service status, or raise retry.retries, retry.budget or timeout.total',
  } as const
}

/** Code and hint of FK_HTTP_NETWORK for the network error `code`. */
function networkWording(code: string, url: string) {
  if (code === 'ECONNREFUSED') {
    return {
      code: 'FK_HTTP_NETWORK',
      hint: `Nothing is listening at ${hostPort(url)} (connection refused): check the host and port, and that the service is started`,
    } as const
  }
  return {
    code: 'FK_HTTP_NETWORK',
    hint: 'The connection failed (refused, reset, DNS, TLS); check the host, port, proxy and certificates, and whether the service is up',
  } as const
}

/** When a wait of `ms` ends, as an ISO date; `null` past the last date a `Date` can hold (year 275760). */
function retryAt(ms: number): string | null {
  const at = new Date(Date.now() + ms)
  return Number.isNaN(at.getTime()) ? null : at.toISOString()
}
