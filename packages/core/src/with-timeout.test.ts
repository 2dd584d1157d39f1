import { describe, expect, it, vi } from 'vitest'
import { withTimeout } from './with-timeout'

describe('withTimeout', () => {
  it('rejects with the caller’s error when the promise does not settle in time', async () => {
    vi.useFakeTimers()
    try {
      const pending = withTimeout(new Promise<never>(() => {}), 500, () => new Error('no answer within 500 ms'))
      const caught = pending.catch((e: Error) => e.message)
      await vi.advanceTimersByTimeAsync(500)
      expect(await caught).toBe('no answer within 500 ms')
    } finally {
      vi.useRealTimers()
    }
  })

  it('passes the value or the rejection through and clears its timer', async () => {
    await expect(withTimeout(Promise.resolve(42), 1_000, () => new Error('late'))).resolves.toBe(42)
    await expect(withTimeout(Promise.reject(new Error('refused')), 1_000, () => new Error('late'))).rejects.toThrow(
      'refused',
    )
  })
})
