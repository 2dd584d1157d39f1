import type { BreakerState } from './breaker'
import type { RateLimiterState } from './rate-limit'

/**
 * What `client.stats()` returns.
 *
 * @example
 * ```ts
 * const { requests, retries, latencyMs } = client.stats()
 * ```
 */
export interface HttpStats {
  /** Calls to `request` (pages of `paginate` included). */
  requests: number
  /** Sends on the wire, retries and auth re-sends included. */
  attempts: number
  retries: number
  /** Calls that ended with a response returned to the caller. */
  succeeded: number
  /** Calls that ended with an error. */
  failed: number
  /** 429 answers seen. */
  status429: number
  /** Requests refused by an open circuit. */
  circuitRejections: number
  /** Circuit state per origin that has been called. */
  breakers: Record<string, { state: BreakerState; openings: number; nextProbeInMs?: number }>
  /** Whole-call latency (retries and waits included) over the most recent 4,096 calls, in milliseconds. */
  latencyMs: { p50: number; p90: number; p99: number; max: number; samples: number }
  /** The rate limiter's state, when `rateLimit` is set. */
  rateLimit?: RateLimiterState
}

const SIZE = 4096

/** A ring of the most recent call latencies; percentiles are computed when asked for, not on the hot path. */
export class LatencyRing {
  private readonly values = new Float64Array(SIZE)
  private count = 0

  add(ms: number): void {
    this.values[this.count % SIZE] = ms
    this.count += 1
  }

  summary(): HttpStats['latencyMs'] {
    const n = Math.min(this.count, SIZE)
    if (n === 0) return { p50: 0, p90: 0, p99: 0, max: 0, samples: 0 }
    const sorted = this.values.slice(0, n).sort()
    const at = (q: number) => round(sorted[Math.min(n - 1, Math.ceil(q * n) - 1)] ?? 0)
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted[n - 1] ?? 0), samples: n }
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100
