import { createHash, randomUUID } from 'node:crypto'
import { type Logger, sleep, withTimeout } from '@fieldkit/core'
import { RateLimitError, rateLimited } from './errors'
import type { ResolvedOptions } from './options'
import {
  classify,
  clusterFromNode,
  connect,
  isCluster,
  keySlot,
  type RedisClient,
  type RedisFailure,
  RedisTimeout,
  slotConnection,
} from './redis-connection'
import { SlidingWindowLog } from './sliding-window'

/**
 * Reserves the next `count` slots of a sliding-window log shared in Redis, in one round trip. KEYS[1] is a hash
 * with the state's epoch, the recovery hold and a shared pause; KEYS[2..] one sorted set of reservation times per
 * window. Times are Redis's own clock (TIME, shared by all) in milliseconds with microsecond fractions, so grants
 * can be spaced finer than a millisecond (a limit of 100 000/s spreads them 10.2 µs apart).
 * ARGV: known epoch, member prefix, first sequence number, count, maxWaitMs, pauseMs to share, recoveryMs,
 * spreadMs, (limit, windowMs) per window, then (member, actual time) pairs: grants that left later than reserved
 * move to when they really left.
 * Each slot is the earliest time t ≥ now, ≥ the latest reservation plus spreadMs (the log stays append-only), with
 * fewer than `limit` reservations in (t - windowMs, t] for every window.
 * Returns {status, epoch, now, waitMs, at...} (numbers as text, to keep the microseconds): status 1 with the
 * reserved times (fewer than asked when the rest would wait longer than maxWaitMs, waitMs then says how long), 0
 * when none could be reserved within maxWaitMs, 2 while recovering from a lost state (waitMs: until it ends).
 */
export const RESERVE_SCRIPT = `
local function f(x) return string.format('%.3f', x) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'hold', 'pause')
local epoch = meta[1]
local hold = tonumber(meta[2] or '0')
if not epoch then
  epoch = t[1] .. '.' .. t[2] .. '.' .. ARGV[2]
  if ARGV[1] ~= '' then hold = now + tonumber(ARGV[7]) end
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'hold', f(hold))
end
local pause = tonumber(meta[3] or '0')
local ask = tonumber(ARGV[6])
if ask > 0 and now + ask > pause then
  pause = now + ask
  redis.call('HSET', KEYS[1], 'pause', f(pause))
end
local nw = #KEYS - 1
local limits, windows, counts = {}, {}, {}
local maxw = 0
for i = 2, #KEYS do
  limits[i] = tonumber(ARGV[7 + 2 * (i - 1)])
  windows[i] = tonumber(ARGV[8 + 2 * (i - 1)])
  if windows[i] > maxw then maxw = windows[i] end
end
if now < hold then
  redis.call('PEXPIRE', KEYS[1], math.ceil(maxw + 60000))
  return {2, epoch, f(now), f(hold - now)}
end
for j = 9 + 2 * nw, #ARGV - 1, 2 do
  for i = 2, #KEYS do redis.call('ZADD', KEYS[i], 'XX', 'GT', ARGV[j + 1], ARGV[j]) end
end
local last = nil
for i = 2, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - windows[i])
  counts[i] = redis.call('ZCARD', KEYS[i])
  if counts[i] > 0 then
    local l = tonumber(redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')[2])
    if last == nil or l > last then last = l end
  end
end
local spread = tonumber(ARGV[8])
local maxwait = tonumber(ARGV[5])
local seq = tonumber(ARGV[3])
local out = {1, epoch, f(now), '0'}
local base, ats, zargs = {}, {}, {}
for i = 2, #KEYS do base[i] = counts[i] end
local first = now
if pause > first then first = pause end
for k = 0, tonumber(ARGV[4]) - 1 do
  local at = first
  if last ~= nil and last + spread > at then at = last + spread end
  for i = 2, #KEYS do
    local n = counts[i] + k - limits[i]
    if n >= 0 then
      -- The limit-th newest reservation: one of this batch's (not yet written), or one already in the set.
      local s = ats[n - base[i] + 1]
      if n < base[i] then s = tonumber(redis.call('ZRANGE', KEYS[i], n, n, 'WITHSCORES')[2]) end
      if s + windows[i] > at then at = s + windows[i] end
    end
  end
  at = math.ceil(at * 1000) / 1000
  if at - now > maxwait then
    out[4] = f(at - now)
    if k == 0 then out[1] = 0 end
    break
  end
  ats[k + 1] = at
  zargs[#zargs + 1] = f(at)
  zargs[#zargs + 1] = ARGV[2] .. (seq + k)
  last = at
  out[#out + 1] = zargs[#zargs - 1]
end
if #zargs > 0 then
  for i = 2, #KEYS do redis.call('ZADD', KEYS[i], unpack(zargs)) end
end
if last ~= nil then
  for i = 2, #KEYS do redis.call('PEXPIRE', KEYS[i], math.ceil(last - now + windows[i] + 1000)) end
end
redis.call('PEXPIRE', KEYS[1], math.ceil((last or now) - now + maxw + 60000))
return out
`

/**
 * Puts one process's recent reservations back after Redis lost some or all of the state (a restart emptied it, or
 * a failover promoted a replica that had not yet received the latest writes). Each goes in under the member name it
 * was reserved under, so a reservation the state still holds is not counted twice. Adding entries only ever pushes
 * later slots back, so this is safe at any time; the hold (set by the reservation script after a loss, or by the
 * fence after a failover) makes it happen before anyone is granted on the new state.
 * ARGV: epoch, member prefix, windowMs per window, then (sequence number, reservation time) pairs.
 */
export const RESEED_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
local nw = #KEYS - 1
for i = 2, #KEYS do
  local w = tonumber(ARGV[i + 1])
  local zargs = {}
  for j = 3 + nw, #ARGV - 1, 2 do
    local s = tonumber(ARGV[j + 1])
    if s > now - w then
      zargs[#zargs + 1] = ARGV[j + 1]
      zargs[#zargs + 1] = ARGV[2] .. ARGV[j]
      if #zargs >= 1000 then
        redis.call('ZADD', KEYS[i], 'NX', unpack(zargs))
        zargs = {}
      end
    end
  end
  if #zargs > 0 then redis.call('ZADD', KEYS[i], 'NX', unpack(zargs)) end
  redis.call('PEXPIRE', KEYS[i], math.ceil(w + 1000))
end
return 1
`

/**
 * Fences the shared state when the node answering is not the one that wrote it: the state hash records the `run_id`
 * of the node that last fenced it, and a promoted replica (a Sentinel failover) or a restarted server that loaded
 * its data from disk has another. Replication is asynchronous, so the newest reservations may be missing on the
 * new node: the fence sets a hold (no slot is granted while it lasts) for every process to re-seed what it
 * reserved, under the same member names. Run once per new connection, before its first reservation.
 * ARGV: the run_id this process last saw ('' for none), holdMs.
 * Returns {run_id, epoch ('' when there is no state), now, fenced: 1 when this call set the hold}. Where INFO is
 * not allowed (an ACL without it, a renamed command) the run_id is '' and nothing is fenced: the quota then works
 * as it did before fencing, and a failover may lose the newest reservations.
 */
export const FENCE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local info = redis.pcall('INFO', 'server')
local run = type(info) == 'string' and string.match(info, 'run_id:(%w+)') or ''
local meta = redis.call('HMGET', KEYS[1], 'epoch', 'hold', 'node')
if not meta[1] or run == '' then return {run, meta[1] or '', string.format('%.3f', now), 0} end
local fenced = 0
if (meta[3] and meta[3] ~= run) or (ARGV[1] ~= '' and ARGV[1] ~= run) then
  local hold = now + tonumber(ARGV[2])
  if hold > tonumber(meta[2] or '0') then
    redis.call('HSET', KEYS[1], 'hold', string.format('%.3f', hold))
    fenced = 1
  end
end
if meta[3] ~= run then redis.call('HSET', KEYS[1], 'node', run) end
return {run, meta[1], string.format('%.3f', now), fenced}
`

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex')
const RESERVE_SHA = sha1(RESERVE_SCRIPT)
const RESEED_SHA = sha1(RESEED_SCRIPT)
const FENCE_SHA = sha1(FENCE_SCRIPT)

/** A reserved slot: how long to wait for it, and what Redis knows it by. */
export interface Reservation {
  waitMs: number
  /** The reservation's sequence number in this process (its member is `<id>:<seq>`); absent for a local-share grant. */
  seq?: number
  /** Its time on Redis's clock. */
  at?: number
}

/**
 * Where the outcome of each caller's reservation goes: one object for every caller of a limiter, so that a batch
 * of N reservations costs no promise and no closure per caller.
 */
export interface ReservationSink<T> {
  reserved(caller: T, reservation: Reservation): void
  failed(caller: T, error: unknown): void
}

/**
 * This process's latest reservations (sequence number → Redis time) in a ring, to re-seed after Redis lost the
 * state: O(1) to add and to correct a late one, no per-entry allocation (a Map used as a queue degrades as its
 * deleted slots pile up).
 */
class RecentReservations {
  private readonly seqs: Float64Array
  private readonly times: Float64Array
  private head = 0
  private size = 0

  constructor(max: number) {
    this.seqs = new Float64Array(max)
    this.times = new Float64Array(max)
  }

  add(seq: number, at: number): void {
    this.seqs[this.head] = seq
    this.times[this.head] = at
    this.head = this.head + 1 === this.seqs.length ? 0 : this.head + 1
    if (this.size < this.seqs.length) this.size++
  }

  /** Moves a reservation still held to the time it really left. */
  correct(seq: number, at: number): void {
    const max = this.seqs.length
    const newest = this.head === 0 ? max - 1 : this.head - 1
    const back = (this.seqs[newest] as number) - seq
    if (this.size === 0 || back < 0 || back >= this.size) return
    const index = (newest - back + max) % max
    if (this.seqs[index] === seq) this.times[index] = at
  }

  forEach(each: (seq: number, at: number) => void): void {
    const max = this.seqs.length
    for (let k = 0; k < this.size; k++) {
      const index = (this.head - this.size + k + max) % max
      each(this.seqs[index] as number, this.times[index] as number)
    }
  }
}

/** Lateness (ms) above which a grant's actual time is written back to the shared log. */
const LATE_MS = 2
/** Most corrections carried by one call. */
const MAX_CORRECTIONS = 32
/** Most reservations asked for in one round trip: callers that queue while a call is out go in the next one. */
const MAX_BATCH = 256
/**
 * Most reservation calls out at once (pipelined on the one connection; Redis runs them in order, so slots stay in
 * order). With one, callers released by a reply queue behind the next reply and batches alternate half-full.
 */
const MAX_CALLS_OUT = 2
/** Most reservations a process sends back after a Redis restart. */
const MAX_RESEED = 50_000
/**
 * How far apart in time the processes sharing a quota may reconnect after a failover: the reconnect delay of the
 * connections the limiter opens grows to at most 1 s (redis-connection.ts). A fence holds `recoveryMs` plus this,
 * so that every process has re-seeded before the first grant on the new node.
 */
const RECONNECT_SPREAD_MS = 1_000

/** The script's reply: status, epoch, Redis's time, a wait (refused or held), then the reserved times. */
type Reply = [status: number, epoch: string, now: string, waitMs: string, ...at: string[]]

/** The local clock in milliseconds with sub-millisecond fractions. */
const preciseNow = () => performance.timeOrigin + performance.now()

/**
 * The shared quota: callers that arrive together are reserved together, one EVALSHA per batch (at most one call
 * out at a time; the next batch collects whoever queued meanwhile). When Redis fails, the quota fails closed
 * with an error naming what happened, or falls back to a local share of the quota.
 */
export class RedisQuota<T> {
  private readonly o: ResolvedOptions
  private readonly log: Logger
  private readonly sink: ReservationSink<T>
  private client: RedisClient
  private owned: boolean
  /** A connection the limiter opened and then replaced (a cluster node that answered MOVED), closed with it. */
  private replaced: RedisClient | undefined
  private readonly keys: string[]
  private readonly windowArgs: string[]
  private readonly id = randomUUID().slice(0, 12)
  private seq = 0
  private epoch = ''
  /** `run_id` of the Redis node this process last talked to, and the connection (socket) it was fenced on. */
  private node = ''
  private fencedStream: unknown
  /** The Cluster hash slot of the quota's keys (they share one hash tag). */
  private readonly slot: number
  private fencing: Promise<void> | undefined
  private pendingPauseMs = 0
  /** (member, actual time) pairs of grants that went late, for the next call. */
  private corrections: string[] = []
  /** This process's own reservations (member → Redis time, corrected when one left late), to re-seed after a restart. */
  private readonly mine: RecentReservations
  private readonly mineWindowMs: number
  /** The local share used while Redis is down. */
  private readonly share: SlidingWindowLog[]
  /** Callers waiting for the next batch. */
  private waiting: T[] = []
  private callsOut = 0
  /** A send is scheduled: on a microtask when no call is out, else on the next turn of the event loop. */
  private scheduled = false
  /** Redis clock minus local clock, from the last reply. */
  private offset = 0
  private down = false
  /** True once Redis answered: from then on, a connection that is not ready counts as down at once. */
  private connected = false
  private connecting: Promise<void> | undefined
  private closed = false

  constructor(options: ResolvedOptions, log: Logger, sink: ReservationSink<T>) {
    this.o = options
    this.log = log
    this.sink = sink
    const tag = `{${options.key}}`
    this.keys = [`${tag}:meta`, ...options.windows.map((w) => `${tag}:${w.name}`)]
    this.slot = keySlot(this.keys[0] as string)
    this.windowArgs = options.windows.flatMap((w) => [String(w.limit), String(w.enforcedMs)])
    const longest = options.windows.reduce((a, b) => (b.enforcedMs > a.enforcedMs ? b : a))
    this.mineWindowMs = longest.enforcedMs
    this.mine = new RecentReservations(Math.min(longest.limit, MAX_RESEED))
    this.share = options.windows.map(
      (w) => new SlidingWindowLog(Math.max(1, Math.floor(w.limit * options.localShare)), w.enforcedMs),
    )
    const { client, owned } = connect(options.redis as NonNullable<ResolvedOptions['redis']>, options.redisTimeoutMs)
    this.client = client
    this.owned = owned
    this.listen(client)
  }

  private listen(client: RedisClient): void {
    if (this.owned) {
      client.on('error', (error: Error) => this.noteDown(error))
      // ioredis gives up for good when a reconnect fails inside its connector (a Sentinel set mid-failover): a
      // connection of ours that ended without close() is opened again, so the quota recovers on its own.
      client.on('end', () => {
        if (this.closed || client !== this.client) return
        setTimeout(() => {
          if (!this.closed && client.status === 'end') client.connect().catch(() => undefined)
        }, 250).unref()
      })
      if (isCluster(client)) client.on('node error', (error: Error) => this.noteDown(error))
    }
    client.on('ready', this.onReady)
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
    if (reservation.seq === undefined || reservation.at === undefined) return
    const actual = Math.ceil((preciseNow() + this.offset) * 1000) / 1000
    if (actual - reservation.at > LATE_MS) {
      this.mine.correct(reservation.seq, actual)
      if (this.corrections.length < 2 * MAX_CORRECTIONS) {
        this.corrections.push(`${this.id}:${reservation.seq}`, String(actual))
      }
    }
  }

  /** Reserves a slot for `caller`; the sink hears of it (with the milliseconds to wait) or of the failure. */
  reserve(caller: T): void {
    this.waiting.push(caller)
    this.schedule()
  }

  private schedule(): void {
    if (this.scheduled || this.callsOut >= MAX_CALLS_OUT || this.closed) return
    this.scheduled = true
    // With no call out, callers released in the same tick join this batch; with one out, the next call waits for
    // the end of this turn of the event loop, so that it carries everyone who queued meanwhile.
    if (this.callsOut === 0) queueMicrotask(this.sendNext)
    else setImmediate(this.sendNext)
  }

  private readonly sendNext = (): void => {
    this.scheduled = false
    if (this.waiting.length === 0 || this.closed || this.callsOut >= MAX_CALLS_OUT) return
    const batch = this.waiting.length <= MAX_BATCH ? this.waiting : this.waiting.slice(0, MAX_BATCH)
    this.waiting = batch === this.waiting ? [] : this.waiting.slice(MAX_BATCH)
    this.callsOut++
    void this.send(batch)
    if (this.waiting.length > 0) this.schedule()
  }

  /** Reserves one batch; when Redis fails, each caller gets the fallback (a local share) or the typed error. */
  private async send(batch: T[]): Promise<void> {
    try {
      await this.reserveBatch(batch)
    } catch (error) {
      for (const caller of batch) {
        let reservation: Reservation
        try {
          reservation = this.fallback(error)
        } catch (failure) {
          this.sink.failed(caller, failure)
          continue
        }
        this.sink.reserved(caller, reservation)
      }
    } finally {
      this.callsOut--
      if (this.waiting.length > 0) this.schedule()
    }
  }

  /** Reserves one slot per caller of `batch` (in order), waiting out a recovery hold; throws what Redis threw. */
  private async reserveBatch(batch: T[]): Promise<void> {
    for (;;) {
      if (this.client.status !== 'ready') await this.firstConnect()
      await this.ensureFenced()
      const seq = this.seq
      this.seq += batch.length
      const reply = await this.call(seq, batch.length)
      const [status, epoch, nowText, waitText] = reply
      const now = Number(nowText)
      this.offset = now - preciseNow()
      this.connected = true
      if (this.down) {
        this.down = false
        this.log.info({ key: this.o.key }, 'rate limit: Redis reachable again; the shared quota applies')
      }
      if (epoch !== this.epoch) {
        const lost = this.epoch !== ''
        this.epoch = epoch
        if (lost) await this.reseed(now, 'lost')
      }
      if (status === 2) {
        await sleep(Number(waitText))
        continue
      }
      for (let i = 0; i < batch.length; i++) {
        const text = reply[4 + i]
        const caller = batch[i] as T
        if (text === undefined) {
          this.sink.failed(caller, rateLimited(Number(waitText), 'shared quota (Redis)'))
          continue
        }
        const at = Number(text)
        this.mine.add(seq + i, at)
        this.sink.reserved(caller, { waitMs: Math.max(0, at - now), seq: seq + i, at })
      }
      return
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
    const client = this.client
    if (client.status === 'wait') await client.connect().catch(() => undefined)
    if (client.status === 'ready') return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.off('ready', onReady)
        reject(new RedisTimeout(`not connected after ${this.o.redisTimeoutMs} ms (${client.status})`))
      }, this.o.redisTimeoutMs)
      const onReady = () => {
        clearTimeout(timer)
        resolve()
      }
      client.once('ready', onReady)
    })
  }

  private async call(seq: number, count: number): Promise<Reply> {
    const pause = this.pendingPauseMs
    const corrections = this.corrections
    this.corrections = []
    const args = [
      this.epoch,
      `${this.id}:`,
      String(seq),
      String(count),
      String(this.o.maxWaitMs),
      String(pause),
      String(this.o.recoveryMs),
      String(this.o.spreadMs),
      ...this.windowArgs,
      ...corrections,
    ]
    const reply = (await this.eval(RESERVE_SHA, RESERVE_SCRIPT, args)) as Reply
    if (pause > 0 && this.pendingPauseMs === pause) this.pendingPauseMs = 0
    return reply
  }

  /**
   * EVALSHA, and EVAL when Redis answers NOSCRIPT (a restart or SCRIPT FLUSH emptied its script cache), bounded by
   * `redisTimeoutMs`. A single connection to a node of a cluster that answers MOVED or ASK is replaced by a
   * Cluster client seeded with that node, which follows the redirection.
   */
  private async eval(sha: string, script: string, args: string[]): Promise<unknown> {
    try {
      return await this.evalOnce(sha, script, args)
    } catch (error) {
      if (classify(error) !== 'misrouted' || isCluster(this.client)) throw error
      this.followCluster()
      await this.waitReady()
      return this.evalOnce(sha, script, args)
    }
  }

  private async evalOnce(sha: string, script: string, args: string[]): Promise<unknown> {
    const client = this.client
    try {
      return await this.withTimeout(client.evalsha(sha, this.keys.length, ...this.keys, ...args))
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
      return this.withTimeout(client.eval(script, this.keys.length, ...this.keys, ...args))
    }
  }

  private followCluster(): void {
    const single = this.client as Exclude<RedisClient, { isCluster: true }>
    this.log.info(
      { key: this.o.key },
      'rate limit: the Redis node answered MOVED (it is part of a cluster); following the cluster',
    )
    single.off('ready', this.onReady)
    if (this.owned) this.replaced = single
    this.client = clusterFromNode(single as never, this.o.redisTimeoutMs)
    this.owned = true
    this.listen(this.client)
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = this.o.redisTimeoutMs
    return withTimeout(promise, ms, () => new RedisTimeout(`no answer within ${ms} ms`))
  }

  /**
   * On a reconnect, asks Redis for the state's epoch at once (a call that reserves nothing), so that a process
   * whose callers are all waiting on earlier reservations still re-seeds within the recovery hold.
   */
  private readonly onReady = (): void => {
    if (!this.connected || this.closed) return
    Promise.resolve(this.ensureFenced())
      .then(() => this.call(this.seq, 0))
      .then(
        async (reply) => {
          const [, epoch, now] = reply
          if (epoch !== this.epoch) {
            this.epoch = epoch
            await this.reseed(Number(now), 'lost')
          }
        },
        (error: unknown) => this.log.debug({ err: message(error) }, 'rate limit: probe after reconnect failed'),
      )
  }

  /**
   * Once per connection (ioredis opens a new socket on every reconnect, a Sentinel one to whichever node is primary
   * now; in a Cluster, the connection to the master that serves the quota's slot, which a failover or a restart
   * of that master replaces), before its first reservation: runs the fence, and re-seeds when the node is not the
   * one this process talked to before.
   */
  private ensureFenced(): Promise<void> | undefined {
    const client = this.client
    const stream = isCluster(client) ? slotConnection(client, this.slot) : (client as { stream?: unknown }).stream
    if (stream === undefined || stream === this.fencedStream) return undefined
    this.fencing ??= this.fence(stream).finally(() => {
      this.fencing = undefined
    })
    return this.fencing
  }

  private async fence(stream: unknown): Promise<void> {
    const holdMs = String(this.o.recoveryMs + RECONNECT_SPREAD_MS)
    const [node, epoch, now, fenced] = (await this.eval(FENCE_SHA, FENCE_SCRIPT, [this.node, holdMs])) as [
      string,
      string,
      string,
      number,
    ]
    const changed = this.node !== '' && node !== '' && this.node !== node
    if (node !== '') this.node = node
    this.fencedStream = stream
    if (fenced === 1) {
      this.log.warn(
        { key: this.o.key, holdMs: Number(holdMs) },
        'rate limit: another Redis node now holds the shared quota (failover, or a restart from disk); holding while every process re-seeds its recent requests',
      )
    }
    // A lost state (another epoch) is re-seeded by the reservation that sees it.
    if (changed && epoch !== '' && epoch === this.epoch) await this.reseed(Number(now), 'node')
  }

  private async reseed(now: number, why: 'lost' | 'node'): Promise<void> {
    const pairs: string[] = []
    this.mine.forEach((seq, at) => {
      if (at > now - this.mineWindowMs) pairs.push(String(seq), String(at))
    })
    this.log.warn(
      { key: this.o.key, reseeded: pairs.length / 2 },
      why === 'lost'
        ? 'rate limit: Redis lost the shared quota state (restart or failover?); re-seeding this process’s recent requests and holding briefly'
        : 'rate limit: the Redis node changed (failover?); re-seeding this process’s recent requests',
    )
    if (pairs.length === 0) return
    const windows = this.o.windows.map((w) => String(w.enforcedMs))
    try {
      await this.eval(RESEED_SHA, RESEED_SCRIPT, [this.epoch, `${this.id}:`, ...windows, ...pairs])
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
    const failure = classify(error)
    if (failure === 'misrouted' || failure === 'script-refused') throw this.failed(failure, error)
    this.noteDown(error)
    if (this.o.onRedisDown === 'fail-closed') throw this.failed(failure, error)
    const now = Date.now()
    let at = now
    for (const log of this.share) at = Math.max(at, log.nextAt(now))
    if (at - now > this.o.maxWaitMs) throw rateLimited(at - now, 'local share of the quota while Redis is down')
    for (const log of this.share) log.record(at)
    this.mine.add(this.seq++, at + this.offset)
    return { waitMs: at - now }
  }

  /** The error of a failed Redis call, named by what happened. */
  private failed(failure: RedisFailure, error: unknown): RateLimitError {
    return new RateLimitError({ ...describeFailure(failure, this.o.key, this.o.redisTimeoutMs, error), cause: error })
  }

  async close(): Promise<void> {
    this.closed = true
    this.client.off('ready', this.onReady)
    for (const caller of this.waiting.splice(0)) this.sink.failed(caller, new Error('closed'))
    const clients = [this.owned ? this.client : undefined, this.replaced]
    await Promise.all(
      clients.map(async (client) => {
        if (client === undefined) return
        try {
          await client.quit()
        } catch {
          client.disconnect()
        }
      }),
    )
  }
}

/** Message, hint and details of each way a Redis call fails (each code's hint written out for errors.md). */
function describeFailure(failure: RedisFailure, key: string, timeoutMs: number, error: unknown) {
  const what = `the shared quota "${key}"`
  const details = { key, failure }
  switch (failure) {
    case 'timed-out':
      return {
        code: 'FK_HTTP_RATE_LIMIT_REDIS_TIMEOUT' as const,
        message: `[fieldkit/http] rate limit: Redis did not answer within ${timeoutMs} ms for ${what}`,
        hint: 'Redis is reachable but slow or overloaded; check its latency (redis-cli --latency) and load, or raise rateLimit.redisTimeoutMs',
        details,
      }
    case 'misrouted':
      return {
        code: 'FK_HTTP_RATE_LIMIT_REDIS_MISROUTED' as const,
        message: `[fieldkit/http] rate limit: the Redis cluster kept redirecting the key of ${what} (${message(error).slice(0, 80)})`,
        hint: 'The cluster is resharding or its nodes disagree about slots; check redis-cli --cluster check, and pass every master URL as rateLimit.redis',
        details,
      }
    case 'script-refused':
      return {
        code: 'FK_HTTP_RATE_LIMIT_REDIS_SCRIPT' as const,
        message: `[fieldkit/http] rate limit: Redis refused the reservation script for ${what} (${message(error).slice(0, 120)})`,
        hint: 'Redis answered but would not run the script: check that the user may run EVAL/EVALSHA (ACL), that scripting is not disabled, and that the key holds no foreign data',
        details,
      }
    default:
      return {
        code: 'FK_HTTP_RATE_LIMIT_REDIS_DOWN' as const,
        message: `[fieldkit/http] rate limit: Redis is unreachable for ${what} (${message(error).slice(0, 120)})`,
        hint: "Check that Redis is up and reachable from this host; set rateLimit.onRedisDown: 'local-share' to keep going on a share of the quota",
        details,
      }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
