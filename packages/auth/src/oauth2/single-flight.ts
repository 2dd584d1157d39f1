/** Runs one task at a time: callers that arrive while it runs share its result instead of starting their own. */
export class SingleFlight<T> {
  #inflight: Promise<T> | undefined

  get running(): boolean {
    return this.#inflight !== undefined
  }

  run(task: () => Promise<T>): Promise<T> {
    if (this.#inflight === undefined) {
      const started = task()
      this.#inflight = started
      const clear = () => {
        if (this.#inflight === started) this.#inflight = undefined
      }
      started.then(clear, clear)
    }
    return this.#inflight
  }
}

/** Waits for `promise`, or rejects with the signal's reason as soon as `signal` aborts (the promise runs on). */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}
