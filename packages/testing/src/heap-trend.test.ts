import { describe, expect, it } from 'vitest'
import { heapBaseline, heapTrend } from './heap-trend'

describe('heapTrend', () => {
  it('reads the slope of a least-squares line, not the last sample minus the first', () => {
    // A flat heap with noise, and one high sample at the end: first-vs-last says +600 KB, the line ≈ +295 KB
    // (slope 32.73 KB per step, worked out by hand: Σ(x−x̄)(y−ȳ) = 2,700 over Σ(x−x̄)² = 82.5).
    const flat = [0, 40, -30, 10, -20, 30, -10, 0, 20, 600].map((kb, i) => ({ at: i * 10_000, heap: 8e6 + kb * 1024 }))
    const trend = heapTrend(flat)
    expect(trend.growth / 1024).toBeCloseTo((2_700 / 82.5) * 9, 6)
    expect(trend.spread).toBe(630 * 1024)
  })

  it('finds a steady climb hidden in noise', () => {
    // 20 bytes per request over 100,000 requests: 2 MB, with ±100 KB of noise on every sample.
    const climbing = Array.from({ length: 50 }, (_, i) => ({
      at: i * 2_000,
      heap: 8e6 + i * 2_000 * 20 + (i % 2 === 0 ? 100 : -100) * 1024,
    }))
    const trend = heapTrend(climbing)
    expect(trend.slope).toBeCloseTo(20, 0)
    expect(trend.growth).toBeGreaterThan(1.9e6)
    expect(trend.samples).toBe(50)
  })

  it('refuses fewer than two samples', () => {
    expect(() => heapTrend([{ at: 0, heap: 1 }])).toThrow(/two samples/)
  })
})

describe('heapBaseline', () => {
  it('names the constructor whose objects grew between two snapshots', () => {
    class LeakyEntry {
      constructor(
        readonly id: number,
        readonly payload: number[],
      ) {}
    }
    const baseline = heapBaseline()
    const kept: LeakyEntry[] = []
    for (let i = 0; i < 5_000; i++) kept.push(new LeakyEntry(i, [i, i + 1, i + 2]))
    try {
      const grew = baseline.diff(5)
      expect(
        grew.some((line) => /^object:LeakyEntry \+5000 objects/.test(line)),
        grew.join('\n'),
      ).toBe(true)
    } finally {
      baseline.discard()
    }
    expect(kept).toHaveLength(5_000)
  })
})
