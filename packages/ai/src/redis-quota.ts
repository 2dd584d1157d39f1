import type { RedisInstance } from '@fieldkit/core'
import type { Redis } from 'ioredis'
import { AiError } from './errors'
import { loadIoredis } from './load-ioredis'
import type { QuotaLimits, QuotaStore } from './quota-store'
import type { ProviderQuota } from './rate-headers'

/**
 * One round trip per reservation, on Redis's own clock (TIME), so processes with drifting clocks agree.
 * KEYS: [1] sorted set of reservations by time, [2] hash reservation → tokens, [3] hash of shared state
 * (pause, the provider's remaining tokens/requests and their resets). ARGV: id, tokens, token limit, request
 * limit, window + margin (ms). Returns 0 when reserved, else the ms to wait.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tokens = tonumber(ARGV[2])
local tlimit = tonumber(ARGV[3])
local rlimit = tonumber(ARGV[4])
local span = tonumber(ARGV[5])
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - span)
for _, id in ipairs(old) do redis.call('HDEL', KEYS[2], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local s = redis.call('HMGET', KEYS[3], 'pause', 'tokens', 'tokensReset', 'requests', 'requestsReset')
local wait = 0
local pause = tonumber(s[1] or '0')
if pause > now then wait = pause - now end
local stok = tonumber(s[2] or '-1')
local stokReset = tonumber(s[3] or '0')
if stokReset > now and stok >= 0 and stok < tokens and stokReset - now > wait then wait = stokReset - now end
local sreq = tonumber(s[4] or '-1')
local sreqReset = tonumber(s[5] or '0')
if sreqReset > now and sreq >= 0 and sreq < 1 and sreqReset - now > wait then wait = sreqReset - now end
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local n = #entries / 2
local used = tokens
local amounts = {}
for i = 1, n do
  local v = tonumber(redis.call('HGET', KEYS[2], entries[2 * i - 1]) or '0')
  amounts[i] = v
  used = used + v
end
local i = 1
while used > tlimit and i <= n do
  used = used - amounts[i]
  local free = tonumber(entries[2 * i]) + span - now + 1
  if free > wait then wait = free end
  i = i + 1
end
if n + 1 > rlimit then
  local free = tonumber(entries[2 * (n - rlimit + 1)]) + span - now + 1
  if free > wait then wait = free end
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], tokens)
if stok >= 0 then redis.call('HSET', KEYS[3], 'tokens', stok - tokens) end
if sreq >= 0 then redis.call('HSET', KEYS[3], 'requests', sreq - 1) end
redis.call('PEXPIRE', KEYS[1], span * 2)
redis.call('PEXPIRE', KEYS[2], span * 2)
redis.call('PEXPIRE', KEYS[3], span * 2 + 3600000)
return 0
`

/** Replaces an estimate by the actual usage, if the reservation is still in the window. */
const SETTLE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 0
`

/** Moves a reservation to Redis's now, if it is still in the window. */
const TOUCH = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return 0
`

/** Records the provider's headers and a pause; times are made absolute on Redis's clock. ARGV: pauseMs, tokens, tokensResetIn, requests, requestsResetIn ('' when absent). */
const OBSERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[1] ~= '' then
  local until_ = now + tonumber(ARGV[1])
  if until_ > tonumber(redis.call('HGET', KEYS[1], 'pause') or '0') then redis.call('HSET', KEYS[1], 'pause', until_) end
end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'tokens', ARGV[2], 'tokensReset', now + tonumber(ARGV[3])) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'requests', ARGV[4], 'requestsReset', now + tonumber(ARGV[5])) end
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0
`

/** The quota shared by every process using the same Redis and key. */
export class RedisQuotaStore implements QuotaStore {
  private readonly redis: Redis
  private readonly owned: boolean
  private readonly keys: [string, string, string]
  private readonly limits: QuotaLimits

  constructor(redis: string | RedisInstance, key: string, limits: QuotaLimits) {
    this.owned = typeof redis === 'string'
    this.redis =
      typeof redis === 'string'
        ? new (loadIoredis('quota.redis').Redis)(redis, { lazyConnect: true, maxRetriesPerRequest: 1 })
        : (redis as unknown as Redis) // the caller's ioredis client, typed structurally in the public options
    this.keys = [`${key}:log`, `${key}:tokens`, `${key}:state`]
    this.limits = limits
  }

  async reserve(tokens: number, id: string): Promise<number> {
    const { tokens: tl, requests: rl, windowMs, marginMs } = this.limits
    const big = (n: number) => (Number.isFinite(n) ? String(n) : '1e308')
    try {
      const wait = await this.redis.eval(RESERVE, 3, ...this.keys, id, tokens, big(tl), big(rl), windowMs + marginMs)
      return Number(wait)
    } catch (cause) {
      throw new AiError({
        code: 'FK_AI_QUOTA',
        message: '[fieldkit/ai] the shared token quota in Redis could not be reached; the call was not sent',
        hint: 'Check that Redis is up and reachable at rateLimit.redis; calls wait for it rather than overrun the provider quota',
        cause,
      })
    }
  }

  async touch(id: string): Promise<void> {
    await this.redis.eval(TOUCH, 1, this.keys[0], id).catch(() => {})
  }

  settle(id: string, tokens: number): void {
    this.redis.eval(SETTLE, 1, this.keys[1], id, tokens).catch(() => {})
  }

  async observe(quota: ProviderQuota, pauseMs: number): Promise<void> {
    const now = Date.now()
    const rel = (at: number | undefined) => (at === undefined ? '0' : String(Math.max(0, at - now)))
    const tokens = quota.remainingTokens !== undefined && quota.tokensResetAt !== undefined
    const requests = quota.remainingRequests !== undefined && quota.requestsResetAt !== undefined
    if (pauseMs <= 0 && !tokens && !requests) return
    // Awaited: a 429's pause must be in Redis before any caller reserves again.
    await this.redis
      .eval(
        OBSERVE,
        1,
        this.keys[2],
        pauseMs > 0 ? String(pauseMs) : '',
        tokens ? String(quota.remainingTokens) : '',
        rel(quota.tokensResetAt),
        requests ? String(quota.remainingRequests) : '',
        rel(quota.requestsResetAt),
      )
      .catch(() => {})
  }

  async close(): Promise<void> {
    if (this.owned) this.redis.disconnect()
  }
}
