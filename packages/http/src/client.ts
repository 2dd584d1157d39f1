import { abortReason, resolveLogger } from '@fieldkit/core'
import { Agent, type buildConnector, type Dispatcher } from 'undici'
import { Breakers } from './breakers'
import { ClientAnswer } from './client/answer'
import { attemptLayer } from './client/attempt-layer'
import { Call } from './client/call'
import type { ClientContext, Counters } from './client/context'
import { HopRouter } from './client/hop-router'
import { AttemptLog } from './client/log'
import { type ClientHop, firstHop } from './client/target'
import { Deadlines, withConnectTimeout } from './client/timeouts'
import { HttpError } from './errors'
import { signing } from './interceptors/auth'
import { guarded } from './interceptors/breaker'
import { quota } from './interceptors/rate-limit'
import { following } from './interceptors/redirect'
import { WATCH, watchOf } from './interceptors/request-watch'
import { retrying } from './interceptors/retry'
import { type HttpClientOptions, type ResolvedOptions, resolveOptions } from './options'
import { type PagingOptions, paginate } from './paginate'
import { createRateLimiter } from './rate-limit'
import { resolveRedirect, withHops } from './redirect-policy'
import type { RequestOptions } from './request'
import type { HttpResponse } from './response'
import { RetryRules } from './retry-run'
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

/**
 * Creates the resilient client: undici underneath, retries with full-jitter backoff and `Retry-After`, idempotency
 * keys, a retry budget, a circuit breaker per origin, four timeouts, auth re-applied on every attempt, connect-time
 * residency checks, redirects followed safely, redacted errors and logs. Each behaviour lives in a module of its own
 * under `client/` (the attempt loop and its decisions, timeouts, targets, failures, the log); this function wires
 * them to one client's pool, limiter and breakers.
 *
 * @example
 * ```ts
 * const client = createHttpClient({ baseUrl: 'https://erp.client.example/api', retry: { retries: 3 } })
 * const res = await client.request({ method: 'POST', path: '/orders', json: order, idempotencyKey: true })
 * const created = await res.json(Order)
 * await client.close()
 * ```
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const context = createContext(options)
  const { config, counters } = context
  const dispatcher = compose(context)
  const deadlines = new Deadlines<Call>(config.timeout.total)
  const latency = new LatencyRing()
  let closed = false

  /** The synchronous part of a request: validate, build, register; then the interceptors send it. */
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
    context.retry.request(started)
    const hop = firstHop(req, config)
    if (req.signal?.aborted) throw abortReason(req.signal)
    const call = new Call(context, req, hop, started)
    call.listen(abortReason)
    call.expire = () => totalTimeout(hop, config.timeout.total)
    deadlines.add(call)
    return run(call)
  }

  /** Sends the request through the interceptors; counts the outcome and scrubs the error of the request's secrets. */
  async function run(call: Call): Promise<HttpResponse> {
    try {
      const response = await send(dispatcher, context, call)
      counters.succeeded += 1
      return response
    } catch (error) {
      counters.failed += 1
      throw withHops(call.secrets.scrubError(error), call.hops ?? [])
    } finally {
      call.detach()
      deadlines.delete(call)
      latency.add(performance.now() - call.started)
    }
  }

  const request = (input: RequestOptions | string): Promise<HttpResponse> => {
    try {
      return start(input)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  return {
    request,
    paginate: (req, paging) => paginate(request, typeof req === 'string' ? { path: req } : req, paging),
    stats: () => stats(context, latency),
    async close() {
      if (closed) return
      closed = true
      deadlines.stopAll(
        new HttpError({
          code: 'FK_HTTP_CLOSED',
          message: '[fieldkit/http] the client was closed while this request was in flight or waiting',
          hint: 'Close the client only after its last request has finished',
        }),
      )
      await Promise.allSettled([context.agent.close(), context.strategy?.close?.(), context.limiter?.close()])
    },
  }
}

/**
 * The client's interceptors, composed as `interceptors` documents them (first listed innermost): its own attempt layer
 * (numbers, hooks, whole bodies, the attempt's log line — in place of `interceptors.log`, whose line would come before
 * the client knows whether a retry follows), auth for the hops it serves, the quota, the breaker, the retries and the
 * redirects, over a router that sends a hop through the auth strategy's own dispatcher when it has one.
 */
function compose(context: ClientContext): Dispatcher {
  const layers: Dispatcher.DispatcherComposeInterceptor[] = [attemptLayer(context)]
  if (context.strategy !== undefined) {
    layers.push(signing(context.strategy, (opts) => watchOf(opts)?.authServes(opts) === true))
  }
  if (context.limiter !== undefined) layers.push(quota(context.limiter))
  if (context.breakers !== undefined) layers.push(guarded(context.breakers))
  layers.push(retrying({ rules: context.retry, keys: false, throws: true }))
  if (context.redirect !== undefined) layers.push(following(context.redirect))
  return new HopRouter(context.agent, context.authDispatcher).compose(layers)
}

/** One request through the composed interceptors, settled by its {@link ClientAnswer}. */
function send(dispatcher: Dispatcher, context: ClientContext, call: Call): Promise<HttpResponse> {
  const { config } = context
  const hop = call.hop
  return new Promise<HttpResponse>((resolve, reject) => {
    const answer = new ClientAnswer(context, call, resolve, reject)
    const options = {
      origin: hop.origin,
      path: hop.path,
      method: hop.method as Dispatcher.HttpMethod,
      headers: hop.headers,
      body: hop.body ?? null,
      headersTimeout: config.timeout.headers,
      bodyTimeout: config.timeout.bodyIdle,
      [WATCH]: call,
    }
    try {
      dispatcher.dispatch(options, answer)
    } catch (error) {
      answer.onResponseError(null as never, error as Error)
    }
  })
}

/** What one client's requests share, built from its options: pool, limiter, budget, breakers, counters, log. */
function createContext(options: HttpClientOptions): ClientContext {
  const config: ResolvedOptions = resolveOptions(options)
  const log = new AttemptLog(resolveLogger(options.logger, 'http'))
  const { timeout, hooks, retry } = config
  const residency = options.residency
  let connect: buildConnector.BuildOptions | buildConnector.connector = { timeout: timeout.connect }
  if (residency !== undefined) {
    connect = withConnectTimeout(
      residency.guard.connector(residency.dataClass) as buildConnector.connector,
      timeout.connect,
    )
  }
  const pool = config.pool
  const agent = new Agent({
    connect,
    ...(pool.connections !== undefined ? { connections: pool.connections } : {}),
    ...(pool.keepAliveTimeoutMs !== undefined ? { keepAliveTimeout: pool.keepAliveTimeoutMs } : {}),
    ...(pool.keepAliveMaxTimeoutMs !== undefined ? { keepAliveMaxTimeout: pool.keepAliveMaxTimeoutMs } : {}),
  })
  const counters: Counters = {
    requests: 0,
    attempts: 0,
    retries: 0,
    succeeded: 0,
    failed: 0,
    status429: 0,
    circuitRejections: 0,
  }
  return {
    config,
    log,
    strategy: options.auth,
    agent,
    authDispatcher: strategyDispatcher(options.auth, residency),
    residency,
    redactor: options.redactor,
    redirect: resolveRedirect(options.redirect),
    limiter: options.rateLimit === undefined ? undefined : createRateLimiter(options.rateLimit, { logger: log.logger }),
    retry: new RetryRules(retry),
    breakers: config.breaker === undefined ? undefined : new Breakers(config.breaker),
    counters,
    hasHooks: hooks.beforeRequest.length > 0 || hooks.afterResponse.length > 0 || hooks.beforeRetry.length > 0,
  }
}

/** Counters, circuit states, latency percentiles and the limiter's state. */
function stats(context: ClientContext, latency: LatencyRing): HttpStats {
  return {
    ...context.counters,
    breakers: context.breakers?.states() ?? {},
    latencyMs: latency.summary(),
    ...(context.limiter === undefined ? {} : { rateLimit: context.limiter.state() }),
  }
}

/** `FK_HTTP_TIMEOUT` of kind `total`: the request (with its retries and waits) outlasted `timeout.total`. */
function totalTimeout(hop: ClientHop, totalMs: number): HttpError {
  return new HttpError({
    code: 'FK_HTTP_TIMEOUT',
    message: `[fieldkit/http] ${hop.method} ${hop.url()} did not complete within timeout.total (${totalMs} ms)`,
    hint: 'The endpoint (or its retries and waits) took longer than the total timeout; check the service or raise timeout.total',
    method: hop.method,
    url: hop.url(),
    details: { kind: 'total', timeoutMs: totalMs },
  })
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
