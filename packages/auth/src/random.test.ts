import { describe, expect, it } from 'vitest'
import { randomHex } from './random'

describe('randomHex', () => {
  it('never repeats a nonce across pool refills', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) seen.add(randomHex(16))
    expect(seen.size).toBe(2000)
    expect([...seen].every((n) => /^[0-9a-f]{32}$/.test(n))).toBe(true)
  })
})
