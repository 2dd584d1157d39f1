import { type AuthRequest, type AuthStrategy, expected } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import { AuthAttempts } from '../auth-attempts'
import { HttpError } from '../errors'
import { redactUrl } from '../redact'
import { placed } from './order'
import { watchOf } from './request-watch'
import { type AnswerDecision, headersObject, ResendingHandler } from './resending-handler'

/** Options of `interceptors.auth`. */
export interface AuthInterceptorOptions {
  /** The origins (`https://erp.example`) the credentials are sent to; every other request passes untouched. */
  origin: string | readonly string[]
}

class AuthHandler extends ResendingHandler {
  /** The request's signing and challenges: the same `AuthAttempts` as the client runs. */
  readonly #auth: AuthAttempts

  constructor(
    strategy: AuthStrategy,
    dispatch: (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => boolean,
    private readonly options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ) {
    super(dispatch, handler)
    this.#auth = new AuthAttempts(strategy)
  }

  /** Applies the strategy (fresh nonces and signatures on every send), then sends. */
  start(): void {
    const url = new URL(`${this.options.origin}${this.options.path}`)
    const search = url.search
    const body = this.options.body
    const headers = headersObject(this.options.headers)
    const request: AuthRequest = {
      method: (this.options.method ?? 'GET').toUpperCase(),
      url,
      headers,
      ...(typeof body === 'string' || body instanceof Uint8Array ? { body } : {}),
    }
    const watch = watchOf(this.options)
    // Only the client compares what the strategy added with what it was given (its secret scrubber).
    const before = watch === undefined ? undefined : { ...headers }
    if (watch?.signal !== undefined) request.signal = watch.signal
    this.#auth.sign(request).then(
      () => {
        if (before !== undefined) watch?.signed(before, search, request)
        this.send({ ...this.options, path: `${url.pathname}${url.search}`, headers: request.headers })
      },
      (error: unknown) => this.fail(this.#failed(error)),
    )
  }

  /** A failure of the strategy itself: the caller's own step when the client sent the request (not the service's). */
  #failed(error: unknown): Error {
    return watchOf(this.options)?.stepFailed(error) ?? asError(error)
  }

  protected onAnswer(status: number, headers: Record<string, string | string[] | undefined>): AnswerDecision {
    const answer = { status, headers }
    const auth = this.#auth
    if (!auth.refuses(answer)) return undefined
    watchOf(this.options)?.refused()
    return () => {
      auth.answer(answer).then(
        (again) => {
          if (again) return this.start()
          const { method, origin, path } = this.options
          this.fail(auth.refusal(answer, String(method).toUpperCase(), redactUrl(`${origin}${path}`)))
        },
        (error: unknown) => this.fail(this.#failed(error)),
      )
    }
  }
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/**
 * Any {@link AuthStrategy} as an undici interceptor: credentials applied on every send (so a retry listed after it
 * re-signs), challenges answered (Digest, sessions, token refresh; at most three per request), a refusal thrown as
 * `FK_AUTH_REJECTED` — and only for the origins it was given: a request (or a redirect hop) to any other origin
 * passes untouched. A strategy bound to a connection (NTLM, client certificates) brings its own dispatcher: compose
 * on that one (`ntlm(...).dispatcher.compose(...)`), with this interceptor in the list.
 *
 * @example
 * ```ts
 * const dispatcher = new Agent().compose(
 *   interceptors.auth(digest({ username, password }), { origin: 'https://erp.example' }),
 *   interceptors.retry(),
 * )
 * ```
 */
export function auth(strategy: AuthStrategy, options: AuthInterceptorOptions): Dispatcher.DispatcherComposeInterceptor {
  if (typeof strategy?.apply !== 'function' || typeof strategy.scheme !== 'string') {
    throw invalid('Expected the strategy to be an AuthStrategy (with `scheme` and `apply`)')
  }
  const list = typeof options?.origin === 'string' ? [options.origin] : options?.origin
  if (!Array.isArray(list) || list.length === 0)
    throw invalid(expected('origin', 'an origin or a list of origins', options?.origin))
  const origins = new Set<string>()
  for (const origin of list) {
    let parsed: URL | undefined
    try {
      parsed = new URL(String(origin))
    } catch {
      parsed = undefined
    }
    if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw invalid(expected('origin', 'an http(s) origin', origin))
    }
    origins.add(parsed.origin)
  }
  return signing(strategy, (opts) => origins.has(new URL(String(opts.origin)).origin))
}

/**
 * The auth interceptor for the requests `serves` picks (`auth` picks by origin; `createHttpClient` by hop, as
 * `redirect.keepAuth` allows); every other request passes untouched.
 *
 * @example
 * ```ts
 * const layer = signing(strategy, (opts) => watchOf(opts)?.authServes(opts) === true)
 * ```
 */
export function signing(
  strategy: AuthStrategy,
  serves: (options: Dispatcher.DispatchOptions) => boolean,
): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) =>
    placed('auth', function fieldkitAuth(opts, handler) {
      if (!serves(opts)) return dispatch(opts, handler)
      new AuthHandler(strategy, dispatch, opts, handler).start()
      return true
    })
}

function invalid(message: string): HttpError {
  return new HttpError({
    code: 'FK_HTTP_OPTIONS',
    message: `[fieldkit/http] interceptors.auth: ${message}`,
    hint: 'Pass an auth strategy and `{ origin }`, the origin(s) its credentials are for',
  })
}
