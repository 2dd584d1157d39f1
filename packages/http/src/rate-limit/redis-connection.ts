import { createRequire } from 'node:module'
import type { RedisInstance } from '@fieldkit/core'
import { requireOptionalPeer } from '@fieldkit/core'
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis'
import type { RateLimitRedis, RateLimitRedisSentinels } from './types'

const localRequire = createRequire(import.meta.url)
let ioredis: typeof import('ioredis') | undefined

/** ioredis, an optional peer: loaded on the first use of `rateLimit.redis`, FK_OPTIONAL_PEER_MISSING without it. */
function loadIoredis(): typeof import('ioredis') {
  ioredis ??= requireOptionalPeer(() => localRequire('ioredis') as typeof import('ioredis'), {
    name: 'ioredis',
    range: '^5',
    pkg: 'http',
    feature: 'rateLimit.redis',
  })
  return ioredis
}

/** A connection the quota talks to: one node (direct or found through Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster

/** What went wrong with a Redis call, as the error codes name it. */
export type RedisFailure = 'unreachable' | 'timed-out' | 'misrouted' | 'script-refused'

/** Rejection of a call that got no answer within `redisTimeoutMs` (ours, or ioredis's `commandTimeout`). */
export class RedisTimeout extends Error {
  override name = 'RedisTimeout'
}

/**
 * Options of every connection the limiter opens itself: a bounded command timeout, no offline queue (a command
 * sent while disconnected fails at once instead of waiting for a reconnect that may never come), no retries of a
 * failed command (the limiter decides what "down" means), and fast reconnects.
 */
function ownOptions(timeoutMs: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(timeoutMs, 1_000),
    // Reconnect every 25 ms for the first second (a refused loopback connection costs nothing), then back off
    // to at most 1 s apart: a restarted Redis is picked up by every process within a few ms of each other.
    retryStrategy: (times) => (times <= 40 ? 25 : Math.min(times * 50, 1_000)),
  }
}

function hostPort(text: string): { host: string; port: number } {
  const url = new URL(text.includes('://') ? text : `redis://${text}`)
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) }
}

/** Credentials and TLS of a URL, for the nodes of a cluster found from it. */
function nodeOptions(text: string, timeoutMs: number): Omit<RedisOptions, 'retryStrategy' | 'enableOfflineQueue'> {
  const url = new URL(text)
  const { enableOfflineQueue: _q, retryStrategy: _r, ...own } = ownOptions(timeoutMs)
  return {
    ...own,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  }
}

/** A Cluster client over seed nodes, with the same bounds as a single connection. */
export function clusterOf(
  nodes: { host: string; port: number }[],
  redisOptions: ClusterOptions['redisOptions'],
): Cluster {
  return new (loadIoredis().Cluster)(nodes, {
    enableOfflineQueue: false,
    redisOptions,
    // Slots are re-read on MOVED; a node that went away is retried quickly, then every second at most.
    clusterRetryStrategy: (times) => (times <= 40 ? 25 : Math.min(times * 50, 1_000)),
    retryDelayOnFailover: 50,
    retryDelayOnClusterDown: 50,
    slotsRefreshTimeout: 1_000,
  })
}

/** Opens the connection `rateLimit.redis` describes, or returns the caller's instance (`owned: false`). */
export function connect(redis: RateLimitRedis, timeoutMs: number): { client: RedisClient; owned: boolean } {
  if (typeof redis === 'string') return { client: new (loadIoredis().Redis)(redis, ownOptions(timeoutMs)), owned: true }
  if (Array.isArray(redis)) {
    const urls = redis as readonly string[]
    return { client: clusterOf(urls.map(hostPort), nodeOptions(urls[0] as string, timeoutMs)), owned: true }
  }
  // The caller's ioredis instance, typed structurally in the public API (RedisInstance) and used as what it is.
  if (isClient(redis)) return { client: redis as unknown as RedisClient, owned: false }
  const set = redis as RateLimitRedisSentinels
  return {
    client: new (loadIoredis().Redis)({
      ...ownOptions(timeoutMs),
      sentinels: set.sentinels.map((s) => (typeof s === 'string' ? hostPort(s) : { host: s.host, port: s.port })),
      name: set.name,
      ...(set.password === undefined ? {} : { password: set.password }),
      ...(set.sentinelPassword === undefined ? {} : { sentinelPassword: set.sentinelPassword }),
      // No failoverDetector: its disconnect on +switch-master can land in the middle of a reconnect, which ioredis
      // then ends for good. The reconnect after the primary is lost asks the sentinels for the new one anyway.
      sentinelRetryStrategy: (times) => Math.min(times * 100, 1_000),
    }),
    owned: true,
  }
}

function isClient(value: unknown): value is RedisInstance {
  return typeof (value as { evalsha?: unknown }).evalsha === 'function'
}

/** True for an ioredis `Cluster`. */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true
}

/**
 * The Redis Cluster hash slot of a key (CRC16-XMODEM of its UTF-8 bytes, modulo 16384), with the hash-tag rule: when
 * the key holds a `{…}` with at least one character inside, only that part is hashed. As the Cluster specification
 * defines it (redis.io, "Redis cluster specification", key distribution model; its test vector: `123456789` → CRC
 * 0x31C3).
 */
export function keySlot(key: string): number {
  let bytes = Buffer.from(key, 'utf8')
  const open = bytes.indexOf(0x7b)
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1)
    if (close > open + 1) bytes = bytes.subarray(open + 1, close)
  }
  return crc16(bytes) % 16384
}

/** CRC16-XMODEM (polynomial 0x1021, initial 0), as Redis Cluster hashes keys. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0
  for (const byte of bytes) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}

/**
 * In a Cluster, what identifies the connection to the master serving `slot` now: that node's socket once ioredis
 * has one, else its `host:port` (undefined before the slot map is known). A failover or a restart of that master
 * changes it, which is what the quota's fence watches for. Reads ioredis's connection pool, which its types keep
 * private.
 */
export function slotConnection(cluster: Cluster, slot: number): unknown {
  const master = cluster.slots[slot]?.[0]
  if (master === undefined) return undefined
  const pool = (cluster as unknown as { connectionPool?: { getInstanceByKey?(key: string): { stream?: unknown } } })
    .connectionPool
  return pool?.getInstanceByKey?.(master)?.stream ?? master
}

/**
 * A Cluster seeded with the node a single connection talks to, used when that node answers MOVED or ASK (the URL
 * was one node of a cluster): its credentials and TLS carry over, and the Cluster follows redirections itself.
 */
export function clusterFromNode(client: Redis, timeoutMs: number): Cluster {
  const o = client.options
  const { enableOfflineQueue: _q, retryStrategy: _r, ...own } = ownOptions(timeoutMs)
  return clusterOf([{ host: o.host ?? '127.0.0.1', port: o.port ?? 6379 }], {
    ...own,
    ...(o.username ? { username: o.username } : {}),
    ...(o.password ? { password: o.password } : {}),
    ...(o.tls ? { tls: o.tls } : {}),
  })
}

/** Redis replies that mean "not available right now" (a failover, a restart loading its data), not a refusal. */
const UNAVAILABLE = /^(READONLY|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY)\b/

/** Names what happened to a call: timed out, misrouted in a cluster, the script refused, or Redis unreachable. */
export function classify(error: unknown): RedisFailure {
  if (error instanceof RedisTimeout) return 'timed-out'
  const text = error instanceof Error ? error.message : String(error)
  if (/timed? ?out/i.test(text)) return 'timed-out'
  if (/^(MOVED|ASK|CROSSSLOT)\b/.test(text)) return 'misrouted'
  const reply = (error as { name?: string }).name === 'ReplyError'
  if (reply && !UNAVAILABLE.test(text)) return 'script-refused'
  return 'unreachable'
}
