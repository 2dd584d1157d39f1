import { FieldkitError } from './errors'

/**
 * Waits `ms` milliseconds, or rejects as soon as `signal` aborts (with the signal's reason, or a
 * `FK_ABORTED` error when it has none). The timer does not keep the process alive.
 *
 * @example
 * ```ts
 * await sleep(retryAfterMs, AbortSignal.timeout(60_000))
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal))
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortReason(signal as AbortSignal))
    }
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      },
      Math.max(0, ms),
    )
    timer.unref?.()
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * The error to throw when `signal` has aborted: its own reason when that is an Error, else a `FK_ABORTED` error.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw abortReason(signal)
 * ```
 */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  if (reason instanceof Error) return reason
  return new FieldkitError({
    code: 'FK_ABORTED',
    message: '[fieldkit] the operation was aborted by its AbortSignal',
    hint: 'The caller aborted the operation (or its timeout signal fired); this is expected when cancelling',
  })
}
