import type { Dispatcher } from 'undici'
import { HttpError } from '../errors'

/** The Fieldkit interceptors whose place in a `compose(...)` list matters. */
export type InterceptorKind = 'log' | 'auth' | 'rateLimit' | 'breaker' | 'retry' | 'redirect'

type Dispatch = Parameters<Dispatcher.DispatcherComposeInterceptor>[0]
type Marked = Dispatcher.DispatchOptions & { [ORDER]?: readonly InterceptorKind[] }

/** On the first request through a chain, the Fieldkit interceptors it passed so far (outermost first). */
const ORDER = Symbol.for('fieldkit.http.interceptorOrder')

/**
 * For the interceptors that must sit outside others (listed after them): which ones must not be outside them, and
 * why. undici's `compose` wraps the first listed innermost: a retry listed before auth would re-send the first
 * attempt's credentials without signing again, and one listed before the limiter or the breaker would send its
 * retries past them.
 */
const MISPLACED: ReadonlyMap<InterceptorKind, ReadonlyMap<InterceptorKind, string>> = new Map([
  [
    'retry',
    new Map<InterceptorKind, string>([
      [
        'auth',
        'a retried attempt would carry the first attempt’s credentials (a used nonce) instead of being signed again',
      ],
      ['rateLimit', 'retries would go out past the quota, which would count one request for all its attempts'],
      ['breaker', 'retries would go out past the breaker, which would count one outcome for all the attempts'],
    ]),
  ],
  [
    'redirect',
    new Map<InterceptorKind, string>([['auth', 'a redirect hop would go out unsigned and its challenge unanswered']]),
  ],
])

/**
 * One interceptor's place in its chain. undici's `compose` wraps each interceptor's dispatch in one of its own, so
 * the order cannot be read when composing; it is read on the chain's first request instead: the interceptors that
 * must sit inside others mark it, and those that must sit outside check the marks. A wrong order fails that request,
 * and every later one through the chain, with `FK_HTTP_INTERCEPTOR_ORDER`; after the first request it costs one
 * property read per request.
 *
 * @example
 * ```ts
 * return (dispatch) => { const place = new ChainPlace('retry'); return (opts, handler) => place.refusal(opts) ?? … }
 * ```
 */
export class ChainPlace {
  #first = true
  #refusal: HttpError | undefined
  readonly #rules: ReadonlyMap<InterceptorKind, string> | undefined
  constructor(private readonly kind: InterceptorKind) {
    this.#rules = MISPLACED.get(kind)
  }

  /** The options to pass on: on the chain's first request, marked with this interceptor's kind. */
  mark(opts: Dispatcher.DispatchOptions): Dispatcher.DispatchOptions {
    if (!this.#first) return opts
    this.#first = false
    const before = (opts as Marked)[ORDER] ?? []
    return { ...opts, [ORDER]: [...before, this.kind] } as Dispatcher.DispatchOptions
  }

  /** Fails the request on `handler` when an interceptor that must sit inside this one was listed after it. */
  refuses(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.#refusal === undefined) {
      const outside = (opts as Marked)[ORDER]
      if (outside === undefined || this.#rules === undefined) return false
      for (const kind of outside) {
        const why = this.#rules.get(kind)
        if (why === undefined) continue
        this.#refusal = orderError(kind, this.kind, why)
        break
      }
      if (this.#refusal === undefined) return false
    }
    const refusal = this.#refusal
    queueMicrotask(() => handler.onResponseError?.(null as never, refusal))
    return true
  }
}

function orderError(outer: InterceptorKind, inner: InterceptorKind, why: string): HttpError {
  return new HttpError({
    code: 'FK_HTTP_INTERCEPTOR_ORDER',
    message: `[fieldkit/http] interceptors.${inner}() is listed before interceptors.${outer}() in compose(...), so it runs inside it: ${why}`,
    hint: 'undici’s compose wraps the first listed innermost; list them as: residency guard, log, auth, rateLimit, breaker, retry, redirect',
    details: { inner, outer },
  })
}

/**
 * Wraps a dispatch so that the chain's first request is marked (for auth, rateLimit and breaker) or checked (for
 * retry and redirect); see {@link ChainPlace}.
 *
 * @example
 * ```ts
 * return (dispatch) => placed('retry', function fieldkitRetry(opts, handler) { … })
 * ```
 */
export function placed(kind: InterceptorKind, own: Dispatch): Dispatch {
  const place = new ChainPlace(kind)
  if (MISPLACED.has(kind)) return (opts, handler) => place.refuses(opts, handler) || own(opts, handler)
  return (opts, handler) => own(place.mark(opts), handler)
}
