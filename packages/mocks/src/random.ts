/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same faults on every run, so a failing
 * fault run can be replayed.
 *
 * @example
 * ```ts
 * const next = seededRandom(42)
 * if (next() < 0.2) return new HttpResponse(null, { status: 503 })
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
