import type { BreakerOptions } from './options'

/**
 * State of one origin's circuit.
 *
 * @example
 * ```ts
 * const state: BreakerState = client.stats().breakers['https://erp.example']?.state ?? 'closed'
 * ```
 */
export type BreakerState = 'closed' | 'open' | 'half-open'

const BUCKETS = 10

/**
 * A circuit breaker for one origin: counts calls and failures in a sliding window of ten buckets, opens when the
 * failure ratio crosses the threshold after a minimum number of calls, then lets `halfOpenProbes` requests through
 * once `openMs` has passed; a successful probe closes it, a failed one opens it again.
 */
export class CircuitBreaker {
  state: BreakerState = 'closed'
  /** When the next probe may go (performance.now() time), while open. */
  nextProbeAt = 0
  private readonly calls = new Int32Array(BUCKETS)
  private readonly failures = new Int32Array(BUCKETS)
  private readonly bucketMs: number
  private currentBucket = 0
  private probes = 0
  private opened = 0

  constructor(private readonly options: Required<BreakerOptions>) {
    this.bucketMs = options.windowMs / BUCKETS
  }

  /**
   * Before an attempt: `undefined` when it may go (and whether it is a probe), or the milliseconds until the next
   * probe when the circuit refuses it.
   */
  admit(now: number): { probe: boolean } | number {
    if (this.state === 'closed') return NOT_PROBE
    if (this.state === 'open') {
      if (now < this.nextProbeAt) return this.nextProbeAt - now
      this.state = 'half-open'
      this.probes = 0
    }
    if (this.probes >= this.options.halfOpenProbes) return Math.max(1, this.options.openMs / BUCKETS)
    this.probes += 1
    return PROBE
  }

  /** After an attempt: whether it failed (network error, timeout, 5xx), and whether it was a probe. */
  record(now: number, failed: boolean, probe: boolean): void {
    if (probe) {
      this.probes -= 1
      if (failed) this.open(now)
      else if (this.state === 'half-open') this.close()
      return
    }
    if (this.state !== 'closed') return
    const bucket = Math.floor(now / this.bucketMs)
    if (bucket !== this.currentBucket) this.advance(bucket)
    const slot = bucket % BUCKETS
    this.calls[slot] = (this.calls[slot] ?? 0) + 1
    if (!failed) return
    this.failures[slot] = (this.failures[slot] ?? 0) + 1
    let calls = 0
    let failures = 0
    for (let i = 0; i < BUCKETS; i++) {
      calls += this.calls[i] ?? 0
      failures += this.failures[i] ?? 0
    }
    if (calls >= this.options.minimumCalls && failures / calls >= this.options.failureRatio) this.open(now)
  }

  /**
   * After a probe that decided nothing (the caller stopped it, or Fieldkit refused it before an answer): its place
   * is given back, and the circuit stays half-open for the next probe.
   */
  release(): void {
    if (this.probes > 0) this.probes -= 1
  }

  /** How many times this circuit opened. */
  get openings(): number {
    return this.opened
  }

  private advance(bucket: number): void {
    const steps = Math.min(BUCKETS, bucket - this.currentBucket)
    for (let i = 1; i <= steps; i++) {
      const slot = (this.currentBucket + i) % BUCKETS
      this.calls[slot] = 0
      this.failures[slot] = 0
    }
    this.currentBucket = bucket
  }

  private open(now: number): void {
    this.state = 'open'
    this.nextProbeAt = now + this.options.openMs
    this.opened += 1
  }

  private close(): void {
    this.state = 'closed'
    this.calls.fill(0)
    this.failures.fill(0)
  }
}

const PROBE = { probe: true }
const NOT_PROBE = { probe: false }

/**
 * The retry budget: retries may be at most `ratio` of the requests started in the last `windowMs`, plus
 * `minPerWindow`, so that when a service is dying every caller's retries together stay a bounded extra load.
 */
export class RetryBudget {
  private readonly requests = new Int32Array(BUCKETS)
  private readonly retries = new Int32Array(BUCKETS)
  private readonly bucketMs: number
  private currentBucket = 0

  constructor(private readonly options: { ratio: number; minPerWindow: number; windowMs: number }) {
    this.bucketMs = options.windowMs / BUCKETS
  }

  /** Counts a request started at `now`. */
  request(now: number): void {
    const slot = this.slot(now)
    this.requests[slot] = (this.requests[slot] ?? 0) + 1
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryRetry(now: number): boolean {
    const slot = this.slot(now)
    let requests = 0
    let retries = 0
    for (let i = 0; i < BUCKETS; i++) {
      requests += this.requests[i] ?? 0
      retries += this.retries[i] ?? 0
    }
    if (retries >= this.options.minPerWindow + Math.floor(this.options.ratio * requests)) return false
    this.retries[slot] = (this.retries[slot] ?? 0) + 1
    return true
  }

  private slot(now: number): number {
    const bucket = Math.floor(now / this.bucketMs)
    if (bucket !== this.currentBucket) {
      const steps = Math.min(BUCKETS, bucket - this.currentBucket)
      for (let i = 1; i <= steps; i++) {
        const slot = (this.currentBucket + i) % BUCKETS
        this.requests[slot] = 0
        this.retries[slot] = 0
      }
      this.currentBucket = bucket
    }
    return bucket % BUCKETS
  }
}
