import type { Dispatcher } from 'undici'
import {
  decideRedirect,
  REDIRECT_STATUSES,
  type RedirectOptions,
  type ResolvedRedirect,
  resolveRedirect,
  withHops,
} from '../redirect-policy'
import { placed } from './order'
import { watchOf } from './request-watch'
import { type AnswerDecision, headersObject, ResendingHandler, replayable } from './resending-handler'

class RedirectHandler extends ResendingHandler {
  #options: Dispatcher.DispatchOptions
  /** The URLs of the hops so far, made on the first redirect (most requests have none). */
  #hops: string[] | undefined

  constructor(
    private readonly policy: ResolvedRedirect,
    dispatch: (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => boolean,
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ) {
    super(dispatch, handler)
    this.#options = options
  }

  start(): void {
    this.send(this.#options)
  }

  /** A failure after a hop was followed names the hops (`details.hops`), as the client's errors do. */
  protected override onFailure(error: Error): AnswerDecision {
    const hops = this.#hops
    if (hops === undefined || hops.length < 2) return undefined
    return () => this.fail(withHops(error, hops) as Error)
  }

  protected onAnswer(status: number, headers: Record<string, string | string[] | undefined>): AnswerDecision {
    if (!REDIRECT_STATUSES.has(status) || typeof headers.location !== 'string') return undefined
    const current = this.#options
    this.#hops ??= [`${current.origin}${current.path}`]
    try {
      const decision = decideRedirect(
        {
          method: (current.method ?? 'GET').toUpperCase(),
          url: `${current.origin}${current.path}`,
          headers: headersObject(current.headers),
          body: current.body == null ? undefined : replayable(current.body) ? 'replayable' : 'stream',
        },
        status,
        headers.location,
        this.#hops,
        this.policy,
      )
      if (!decision.follow) return undefined
      const to = new URL(decision.next.url)
      this.#hops.push(to.href)
      this.#options = {
        ...current,
        origin: to.origin,
        path: `${to.pathname}${to.search}`,
        method: decision.next.method as Dispatcher.HttpMethod,
        headers: decision.next.headers,
        body: decision.next.body === undefined ? null : current.body,
      }
      watchOf(current)?.followed(status, decision)
      return () => this.send(this.#options)
    } catch (error) {
      return () => this.fail(error as Error)
    }
  }
}

/**
 * Follows redirects safely, as an undici interceptor (the client does the same by default): 301/302/303/307/308 up
 * to `max` hops, 303 (and 301/302 after a POST) as a GET without body, 307/308 with method and body (a stream body
 * fails with `FK_HTTP_BODY_NOT_REPLAYABLE`), `Authorization`, `Cookie` and `Proxy-Authorization` dropped on a hop to
 * another origin unless `keepAuth` names it, https → http refused, loops and long chains `FK_HTTP_REDIRECT`. List
 * it outermost, so that every hop goes through the residency guard, auth (for its own origins only), the quota, the
 * breaker and the retries of the hop's origin.
 *
 * @example
 * ```ts
 * const dispatcher = new Agent().compose(interceptors.retry(), interceptors.redirect({ max: 5 }))
 * ```
 */
export function redirect(options: RedirectOptions = {}): Dispatcher.DispatcherComposeInterceptor {
  return following(resolveRedirect(options, 'redirect') as ResolvedRedirect)
}

/**
 * The redirect layer for a resolved policy (`redirect` resolves its options; `createHttpClient` passes its own).
 *
 * @example
 * ```ts
 * const layer = following(resolveRedirect({ max: 5 }, 'redirect') as ResolvedRedirect)
 * ```
 */
export function following(policy: ResolvedRedirect): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) =>
    placed('redirect', function fieldkitRedirect(opts, handler) {
      new RedirectHandler(policy, dispatch, opts, handler).start()
      return true
    })
}
