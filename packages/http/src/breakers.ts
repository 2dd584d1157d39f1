import { CircuitBreaker } from './breaker'
import type { HttpError } from './errors'
import { circuitOpen, type FailureSubject } from './failures'
import type { AttemptOutcome, BreakerOptions } from './options'
import type { HttpStats } from './stats'

/**
 * The circuit breakers of one client or one `interceptors.breaker`, one per origin, with the admission rule both
 * apply before each attempt and the states `stats()` reports.
 *
 * @example
 * ```ts
 * const breakers = new Breakers(resolveOptions({ breaker: {} }).breaker)
 * const circuit = breakers.for('https://erp.example')
 * const admitted = breakers.admit(circuit)
 * if (typeof admitted === 'number') throw breakers.refusal({ method: 'GET', url: () => url }, origin, admitted)
 * Breakers.answered(circuit, status, admitted)
 * ```
 */
export class Breakers {
  readonly #circuits = new Map<string, CircuitBreaker>()
  constructor(readonly config: Required<BreakerOptions>) {}

  /** The circuit of `origin`, created closed on first use. */
  for(origin: string): CircuitBreaker {
    let circuit = this.#circuits.get(origin)
    if (circuit === undefined) {
      circuit = new CircuitBreaker(this.config)
      this.#circuits.set(origin, circuit)
    }
    return circuit
  }

  /**
   * Admits one attempt through `circuit`: whether it is a probe of a half-open circuit, or, while the circuit is open,
   * the milliseconds until the next probe (then fail the attempt with {@link Breakers.refusal}).
   */
  admit(circuit: CircuitBreaker, now: number = performance.now()): boolean | number {
    const admitted = circuit.admit(now)
    return typeof admitted === 'number' ? admitted : admitted.probe
  }

  /** `FK_HTTP_CIRCUIT_OPEN` for an attempt the circuit of `origin` refused (with the attempts so far, when given). */
  refusal(subject: FailureSubject, origin: string, retryInMs: number, outcomes?: AttemptOutcome[]): HttpError {
    return circuitOpen(subject, origin, retryInMs, outcomes)
  }

  /** Records an answer to an admitted attempt: a 5xx counts as a failure; a probe's answer closes or re-opens. */
  static answered(circuit: CircuitBreaker, status: number, probe: boolean, now: number = performance.now()): void {
    circuit.record(now, status >= 500, probe)
  }

  /**
   * Records an admitted attempt that got no answer. `service` says whether the failure was the service's (a network
   * error or timeout) — the caller's abort and Fieldkit's own refusals (residency, size, quota) are not: they are not
   * counted, and a probe among them is released without deciding, so the circuit stays half-open for the next one.
   */
  static failed(circuit: CircuitBreaker, service: boolean, probe: boolean, now: number = performance.now()): void {
    if (service) circuit.record(now, true, probe)
    else if (probe) circuit.release()
  }

  /** Each origin's state, openings and (while open) time to the next probe, as `stats().breakers` shows them. */
  states(now: number = performance.now()): HttpStats['breakers'] {
    const states: HttpStats['breakers'] = {}
    for (const [origin, breaker] of this.#circuits) {
      states[origin] = {
        state: breaker.state,
        openings: breaker.openings,
        ...(breaker.state === 'open' ? { nextProbeInMs: Math.max(0, Math.ceil(breaker.nextProbeAt - now)) } : {}),
      }
    }
    return states
  }
}
