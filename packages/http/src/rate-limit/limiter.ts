import { abortReason, expected, type Logger } from '@fieldkit/core'
import { RateLimitError, rateLimited } from './errors'
import { parseRateLimitHeaders } from './headers'
import type { ResolvedOptions } from './options'
import { RedisQuota, type Reservation, type ReservationSink } from './redis-store'
import { SlidingWindowLog } from './sliding-window'
import type { RateLimiter, RateLimiterState, RateLimitHint } from './types'

type WaiterState = 'queued' | 'reserving' | 'done'

interface Waiter {
  priority: number
  seq: number
  state: WaiterState
  resolve(release: () => void): void
  reject(error: unknown): void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
  /** With Redis: the slot reserved for it, due at `dueAt` (performance.now() time). */
  reservation: Reservation | undefined
  dueAt: number
}

/** A binary min-heap of waiters by (priority, arrival); aborted waiters are skipped lazily. */
class WaiterQueue {
  private readonly heap: Waiter[] = []
  /** Waiters still queued (not aborted). */
  size = 0

  push(w: Waiter): void {
    const h = this.heap
    h.push(w)
    this.size++
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(w, h[parent] as Waiter)) break
      h[i] = h[parent] as Waiter
      i = parent
    }
    h[i] = w
  }

  /** The next live waiter, removed from the queue. */
  pop(): Waiter | undefined {
    for (;;) {
      const w = this.take()
      if (w === undefined || w.state === 'queued') {
        if (w !== undefined) this.size--
        return w
      }
    }
  }

  private take(): Waiter | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (top === undefined || last === undefined || h.length === 0) return top
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= h.length) break
      const r = l + 1
      const c = r < h.length && before(h[r] as Waiter, h[l] as Waiter) ? r : l
      if (!before(h[c] as Waiter, last)) break
      h[i] = h[c] as Waiter
      i = c
    }
    h[i] = last
    return top
  }

  /** Every live waiter, emptying the queue. */
  drainAll(): Waiter[] {
    const live = this.heap.filter((w) => w.state === 'queued')
    this.heap.length = 0
    this.size = 0
    return live
  }
}

function before(a: Waiter, b: Waiter): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq)
}

/** How often, at most, the limiter logs that callers are waiting. */
const WAIT_LOG_INTERVAL_MS = 1_000

/** The scheduler behind {@link createRateLimiter}: local sliding-window logs, or reservations in Redis. */
export class Limiter implements RateLimiter {
  private readonly o: ResolvedOptions
  private readonly log: Logger
  private readonly logs: SlidingWindowLog[]
  private readonly redis: RedisQuota<Waiter> | undefined
  private readonly queue = new WaiterQueue()
  private readonly reserving = new Set<Waiter>()
  /** Reserved waiters in order of their slots, from `dueHead` on; one timer for the first. */
  private readonly due: Waiter[] = []
  private dueHead = 0
  private dueTimer: ReturnType<typeof setTimeout> | undefined
  private inFlight = 0
  private seq = 0
  private clock = 0
  private pauseUntil = 0
  /** Earliest next grant when requests are spread over the shortest window. */
  private spreadAt = 0
  /** Requests the server said are left (from rate-limit headers), and until when that holds. */
  private serverRemaining = Number.POSITIVE_INFINITY
  private serverResetAt = 0
  private waitReason = ''
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = 0
  private lastWaitLog = Number.NEGATIVE_INFINITY
  private closed = false
  private readonly quickCheck: boolean
  /** How early a reserved slot may be taken: under a millisecond, and never more than the smallest margin. */
  private readonly earlyMs: number

  constructor(options: ResolvedOptions, logger: Logger) {
    this.o = options
    this.log = logger.child({ component: 'rate-limit' })
    this.logs = options.windows.map((w) => new SlidingWindowLog(w.limit, w.enforcedMs))
    this.redis = options.redis === undefined ? undefined : new RedisQuota(options, this.log, this.sink)
    // With only the built-in parsers, a response without any rate-limit header can be skipped cheaply.
    this.earlyMs = Math.min(1, ...options.windows.map((w) => w.enforcedMs - w.windowMs))
    this.quickCheck = options.headerParsers.length === 1 && options.headerParsers[0]?.name === 'sforceLimitInfo'
  }

  /** Date.now(), never going backwards. */
  private now(): number {
    const t = Date.now()
    if (t > this.clock) this.clock = t
    return this.clock
  }

  /** Milliseconds before the next grant may happen (0: now), setting `waitReason`. */
  private localWait(now: number, pause = true): number {
    let wait = 0
    if (pause && this.pauseUntil > now) {
      wait = this.pauseUntil - now
      this.waitReason = 'paused after 429 / Retry-After'
    }
    if (this.serverRemaining <= 0) {
      if (this.serverResetAt > now) {
        if (this.serverResetAt - now > wait) {
          wait = this.serverResetAt - now
          this.waitReason = 'server reported no requests remaining'
        }
      } else this.serverRemaining = Number.POSITIVE_INFINITY
    }
    if (this.redis === undefined) {
      // Date.now() counts whole milliseconds: grants due within the current one go now, so that a spread finer
      // than a millisecond (a limit far above the load) never waits on a timer.
      if (this.spreadAt - now >= 1 && this.spreadAt - now > wait) {
        wait = this.spreadAt - now
        this.waitReason = 'spread'
      }
      const logs = this.logs
      for (let i = 0; i < logs.length; i++) {
        const w = (logs[i] as SlidingWindowLog).waitMs(now)
        if (w > wait) {
          wait = w
          this.waitReason = (this.o.windows[i] as { name: string }).name
        }
      }
    }
    return wait
  }

  private grantLocal(now: number): void {
    const logs = this.logs
    for (let i = 0; i < logs.length; i++) (logs[i] as SlidingWindowLog).record(now)
    this.spreadAt = Math.max(this.spreadAt, now) + this.o.spreadMs
    this.inFlight++
    this.serverRemaining--
  }

  private makeRelease(): () => void {
    let done = false
    return () => {
      if (done) return
      done = true
      this.inFlight--
      if (this.queue.size > 0) this.drain()
    }
  }

  acquire(options?: { signal?: AbortSignal; priority?: number }): (() => void) | Promise<() => void> {
    if (this.closed) return Promise.reject(closedError())
    const signal = options?.signal
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    if (this.redis === undefined && this.queue.size === 0 && this.inFlight < this.o.maxConcurrent) {
      const now = this.now()
      const wait = this.localWait(now)
      if (wait === 0) {
        this.grantLocal(now)
        return this.makeRelease()
      }
      if (wait > this.o.maxWaitMs) return Promise.reject(rateLimited(wait, this.waitReason))
    }
    const priority = options?.priority ?? 5
    if (typeof priority !== 'number' || !Number.isFinite(priority)) {
      return Promise.reject(
        new RateLimitError({
          code: 'FK_HTTP_RATE_LIMIT_OPTIONS',
          message: `[fieldkit/http] ${expected('priority', 'a finite number', priority)}`,
          hint: 'Pass a number to acquire({ priority }); lower runs first, the default is 5',
        }),
      )
    }
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        seq: this.seq++,
        state: 'queued',
        resolve,
        reject,
        signal,
        onAbort: undefined,
        reservation: undefined,
        dueAt: 0,
      }
      if (signal !== undefined) {
        waiter.onAbort = () => this.abort(waiter)
        signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
      this.queue.push(waiter)
      this.drain()
    })
  }

  private abort(w: Waiter): void {
    if (w.state === 'done') return
    if (w.state === 'queued') this.queue.size--
    else {
      // Its slot was reserved: count it as used (never give back quota that may have been spent) but free the
      // concurrency slot it held.
      this.reserving.delete(w)
      this.inFlight--
    }
    w.state = 'done'
    w.reject(abortReason(w.signal as AbortSignal))
    if (this.queue.size > 0) this.drain()
  }

  private finish(w: Waiter): void {
    w.state = 'done'
    if (w.onAbort !== undefined) w.signal?.removeEventListener('abort', w.onAbort)
  }

  private drain(): void {
    while (this.queue.size > 0 && this.inFlight < this.o.maxConcurrent && !this.closed) {
      const now = this.now()
      // With Redis, a pause does not hold the reservation back: the call carries it to every process sharing the
      // quota, and the slot it returns is after the pause.
      const wait = this.localWait(now, this.redis === undefined)
      if (wait > 0) {
        if (wait > this.o.maxWaitMs) {
          const error = rateLimited(wait, this.waitReason)
          for (const w of this.queue.drainAll()) {
            this.finish(w)
            w.reject(error)
          }
          return
        }
        this.arm(now, wait)
        return
      }
      const w = this.queue.pop() as Waiter
      if (this.redis === undefined) {
        this.finish(w)
        this.grantLocal(now)
        w.resolve(this.makeRelease())
      } else {
        w.state = 'reserving'
        this.inFlight++
        this.reserving.add(w)
        this.redis.reserve(w)
      }
    }
  }

  /** What Redis reserved for each waiter, or why it could not: one object for all waiters. */
  private readonly sink: ReservationSink<Waiter> = {
    reserved: (w, reservation) => this.afterReservation(w, reservation),
    failed: (w, error) => {
      if (w.state === 'done') return
      this.reserving.delete(w)
      this.finish(w)
      this.inFlight--
      w.reject(error)
      if (this.queue.size > 0) this.drain()
    },
  }

  /** A slot is reserved `waitMs` from now: the waiter joins the due list (kept in order of its slot). */
  private afterReservation(w: Waiter, reservation: Reservation): void {
    if (w.state === 'done') return
    w.reservation = reservation
    w.dueAt = performance.now() + reservation.waitMs
    const due = this.due
    let i = due.length
    while (i > this.dueHead && (due[i - 1] as Waiter).dueAt > w.dueAt) i--
    if (i === due.length) due.push(w)
    else due.splice(i, 0, w)
    // The reservations of one batch resolve in the same tick: hand them out in one pass.
    if (!this.releaseQueued) {
      this.releaseQueued = true
      queueMicrotask(this.releaseQueuedDue)
    }
  }

  private releaseQueued = false
  private readonly releaseQueuedDue = (): void => {
    this.releaseQueued = false
    if (!this.closed) this.releaseDue()
  }

  /**
   * Hands out every reserved slot that is due (or less than `earlyMs` away), then arms one timer for the next:
   * one timer for all waiters, however many reservations a batch brought.
   */
  private releaseDue(): void {
    if (this.dueTimer !== undefined) {
      clearTimeout(this.dueTimer)
      this.dueTimer = undefined
    }
    const due = this.due
    const now = performance.now()
    const local = this.localWait(this.now())
    let next = local
    if (local === 0) {
      while (this.dueHead < due.length) {
        const w = due[this.dueHead] as Waiter
        if (w.dueAt - now > this.earlyMs) {
          next = w.dueAt - now
          break
        }
        due[this.dueHead++] = undefined as never
        this.grantReserved(w)
      }
      if (this.dueHead === due.length) {
        due.length = 0
        this.dueHead = 0
      } else if (this.dueHead > 1_024 && this.dueHead * 2 > due.length) {
        due.splice(0, this.dueHead)
        this.dueHead = 0
      }
    }
    if (this.dueHead < due.length) {
      this.noteWait(this.now(), next)
      this.dueTimer = setTimeout(() => {
        this.dueTimer = undefined
        this.releaseDue()
      }, next)
    }
  }

  private grantReserved(w: Waiter): void {
    if (w.state === 'done') return
    if (w.reservation !== undefined) this.redis?.granted(w.reservation)
    this.reserving.delete(w)
    this.finish(w)
    this.serverRemaining--
    w.resolve(this.makeRelease())
  }

  private arm(now: number, wait: number): void {
    this.noteWait(now, wait)
    const at = now + wait
    if (this.timer !== undefined && this.timerAt <= at) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.drain()
    }, wait)
  }

  private noteWait(now: number, wait: number): void {
    if (now - this.lastWaitLog < WAIT_LOG_INTERVAL_MS) return
    this.lastWaitLog = now
    const fields = {
      waitMs: Math.round(wait),
      reason: this.waitReason || 'shared quota (Redis)',
      queued: this.queue.size,
      inFlight: this.inFlight,
    }
    if (wait >= 1_000) this.log.info(fields, 'rate limit: waiting for quota')
    else this.log.debug(fields, 'rate limit: waiting for quota')
  }

  observe(status: number, headers: Record<string, string | string[] | undefined>): void {
    if (this.closed) return
    if (status !== 429 && status !== 503) {
      if (!this.o.headers) return
      if (
        this.quickCheck &&
        headers['x-ratelimit-remaining'] === undefined &&
        headers.ratelimit === undefined &&
        headers['ratelimit-remaining'] === undefined &&
        headers['sforce-limit-info'] === undefined
      ) {
        return
      }
    }
    const now = Date.now()
    const seen = parseRateLimitHeaders(headers, { parsers: this.o.headerParsers, now })
    if (seen.malformed.length > 0) {
      this.log.debug({ headers: seen.malformed, status }, 'rate limit: ignored malformed rate-limit headers')
    }
    if (status === 429 || (status === 503 && seen.retryAfterMs !== undefined)) {
      this.pause(
        Math.min(seen.retryAfterMs ?? this.o.pauseMs, this.o.maxPauseMs),
        status,
        seen.retryAfterMs !== undefined,
      )
    }
    if (!this.o.headers) return
    for (const hint of seen.hints) {
      const reset = hint.resetMs ?? hint.windowMs
      if (hint.remaining === undefined || reset === undefined || this.covers(hint)) continue
      const resetAt = this.now() + Math.min(reset, this.o.maxPauseMs)
      if (hint.remaining <= 0 && this.serverRemaining > 0) {
        this.log.debug(
          { source: hint.source, resetMs: reset },
          'rate limit: server reports its quota spent; holding until reset',
        )
      }
      this.serverRemaining = hint.remaining
      this.serverResetAt = resetAt
    }
  }

  /**
   * True when a configured window already keeps within the server's quota (no longer a window, no more requests):
   * then the configured quota is the plan and the server's remaining count is not a reason to hold back.
   */
  private covers(hint: RateLimitHint): boolean {
    const window = hint.windowMs ?? hint.resetMs
    if (hint.limit === undefined || window === undefined) return false
    return this.o.windows.some((w) => w.windowMs >= window && w.limit <= (hint.limit as number))
  }

  private pause(ms: number, status: number, fromHeader: boolean): void {
    const until = this.now() + ms
    if (until <= this.pauseUntil) return
    this.pauseUntil = until
    this.log.warn(
      { status, pauseMs: Math.round(ms), retryAfter: fromHeader, queued: this.queue.size },
      'rate limit: server asked to slow down; pausing every caller of this limiter',
    )
    this.redis?.sharePause(ms)
    if (this.queue.size > 0) this.drain()
  }

  state(): RateLimiterState {
    const now = this.now()
    return {
      inFlight: this.inFlight,
      queued: this.queue.size,
      pausedForMs: Math.max(0, this.pauseUntil - now),
      store: this.redis === undefined ? 'local' : this.redis.mode(),
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    if (this.dueTimer !== undefined) clearTimeout(this.dueTimer)
    this.dueTimer = undefined
    this.due.length = 0
    const error = closedError()
    for (const w of [...this.queue.drainAll(), ...this.reserving]) {
      this.finish(w)
      w.reject(error)
    }
    this.reserving.clear()
    await this.redis?.close()
  }
}

function closedError(): RateLimitError {
  return new RateLimitError({
    code: 'FK_HTTP_RATE_LIMIT_CLOSED',
    message: '[fieldkit/http] the rate limiter was closed while a request waited for quota',
    hint: 'close() was called on the client or limiter; create a new one to send more requests',
  })
}
