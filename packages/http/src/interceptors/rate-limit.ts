import { type Logger, resolveLogger } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import { createRateLimiter, type RateLimiter, type RateLimitOptions } from '../rate-limit'
import { ForwardingHandler } from './forwarding-handler'
import { placed } from './order'
import { watchOf } from './request-watch'

/** Releases the slot when the answer's headers arrive (or the attempt fails) and shows every answer to the limiter. */
class QuotaHandler extends ForwardingHandler {
  #release: (() => void) | undefined
  constructor(
    private readonly limiter: RateLimiter,
    release: () => void,
    handler: Dispatcher.DispatchHandler,
  ) {
    super(handler)
    this.#release = release
  }
  #released(): void {
    const release = this.#release
    this.#release = undefined
    release?.()
  }
  override onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: never,
    message: string,
  ): void {
    this.#released()
    this.limiter.observe(status, headers)
    super.onResponseStart(controller, status, headers, message)
  }
  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#released()
    super.onResponseError(controller, error)
  }
}

/** A rate-limit interceptor: the undici interceptor, and `close()` for the limiter it owns (timers, Redis). */
export type RateLimitInterceptor = Dispatcher.DispatcherComposeInterceptor & {
  /** The limiter's counters (`state()`) and `close()`. */
  readonly limiter: RateLimiter
}

/**
 * The client's `rateLimit` as an undici interceptor: every attempt through it waits for quota (local, or shared
 * through Redis), releases its slot when the headers arrive, and shows every answer to the limiter, so that one 429
 * with `Retry-After` pauses every caller of this interceptor. List it inside `retry` (before it), so that each retry
 * waits for quota again. Call `.limiter.close()` when done.
 *
 * @example
 * ```ts
 * const quota = interceptors.rateLimit({ perSecond: 10 })
 * const dispatcher = new Agent().compose(quota, interceptors.retry())
 * // … later: await quota.limiter.close()
 * ```
 */
export function rateLimit(options: RateLimitOptions, context: { logger?: Logger } = {}): RateLimitInterceptor {
  const limiter = createRateLimiter(options, { logger: resolveLogger(context.logger, 'http') })
  const interceptor = quota(limiter) as RateLimitInterceptor
  Object.defineProperty(interceptor, 'limiter', { value: limiter })
  return interceptor
}

/**
 * The quota layer over an existing limiter (`rateLimit` makes its own; `createHttpClient` passes the client's).
 *
 * @example
 * ```ts
 * const layer = quota(createRateLimiter({ perSecond: 10 }))
 * ```
 */
export function quota(limiter: RateLimiter): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) =>
    placed('rateLimit', function fieldkitRateLimit(opts, handler) {
      let acquired: (() => void) | Promise<() => void>
      try {
        acquired = limiter.acquire(watchOf(opts)?.acquire)
      } catch (error) {
        queueMicrotask(() => handler.onResponseError?.(null as never, error as Error))
        return true
      }
      if (typeof acquired === 'function') return dispatch(opts, new QuotaHandler(limiter, acquired, handler))
      acquired.then(
        (release) => {
          try {
            dispatch(opts, new QuotaHandler(limiter, release, handler))
          } catch (error) {
            release()
            handler.onResponseError?.(null as never, error as Error)
          }
        },
        (error: Error) => handler.onResponseError?.(null as never, error),
      )
      return true
    })
}
