import type { Logger } from '@fieldkit/core'
import { type RedisServer, redisAvailable, startRedisServer } from '@fieldkit/mocks'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRateLimiter, type RateLimiter, type RateLimitOptions } from './index'

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => silent }

async function acquireAll(
  limiters: RateLimiter[],
  count: number,
  start = Date.now(),
  times: number[] = [],
): Promise<number[]> {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const release = await (limiters[i % limiters.length] as RateLimiter).acquire()
      times.push(Date.now() - start)
      release()
    }),
  )
  return times.sort((a, b) => a - b)
}

function maxInAnyWindow(sorted: number[], windowMs: number): number {
  let best = 0
  let lo = 0
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] as number) - (sorted[lo] as number) >= windowMs) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

async function evalCalls(admin: Redis): Promise<number> {
  const info = await admin.info('commandstats')
  let calls = 0
  for (const m of info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) calls += Number(m[1])
  return calls
}

describe.skipIf(!redisAvailable() && !process.env.CI)('quota shared through Redis', () => {
  let redis: RedisServer
  let admin: Redis
  let n = 0
  const opts = (extra: Partial<RateLimitOptions> = {}): RateLimitOptions => ({
    perSecond: 10,
    marginMs: 0,
    redis: redis.url,
    key: `test-${++n}`,
    ...extra,
  })

  beforeAll(async () => {
    redis = await startRedisServer()
    admin = new Redis(redis.url, { lazyConnect: true })
    admin.on('error', () => undefined)
    await admin.connect()
  })
  afterAll(async () => {
    admin.disconnect()
    await redis.stop()
  })

  it('keeps two limiters on one key within one quota, callers that arrive together sharing one round trip', async () => {
    const options = opts()
    const a = createRateLimiter(options, { logger: silent })
    const b = createRateLimiter(options, { logger: silent })
    const start = Date.now()
    const warm = await acquireAll([a, b], 2, start) // connect both before counting
    const before = await evalCalls(admin)
    const times = await acquireAll([a, b], 18, start, warm)
    // 18 callers at once on two limiters: far fewer calls than callers (one batch each, then whoever queued).
    const calls = (await evalCalls(admin)) - before
    expect(calls).toBeGreaterThanOrEqual(2)
    expect(calls).toBeLessThanOrEqual(9)
    // 20 grants in all: 10 in the first second, then 10 more after it. Exactly so on Redis's clock; seen from
    // here, reply latency and a busy machine may shift a grant by some ms (what marginMs absorbs).
    const scores = (await admin.zrange(`{${options.key}}:perSecond`, 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1)
    expect(scores).toHaveLength(20)
    expect(maxInAnyWindow(scores.map(Number), 1_000)).toBe(10)
    expect(maxInAnyWindow(times, 900)).toBeLessThanOrEqual(10)
    expect(times.at(-1)).toBeGreaterThanOrEqual(900)
    await Promise.all([a.close(), b.close()])
  })

  it('shares a pause from a 429 with every process on the next reservation', async () => {
    const options = opts({ perSecond: 100 })
    const a = createRateLimiter(options, { logger: silent })
    const b = createRateLimiter(options, { logger: silent })
    ;(await b.acquire())()
    a.observe(429, { 'retry-after': '1' })
    const start = Date.now()
    const first = Promise.resolve(a.acquire()).then((release) => {
      release()
      return Date.now() - start
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const release = await b.acquire()
    release()
    expect(Date.now() - start).toBeGreaterThanOrEqual(900)
    expect(await first).toBeGreaterThanOrEqual(900)
    await Promise.all([a.close(), b.close()])
  })

  it('fails closed with FK_HTTP_RATE_LIMIT_REDIS_DOWN, then recovers after a restart without NOSCRIPT errors', async () => {
    const rl = createRateLimiter(opts({ recoveryMs: 100 }), { logger: silent })
    ;(await rl.acquire())()
    await redis.stop()
    await expect(Promise.resolve(rl.acquire())).rejects.toMatchObject({ code: 'FK_HTTP_RATE_LIMIT_REDIS_DOWN' })
    await redis.start()
    // The new server has no script cached and no state: the limiter reloads the script and holds recoveryMs.
    const deadline = Date.now() + 5_000
    let release: (() => void) | undefined
    while (release === undefined && Date.now() < deadline) {
      release = await Promise.resolve(rl.acquire()).catch(
        () => new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)),
      )
    }
    expect(release).toBeTypeOf('function')
    release?.()
    expect(rl.state().store).toBe('redis')
    await rl.close()
  })

  it('fences the state when another node answers (failover): holds, then re-seeds the reservations the node lost', async () => {
    // A failover, made deterministic: the state is kept on disk (AOF) but the newest reservations are missing from
    // it, as on a replica that had not yet received them, and the node that comes back has another run_id.
    const node = await startRedisServer({ persistence: 'aof' })
    const nodeAdmin = new Redis(node.url, { lazyConnect: true })
    nodeAdmin.on('error', () => undefined)
    // A margin of 2 s makes the enforced window (3 s) outlast the fence's hold (recoveryMs + 1 s): what keeps the
    // sixth grant back is the re-seeded log, not the hold.
    const options = opts({ redis: node.url, perSecond: 5, spread: false, recoveryMs: 50, marginMs: 2_000 })
    const log = `{${options.key}}:perSecond`
    const rl = createRateLimiter(options, { logger: silent })
    try {
      const start = Date.now()
      await acquireAll([rl], 5, start)
      await nodeAdmin.connect()
      expect(await nodeAdmin.zcard(log)).toBe(5)
      await nodeAdmin.del(log)
      nodeAdmin.disconnect()
      await node.restart()
      let release: (() => void) | undefined
      while (release === undefined && Date.now() - start < 10_000) {
        release = await Promise.resolve(rl.acquire()).catch(
          () => new Promise<undefined>((r) => setTimeout(() => r(undefined), 25)),
        )
      }
      release?.()
      // The sixth grant keeps its distance from the first five, which are back in the log under their own names
      // (nothing counted twice) beside it.
      expect(Date.now() - start).toBeGreaterThanOrEqual(3_000)
      await nodeAdmin.connect()
      const members = await nodeAdmin.zrange(log, 0, -1)
      expect(members).toHaveLength(6)
      expect(new Set(members.map((m) => m.replace(/:\d+$/, ''))).size).toBe(1)
    } finally {
      nodeAdmin.disconnect()
      await rl.close()
      await node.stop()
    }
  })

  it('works for a Redis user that may not run INFO (no fence, no refusal)', async () => {
    await admin.call('ACL', 'SETUSER', 'no-info', 'on', '>pw-no-info', '~*', '+@all', '-info')
    const url = new URL(redis.url)
    url.username = 'no-info'
    url.password = 'pw-no-info'
    const rl = createRateLimiter(opts({ redis: url.href }), { logger: silent })
    try {
      const times = await acquireAll([rl], 3)
      expect(times).toHaveLength(3)
    } finally {
      await rl.close()
      await admin.call('ACL', 'DELUSER', 'no-info')
    }
  })

  it('falls back to a local share of the quota while Redis is down, with a warning', async () => {
    const warnings: string[] = []
    const logger: Logger = {
      ...silent,
      warn: (_f: object, msg?: string) => void warnings.push(msg ?? ''),
      child: () => logger,
    }
    const rl = createRateLimiter(opts({ perSecond: 8, onRedisDown: 'local-share', localShare: 0.25 }), { logger })
    ;(await rl.acquire())()
    await redis.stop()
    const times = await acquireAll([rl], 3)
    // A quarter of 8 per second: two at once, the third a second later.
    expect(times[1]).toBeLessThan(500)
    expect(times[2]).toBeGreaterThanOrEqual(950)
    expect(rl.state().store).toBe('local-share')
    expect(warnings.some((w) => w.includes('Redis unreachable; using 25% of each limit locally'))).toBe(true)
    await redis.start()
    await rl.close()
  })
})
