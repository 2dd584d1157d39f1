/**
 * Waits for `promise`, or rejects with `onTimeout()` when it has not settled within `ms` milliseconds (the promise
 * runs on; its later result is ignored). The timer is cleared as soon as the promise settles, so it never keeps the
 * process alive past the answer. For commands to a service that may stop answering without closing the connection
 * (Redis during a failover, a half-open socket).
 *
 * @example
 * ```ts
 * const value = await withTimeout(redis.get(key), 500, () => new Error('Redis did not answer within 500 ms'))
 * ```
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
