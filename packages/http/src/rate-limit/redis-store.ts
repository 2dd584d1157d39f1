import { createHash, randomUUID } from 'node:crypto'
import { type Logger, sleep } from '@fieldkit/core'
import { Redis } from 'ioredis'
import { RateLimitError, rateLimited } from './errors'
import type { ResolvedOptions } from './options'
import { SlidingWindowLog } from './sliding-window'

/**
 * Reserves the next slot of a sliding-window log shared in Redis, in one round trip. KEYS[1] is a hash with the
 * state's epoch, the recovery hold and a shared pause; KEYS[2..] one sorted set of reservation times per window.
 * ARGV: known epoch, member, maxWaitMs, pauseMs to share, recoveryMs, spreadMs, (limit, windowMs) per window,
 * then (member, actual time) pairs: grants that left later than reserved move to when they really left.
 * The slot is the earliest time t ≥ now, ≥ the latest reservation (the log stays append-only), with fewer than
 * `limit` reservations in (t - windowMs, t] for every window, and at least spreadMs after the latest one. Times are Redis's own clock (TIME), shared by all.
 * Returns {1, waitMs, epoch, at, now} when reserved, {0, waitMs, epoch, 0, now} when the slot is further than
 * maxWaitMs, {2, waitMs, epoch, 0, now} while recovering from a lost state.
 */
export const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'hold', 'pause')
local epoch = meta[1]
local hold = tonumber(meta[2] or '0')
if not epoch then
  epoch = t[1] .. '.' .. t[2] .. '.' .. ARGV[2]
  if ARGV[1] ~= '' then hold = now + tonumber(ARGV[5]) end
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'hold', hold)
end
local pause = tonumber(meta[3] or '0')
local ask = tonumber(ARGV[4])
if ask > 0 and now + ask > pause then
  pause = now + ask
  redis.call('HSET', KEYS[1], 'pause', pause)
end
local maxw = 0
for i = 2, #KEYS do
  local w = tonumber(ARGV[6 + 2 * (i - 1)])
  if w > maxw then maxw = w end
end
if now < hold then
  redis.call('PEXPIRE', KEYS[1], maxw + 60000)
  return {2, hold - now, epoch, 0, now}
end
local nw = #KEYS - 1
for j = 7 + 2 * nw, #ARGV - 1, 2 do
  for i = 2, #KEYS do redis.call('ZADD', KEYS[i], 'XX', 'GT', ARGV[j + 1], ARGV[j]) end
end
local at = now
if pause > at then at = pause end
for i = 2, #KEYS do
  local limit = tonumber(ARGV[5 + 2 * (i - 1)])
  local w = tonumber(ARGV[6 + 2 * (i - 1)])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - w)
  local n = redis.call('ZCARD', KEYS[i])
  if n > 0 then
    local last = tonumber(redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')[2]) + tonumber(ARGV[6])
    if last > at then at = last end
    if n >= limit then
      local free = tonumber(redis.call('ZRANGE', KEYS[i], n - limit, n - limit, 'WITHSCORES')[2]) + w
      if free > at then at = free end
    end
  end
end
at = math.ceil(at)
if at - now > tonumber(ARGV[3]) then return {0, at - now, epoch, 0, now} end
for i = 2, #KEYS do
  local w = tonumber(ARGV[6 + 2 * (i - 1)])
  redis.call('ZADD', KEYS[i], at, ARGV[2])
  redis.call('PEXPIRE', KEYS[i], at - now + w + 1000)
end
redis.call('PEXPIRE', KEYS[1], at - now + maxw + 60000)
return {1, at - now, epoch, at, now}
`

/**
 * Puts one process's recent reservations back after Redis lost the state, while the recovery hold lasts (after
 * it, inserting past entries could break windows already scheduled, so it does nothing).
 * ARGV: epoch, member prefix, windowMs per window, then the reservation times.
 */
export const RESEED_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
if now >= tonumber(redis.call('HGET', KEYS[1], 'hold') or '0') then return 0 end
local nw = #KEYS - 1
for i = 2, #KEYS do
  local w = tonumber(ARGV[i + 1])
  for j = 3 + nw, #ARGV do
    local s = tonumber(ARGV[j])
    if s > now - w then redis.call('ZADD', KEYS[i], s, ARGV[2] .. j) end
  end
  redis.call('PEXPIRE', KEYS[i], w + 1000)
end
return 1
`

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex')
const RESERVE_SHA = sha1(RESERVE_SCRIPT)
const RESEED_SHA = sha1(RESEED_SCRIPT)

/** A reserved slot: how long to wait for it, and what Redis knows it by. */
export interface Reservation {
  waitMs: number
  /** Member and time (Redis clock) of the reservation; absent for a local-share grant. */
  member?: string
  at?: number
}

/** Lateness (ms) above which a grant's actual time is written back to the shared log. */
const LATE_MS = 2
/** Most corrections carried by one call. */
const MAX_CORRECTIONS = 32

type Reply = [status: number, waitMs: number, epoch: string, at: number, now: number]

/** Most reservations a process sends back after a Redis restart. */
const MAX_RESEED = 50_000

/** The shared quota: one EVALSHA per request, falling back to a local share of the quota or failing closed. */
export class RedisQuota {
  private readonly o: ResolvedOptions
  private readonly log: Logger
  private readonly client: Redis
  private readonly owned: boolean
  private readonly keys: string[]
  private readonly windowArgs: string[]
  private readonly id = randomUUID().slice(0, 12)
  private seq = 0
  private epoch = ''
  private pendingPauseMs = 0
  /** (member, actual time) pairs of grants that went late, for the next call. */
  private corrections: string[] = []
  /** This process's own reservations (member → Redis time, corrected when one left late), to re-seed after a restart. */
  private readonly mine = new Map<string, number>()
  private readonly mineWindowMs: number
  private readonly mineMax: number
  /** The local share used while Redis is down. */
  private readonly share: SlidingWindowLog[]
  /** Redis clock minus local clock, from the last reply. */
  private offset = 0
  private down = false
  /** True once Redis answered: from then on, a connection that is not ready counts as down at once. */
  private connected = false
  private connecting: Promise<void> | undefined
  private closed = false

  constructor(options: ResolvedOptions, log: Logger) {
    this.o = options
    this.log = log
    const tag = `{${options.key}}`
    this.keys = [`${tag}:meta`, ...options.windows.map((w) => `${tag}:${w.name}`)]
    this.windowArgs = options.windows.flatMap((w) => [String(w.limit), String(w.enforcedMs)])
    const longest = options.windows.reduce((a, b) => (b.enforcedMs > a.enforcedMs ? b : a))
    this.mineWindowMs = longest.enforcedMs
    this.mineMax = Math.min(longest.limit, MAX_RESEED)
    this.share = options.windows.map(
      (w) => new SlidingWindowLog(Math.max(1, Math.floor(w.limit * options.localShare)), w.enforcedMs),
    )
    if (typeof options.redis === 'string') {
      this.owned = true
      this.client = new Redis(options.redis, {
        // Fail at once while disconnected instead of queueing: the limiter decides what "down" means.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: options.redisTimeoutMs,
        // Reconnect every 25 ms for the first second (a refused loopback connection costs nothing), then back off
        // to at most 1 s apart: a restarted Redis is picked up by every process within a few ms of each other.
        retryStrategy: (times) => (times <= 40 ? 25 : Math.min(times * 50, 1_000)),
      })
      this.client.on('error', (error: Error) => this.noteDown(error))
    } else {
      this.owned = false
      this.client = options.redis as Redis
    }
    this.client.on('ready', this.onReady)
  }

  mode(): 'redis' | 'local-share' {
    return this.down && this.o.onRedisDown === 'local-share' ? 'local-share' : 'redis'
  }

  /** Adds a pause (from a 429) to the shared state on the next call: no extra round trip. */
  sharePause(ms: number): void {
    if (ms > this.pendingPauseMs) this.pendingPauseMs = ms
  }

  /**
   * Called when the caller really goes: when that is later than the reserved time (a busy event loop fired the
   * timer late), the real time is written back on the next call, so that the slots after it keep their distance
   * from when the request actually left (no extra round trip).
   */
  granted(reservation: Reservation): void {
    if (reservation.member === undefined || reservation.at === undefined) return
    const actual = Math.ceil(Date.now() + this.offset)
    if (actual - reservation.at > LATE_MS) {
      if (this.mine.has(reservation.member)) this.mine.set(reservation.member, actual)
      if (this.corrections.length < 2 * MAX_CORRECTIONS) this.corrections.push(reservation.member, String(actual))
    }
  }

  /** Reserves a slot; resolves with the milliseconds to wait for it. */
  async reserve(): Promise<Reservation> {
    const member = `${this.id}:${this.seq++}`
    for (;;) {
      let reply: Reply
      try {
        if (this.client.status !== 'ready') await this.firstConnect()
        reply = await this.call(member)
      } catch (error) {
        return this.fallback(error)
      }
      const [status, waitMs, epoch, at, now] = reply
      this.offset = now - Date.now()
      this.connected = true
      if (this.down) {
        this.down = false
        this.log.info({ key: this.o.key }, 'rate limit: Redis reachable again; the shared quota applies')
      }
      if (epoch !== this.epoch) {
        const lost = this.epoch !== ''
        this.epoch = epoch
        if (lost) await this.reseed(now)
      }
      if (status === 1) {
        this.remember(member, at)
        return { waitMs, member, at }
      }
      if (status === 0) throw rateLimited(waitMs, 'shared quota (Redis)')
      await sleep(waitMs)
    }
  }

  /**
   * Before the first answer, waits up to `redisTimeoutMs` for the connection; after that, a connection that is not
   * ready means Redis is down (no waiting: the fallback applies at once).
   */
  private firstConnect(): Promise<void> {
    if (this.connected) return Promise.reject(new Error(`connection is ${this.client.status}`))
    this.connecting ??= this.waitReady().finally(() => {
      this.connecting = undefined
    })
    return this.connecting
  }

  private async waitReady(): Promise<void> {
    if (this.client.status === 'wait') await this.client.connect().catch(() => undefined)
    if (this.client.status === 'ready') return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady)
        reject(new Error(`not connected after ${this.o.redisTimeoutMs} ms (${this.client.status})`))
      }, this.o.redisTimeoutMs)
      const onReady = () => {
        clearTimeout(timer)
        resolve()
      }
      this.client.once('ready', onReady)
    })
  }

  private async call(member: string): Promise<Reply> {
    const pause = this.pendingPauseMs
    const corrections = this.corrections
    this.corrections = []
    const args = [
      this.epoch,
      member,
      String(this.o.maxWaitMs),
      String(pause),
      String(this.o.recoveryMs),
      String(this.o.spreadMs),
      ...this.windowArgs,
      ...corrections,
    ]
    const reply = (await this.withTimeout(this.eval(RESERVE_SHA, RESERVE_SCRIPT, args))) as Reply
    if (pause > 0 && this.pendingPauseMs === pause) this.pendingPauseMs = 0
    return reply
  }

  /** EVALSHA, and EVAL when Redis answers NOSCRIPT (a restart or SCRIPT FLUSH emptied its script cache). */
  private async eval(sha: string, script: string, args: string[]): Promise<unknown> {
    try {
      return await this.client.evalsha(sha, this.keys.length, ...this.keys, ...args)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return this.client.eval(script, this.keys.length, ...this.keys, ...args)
    }
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    if (this.owned) return promise // commandTimeout is set on our own connection
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer within ${this.o.redisTimeoutMs} ms`)),
        this.o.redisTimeoutMs,
      )
      promise.then(
        (value) => {
          clearTimeout(timer)
          resolve(value)
        },
        (error: unknown) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    })
  }

  private remember(member: string, at: number): void {
    this.mine.set(member, at)
    if (this.mine.size > this.mineMax) {
      for (const key of this.mine.keys()) {
        this.mine.delete(key)
        if (this.mine.size <= this.mineMax) break
      }
    }
  }

  /**
   * On a reconnect, asks Redis for the state's epoch at once (a probe that never reserves), so that a process whose
   * callers are all waiting on earlier reservations still re-seeds within the recovery hold.
   */
  private readonly onReady = (): void => {
    if (!this.connected || this.closed) return
    const args = [
      this.epoch,
      `${this.id}:probe`,
      '-1',
      '0',
      String(this.o.recoveryMs),
      String(this.o.spreadMs),
      ...this.windowArgs,
    ]
    this.withTimeout(this.eval(RESERVE_SHA, RESERVE_SCRIPT, args)).then(
      async (reply) => {
        const [, , epoch, , now] = reply as Reply
        if (epoch !== this.epoch) {
          this.epoch = epoch
          await this.reseed(now)
        }
      },
      (error: unknown) => this.log.debug({ err: message(error) }, 'rate limit: probe after reconnect failed'),
    )
  }

  private async reseed(now: number): Promise<void> {
    const times: string[] = []
    for (const t of this.mine.values()) if (t > now - this.mineWindowMs) times.push(String(t))
    this.log.warn(
      { key: this.o.key, reseeded: times.length },
      'rate limit: Redis lost the shared quota state (restart?); re-seeding this process’s recent requests and holding briefly',
    )
    if (times.length === 0) return
    const windows = this.o.windows.map((w) => String(w.enforcedMs))
    try {
      await this.withTimeout(this.eval(RESEED_SHA, RESEED_SCRIPT, [this.epoch, `${this.id}:r`, ...windows, ...times]))
    } catch (error) {
      this.log.debug({ err: message(error) }, 'rate limit: re-seeding failed')
    }
  }

  private noteDown(error: unknown): void {
    if (this.down) return
    this.down = true
    const fallback =
      this.o.onRedisDown === 'local-share'
        ? `using ${this.o.localShare * 100}% of each limit locally`
        : 'failing closed'
    this.log.warn(
      { key: this.o.key, err: message(error), onRedisDown: this.o.onRedisDown },
      `rate limit: Redis unreachable; ${fallback}`,
    )
  }

  private fallback(error: unknown): Reservation {
    if (error instanceof RateLimitError) throw error
    this.noteDown(error)
    if (this.o.onRedisDown === 'fail-closed') {
      throw new RateLimitError({
        code: 'FK_HTTP_RATE_LIMIT_REDIS_DOWN',
        message: `[fieldkit/http] rate limit: Redis is unreachable for the shared quota "${this.o.key}" (${message(error)})`,
        hint: "Check that Redis is up and reachable from this host; set rateLimit.onRedisDown: 'local-share' to keep going on a share of the quota",
        cause: error,
        details: { key: this.o.key },
      })
    }
    const now = Date.now()
    let at = now
    for (const log of this.share) at = Math.max(at, log.nextAt(now))
    if (at - now > this.o.maxWaitMs) throw rateLimited(at - now, 'local share of the quota while Redis is down')
    for (const log of this.share) log.record(at)
    this.remember(`${this.id}:${this.seq++}`, at + this.offset)
    return { waitMs: at - now }
  }

  async close(): Promise<void> {
    this.closed = true
    this.client.off('ready', this.onReady)
    if (!this.owned) return
    try {
      await this.client.quit()
    } catch {
      this.client.disconnect()
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
