import { isFieldkitError } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import type { CircuitBreaker } from '../breaker'
import { Breakers } from '../breakers'
import { type BreakerOptions, resolveOptions } from '../options'
import { redactUrl } from '../redact'
import { ForwardingHandler } from './forwarding-handler'
import { placed } from './order'
import { type RequestWatch, watchOf } from './request-watch'

/** Records the outcome of one attempt on its origin's breaker, then passes everything to the caller's handler. */
class BreakerHandler extends ForwardingHandler {
  #recorded = false
  constructor(
    private readonly circuit: CircuitBreaker,
    private readonly probe: boolean,
    handler: Dispatcher.DispatchHandler,
    private readonly watch: RequestWatch | undefined,
  ) {
    super(handler)
  }
  override onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: never,
    message: string,
  ): void {
    if (!this.#recorded) {
      this.#recorded = true
      Breakers.answered(this.circuit, status, this.probe)
    }
    super.onResponseStart(controller, status, headers, message)
  }
  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    if (!this.#recorded) {
      this.#recorded = true
      // A caller's abort or stop, or a Fieldkit refusal (residency, size), says nothing about the service's health.
      const service = !isFieldkitError(error) && !controller?.aborted && this.watch?.stopped === undefined
      Breakers.failed(this.circuit, service, this.probe)
    }
    super.onResponseError(controller, error)
  }
}

/**
 * The circuit breaker as an undici interceptor, the same {@link Breakers} the client keeps: one breaker per origin,
 * shared by every request through this interceptor; 5xx answers and network errors count as failures; while open,
 * requests fail at once with `FK_HTTP_CIRCUIT_OPEN` (fetch: `err.cause.code`), and after `openMs` a few probes
 * decide. Options as the client's `breaker`.
 *
 * @example
 * ```ts
 * const dispatcher = new Agent().compose(interceptors.breaker({ failureRatio: 0.5 }), interceptors.retry())
 * ```
 */
export function breaker(options: BreakerOptions = {}): Dispatcher.DispatcherComposeInterceptor {
  const config = resolveOptions({ breaker: options }).breaker
  return guarded(config === undefined ? undefined : new Breakers(config))
}

/**
 * The breaker layer over existing circuits (`breaker` makes its own; `createHttpClient` passes the client's, which
 * `stats()` reports).
 *
 * @example
 * ```ts
 * const layer = guarded(new Breakers(resolveOptions({ breaker: {} }).breaker))
 * ```
 */
export function guarded(breakers: Breakers | undefined): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) =>
    placed('breaker', function fieldkitBreaker(opts, handler) {
      if (breakers === undefined) return dispatch(opts, handler)
      const origin = String(opts.origin ?? '')
      const circuit = breakers.for(origin)
      const watch = watchOf(opts)
      const admitted = breakers.admit(circuit)
      if (typeof admitted === 'number') {
        const url = redactUrl(`${origin}${opts.path}`)
        watch?.circuitRefused()
        const subject = { method: String(opts.method), url: () => url }
        const refusal = breakers.refusal(subject, origin, admitted, watch?.run?.outcomes)
        queueMicrotask(() => handler.onResponseError?.(null as unknown as Dispatcher.DispatchController, refusal))
        return true
      }
      return dispatch(opts, new BreakerHandler(circuit, admitted, handler, watch))
    })
}
