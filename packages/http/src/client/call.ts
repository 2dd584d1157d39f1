import type { AttemptHandler } from '../attempt'
import { SentSecrets } from '../sent-secrets'
import type { Expiring } from './timeouts'

/**
 * The per-request state that outside events (caller abort, total deadline, close) act on: the attempt in flight,
 * the wait between attempts, the limiter's abort signal, and every secret the request sent.
 *
 * @example
 * ```ts
 * const call = new Call(performance.now(), 30_000)
 * await call.wait(200) // rejects at once when call.stop(reason) runs
 * ```
 */
export class Call implements Expiring {
  current: AttemptHandler | undefined
  stopped: Error | undefined
  controller: AbortController | undefined
  expire: (() => Error) | undefined
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  /** performance.now() time after which the total timeout stops the call. */
  readonly deadline: number
  /** Every secret this request sent: no error or log line of it carries one back. */
  readonly secrets = new SentSecrets()
  #waiter: { timer: NodeJS.Timeout; reject: (error: Error) => void } | undefined

  constructor(
    readonly started: number,
    totalMs: number,
  ) {
    this.deadline = started + totalMs
  }

  stop(reason: Error): void {
    if (this.stopped !== undefined) return
    this.stopped = reason
    this.current?.abort(reason)
    if (this.#waiter !== undefined) {
      clearTimeout(this.#waiter.timer)
      this.#waiter.reject(reason)
      this.#waiter = undefined
    }
    this.controller?.abort(reason)
  }

  wait(ms: number): Promise<void> {
    if (this.stopped !== undefined) return Promise.reject(this.stopped)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined
        resolve()
      }, ms)
      this.#waiter = { timer, reject }
    })
  }

  /** Stops listening to the caller's signal (the request is over). */
  detach(): void {
    if (this.onAbort !== undefined) this.signal?.removeEventListener('abort', this.onAbort)
  }
}
