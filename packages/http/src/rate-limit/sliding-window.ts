/**
 * An exact sliding-window log: the times of the last `limit` grants in a ring buffer. A grant at `now` is allowed
 * when fewer than `limit` grants happened in `(now - windowMs, now]`, which holds for every window of that length,
 * wherever it starts (a token bucket that starts full lets through up to twice the limit across a boundary).
 * Checking and recording are O(1); memory is 8 bytes per unit of `limit`.
 */
export class SlidingWindowLog {
  readonly limit: number
  readonly windowMs: number
  private readonly times: Float64Array
  private head = 0
  private size = 0
  private last = Number.NEGATIVE_INFINITY

  constructor(limit: number, windowMs: number) {
    this.limit = limit
    this.windowMs = windowMs
    this.times = new Float64Array(limit)
  }

  /** Milliseconds until a grant is allowed: 0 when one is allowed at `now`. */
  waitMs(now: number): number {
    if (this.size < this.limit) return 0
    // The oldest of the last `limit` grants sits at `head` once the buffer is full.
    const free = (this.times[this.head] as number) + this.windowMs
    return free > now ? free - now : 0
  }

  /** Records a grant at `now` (call after {@link waitMs} returned 0). */
  record(now: number): void {
    this.last = now
    this.times[this.head] = now
    this.head = this.head + 1 === this.limit ? 0 : this.head + 1
    if (this.size < this.limit) this.size++
  }

  /**
   * The earliest time at or after `now` (and after the latest grant, so the log stays in order) at which a grant
   * keeps the limit: used to reserve a future slot.
   */
  nextAt(now: number): number {
    let at = Math.max(now, this.last)
    if (this.size === this.limit) {
      const free = (this.times[this.head] as number) + this.windowMs
      if (free > at) at = free
    }
    return at
  }
}
