import { type buildConnector, errors as undiciErrors } from 'undici'

/** What the total-timeout sweeper needs of a request in flight. */
export interface Expiring {
  /** performance.now() time after which the total timeout stops the request. */
  deadline: number
  expire: (() => Error) | undefined
  stop(reason: Error): void
}

/**
 * Enforces `timeout.total` with one timer per client, not one per request: it ticks at a tenth of the total
 * (10–500 ms) while requests are active, and stops when none are.
 *
 * @example
 * ```ts
 * const deadlines = new Deadlines(30_000)
 * deadlines.add(call) // …
 * deadlines.delete(call)
 * ```
 */
export class Deadlines<T extends Expiring> {
  readonly active = new Set<T>()
  readonly #tick: number
  #sweeper: NodeJS.Timeout | undefined

  constructor(totalMs: number) {
    this.#tick = Math.min(500, Math.max(10, Math.floor(totalMs / 10)))
  }

  add(call: T): void {
    this.active.add(call)
    this.#sweeper ??= this.#start()
  }

  delete(call: T): void {
    this.active.delete(call)
  }

  /** Stops every request with `reason` and the timer (the client's `close()`). */
  stopAll(reason: Error): void {
    for (const call of this.active) call.stop(reason)
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper)
    this.#sweeper = undefined
  }

  #start(): NodeJS.Timeout {
    const timer = setInterval(() => {
      if (this.active.size === 0) {
        clearInterval(timer)
        this.#sweeper = undefined
        return
      }
      const now = performance.now()
      for (const call of this.active) if (now >= call.deadline && call.expire !== undefined) call.stop(call.expire())
    }, this.#tick)
    timer.unref()
    return timer
  }
}

/**
 * Wraps a connector (the residency guard's) so that connection set-up still has the connect timeout.
 *
 * @example
 * ```ts
 * new Agent({ connect: withConnectTimeout(guard.connector('pii'), 10_000) })
 * ```
 */
export function withConnectTimeout(connector: buildConnector.connector, ms: number): buildConnector.connector {
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
