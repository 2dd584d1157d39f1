import { isFieldkitError } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import { CircuitBreaker } from '../breaker'
import { HttpError } from '../errors'
import { type BreakerOptions, resolveOptions } from '../options'
import { redactUrl } from '../redact'
import { ForwardingHandler } from './forwarding-handler'
import { placed } from './order'

/** Records the outcome of one attempt on its origin's breaker, then passes everything to the caller's handler. */
class BreakerHandler extends ForwardingHandler {
  #recorded = false
  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly probe: boolean,
    handler: Dispatcher.DispatchHandler,
  ) {
    super(handler)
  }
  #record(failed: boolean): void {
    if (this.#recorded) return
    this.#recorded = true
    if (failed || this.probe) this.breaker.record(performance.now(), failed, this.probe)
    else this.breaker.record(performance.now(), false, false)
  }
  override onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: never,
    message: string,
  ): void {
    this.#record(status >= 500)
    super.onResponseStart(controller, status, headers, message)
  }
  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    // A caller's abort or a Fieldkit refusal (residency, size) says nothing about the service's health.
    if (!isFieldkitError(error) && !controller?.aborted) this.#record(true)
    else if (this.probe) this.#record(false)
    super.onResponseError(controller, error)
  }
}

/**
 * The circuit breaker as an undici interceptor: one breaker per origin, shared by every request through this
 * interceptor; 5xx answers and network errors count as failures; while open, requests fail at once with
 * `FK_HTTP_CIRCUIT_OPEN` (fetch: `err.cause.code`), and after `openMs` a few probes decide. Options as the client's
 * `breaker`.
 *
 * @example
 * ```ts
 * const dispatcher = new Agent().compose(interceptors.breaker({ failureRatio: 0.5 }), interceptors.retry())
 * ```
 */
export function breaker(options: BreakerOptions = {}): Dispatcher.DispatcherComposeInterceptor {
  const config = resolveOptions({ breaker: options }).breaker
  const breakers = new Map<string, CircuitBreaker>()
  return (dispatch) =>
    placed('breaker', function fieldkitBreaker(opts, handler) {
      if (config === undefined) return dispatch(opts, handler)
      const origin = String(opts.origin ?? '')
      let circuit = breakers.get(origin)
      if (circuit === undefined) {
        circuit = new CircuitBreaker(config)
        breakers.set(origin, circuit)
      }
      const admitted = circuit.admit(performance.now())
      if (typeof admitted === 'number') {
        const url = redactUrl(`${origin}${opts.path}`)
        const refusal = new HttpError({
          code: 'FK_HTTP_CIRCUIT_OPEN',
          message: `[fieldkit/http] ${opts.method} ${url} not sent: the circuit for ${origin} is open after repeated failures; next probe in ${(admitted / 1000).toFixed(1)} s`,
          hint: 'The service has been failing; wait for the next probe (retryInMs) or check the service status',
          method: opts.method,
          url,
          details: { origin, retryInMs: Math.ceil(admitted) },
        })
        queueMicrotask(() => handler.onResponseError?.(null as unknown as Dispatcher.DispatchController, refusal))
        return true
      }
      return dispatch(opts, new BreakerHandler(circuit, admitted.probe, handler))
    })
}
