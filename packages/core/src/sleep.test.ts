import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { isFieldkitError } from './errors'
import { abortReason, sleep } from './sleep'

describe('sleep', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('resolves after the delay', async () => {
    let done = false
    const pending = sleep(1000).then(() => {
      done = true
    })
    await vi.advanceTimersByTimeAsync(999)
    expect(done).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await pending
    expect(done).toBe(true)
  })

  it('rejects with the signal reason when aborted while waiting, and clears its timer', async () => {
    const controller = new AbortController()
    const pending = sleep(60_000, controller.signal)
    controller.abort(new Error('stop'))
    await expect(pending).rejects.toThrow('stop')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('rejects at once on an already aborted signal', async () => {
    await expect(sleep(10, AbortSignal.abort())).rejects.toBeInstanceOf(Error)
  })

  it('treats a negative delay as zero', async () => {
    const pending = sleep(-5)
    await vi.advanceTimersByTimeAsync(0)
    await expect(pending).resolves.toBeUndefined()
  })
})

describe('abortReason', () => {
  it('gives FK_ABORTED when the reason is not an Error', () => {
    const controller = new AbortController()
    controller.abort('just a string')
    const error = abortReason(controller.signal)
    expect(isFieldkitError(error) && error.code).toBe('FK_ABORTED')
  })
})
