import { expected, type Logger, withTimeout } from '@fieldkit/core'
import { OAuth2Error } from '../oauth2/oauth2-error'
import { parseStoredTokens, type TokenStore } from './token-store'

/**
 * The few commands the Redis store needs; an ioredis `Redis` or `Cluster` fits. `status`, `once`/`off` and `call`
 * are used when present: to fail at once instead of queueing while the connection is down, and to check at
 * start-up that Redis persists what it is given (`CONFIG GET appendonly` / `save`).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const redis: RedisLike = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, commandTimeout: 1_000 })
 * ```
 */
export interface RedisLike {
  get(key: string): Promise<string | null>
  set(key: string, value: string): Promise<unknown>
  del(key: string): Promise<unknown>
  /** ioredis's connection state: `'ready'` when commands are answered. */
  readonly status?: string
  once?(event: 'ready', listener: () => void): unknown
  off?(event: 'ready', listener: () => void): unknown
  call?(command: string, ...args: string[]): Promise<unknown>
}

/** Options of {@link redisTokenStore}. */
export interface RedisTokenStoreOptions {
  /**
   * A client, e.g. `new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, commandTimeout: 1_000 })` from
   * ioredis; the caller owns and closes it.
   */
  redis: RedisLike
  /** Prefix of the Redis keys (default `fieldkit:auth:tokens:`). */
  prefix?: string
  /**
   * Longest a read, write or delete may take before it fails with `FK_AUTH_TOKEN_STORE_IO`, in ms (default 2 000).
   * While the connection is down (ioredis status other than `ready`) a call fails at once instead of queueing.
   */
  timeoutMs?: number
  /** Where the start-up persistence check logs its warning (silent by default). */
  logger?: Logger
  /** Check at start-up whether Redis persists data and warn when it does not (default true). */
  checkPersistence?: boolean
}

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => silent }

/**
 * Keeps tokens in Redis, so that every replica of a service uses the latest rotated refresh token: when one replica
 * rotates it, the others read the new one instead of replaying the old one and getting `invalid_grant`. Every call
 * is bounded by `timeoutMs` and fails at once while the connection is down (`FK_AUTH_TOKEN_STORE_IO`: the token
 * could not be read or saved), and works again on its own when Redis is back. At start-up it checks that Redis
 * persists what it is given, and logs a warning with the fix when it does not: a rotated refresh token that only
 * lived in memory is gone after a Redis restart.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, commandTimeout: 1_000 })
 * const store = redisTokenStore({ redis, logger })
 * const auth = refreshToken({ tokenUrl, clientId, refreshToken: initial, tokenStore: store })
 * ```
 */
export function redisTokenStore(options: RedisTokenStoreOptions): TokenStore {
  const redis = options?.redis
  if (
    typeof redis !== 'object' ||
    redis === null ||
    typeof redis.get !== 'function' ||
    typeof redis.set !== 'function' ||
    typeof redis.del !== 'function'
  ) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: '[fieldkit/auth] Expected `redis` of redisTokenStore to be a Redis client with get, set and del',
      hint: 'Pass a connected ioredis client: redisTokenStore({ redis: new Redis(process.env.REDIS_URL) })',
    })
  }
  const timeoutMs = options.timeoutMs ?? 2_000
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] ${expected('timeoutMs', 'a positive number of milliseconds', timeoutMs)}`,
      hint: 'Give redisTokenStore a timeoutMs such as 2000: how long a token read or write may wait for Redis',
    })
  }
  const prefix = options.prefix ?? 'fieldkit:auth:tokens:'
  const logger = options.logger ?? silent
  const run = bounded(redis, timeoutMs)

  const wrap = (error: unknown, action: string, key: string) =>
    new OAuth2Error({
      code: 'FK_AUTH_TOKEN_STORE_IO',
      message: `[fieldkit/auth] could not ${action} the tokens at Redis key ${prefix}${key}: ${reason(error)}`,
      hint: 'Check that Redis is reachable from this process; the call fails fast while it is down and works again once it is back',
      cause: error,
      details: { key: `${prefix}${key}`, action, timeoutMs },
    })

  if (options.checkPersistence !== false) {
    void checkPersistence(redis, run, logger)
  }

  return {
    async get(key) {
      let text: string | null
      try {
        text = await run(() => redis.get(prefix + key))
      } catch (error) {
        throw wrap(error, 'read', key)
      }
      return text === null ? undefined : parseStoredTokens(text, `Redis key ${prefix}${key}`)
    },
    async set(key, tokens) {
      try {
        await run(() => redis.set(prefix + key, JSON.stringify(tokens)))
      } catch (error) {
        throw wrap(error, 'save', key)
      }
    },
    async delete(key) {
      try {
        await run(() => redis.del(prefix + key))
      } catch (error) {
        throw wrap(error, 'delete', key)
      }
    },
  }
}

/** Why a call failed, in words that carry no token: a timeout, a connection state, or the client's error text. */
function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.slice(0, 120)
}

/**
 * Runs a command within `timeoutMs`: at once when the connection is ready, after waiting (within the same bound)
 * for a connection still being opened, and not at all while it is reconnecting (no command piles up in the
 * client's offline queue during an outage).
 */
function bounded(redis: RedisLike, timeoutMs: number) {
  return async <T>(command: () => Promise<T>): Promise<T> => {
    const started = Date.now()
    const status = redis.status
    if (status === 'reconnecting' || status === 'end' || status === 'close') {
      throw new Error(`Redis connection is ${status}`)
    }
    if (status !== undefined && status !== 'ready') await ready(redis, timeoutMs)
    const left = Math.max(1, timeoutMs - (Date.now() - started))
    return withTimeout(command(), left, () => new Error(`Redis did not answer within ${Math.round(left)} ms`))
  }
}

function ready(redis: RedisLike, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (typeof redis.once !== 'function') return resolve()
    const onReady = () => {
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(() => {
      redis.off?.('ready', onReady)
      reject(new Error(`Redis not connected after ${timeoutMs} ms (${redis.status})`))
    }, timeoutMs)
    redis.once('ready', onReady)
  })
}

/** The value of a `CONFIG GET name` answer (`['appendonly', 'no']`), or undefined. */
function configValue(answer: unknown): string | undefined {
  return Array.isArray(answer) && typeof answer[1] === 'string' ? answer[1] : undefined
}

/**
 * Asks Redis whether it persists writes (`CONFIG GET appendonly` and `save`) and warns when a restart would lose
 * them. Managed services often refuse CONFIG: then it says so at debug level and trusts the operator.
 */
async function checkPersistence(redis: RedisLike, run: ReturnType<typeof bounded>, logger: Logger): Promise<void> {
  const call = redis.call
  if (typeof call !== 'function') return
  let appendonly: string | undefined
  let save: string | undefined
  try {
    appendonly = configValue(await run(() => call.call(redis, 'CONFIG', 'GET', 'appendonly')))
    save = configValue(await run(() => call.call(redis, 'CONFIG', 'GET', 'save')))
  } catch (error) {
    logger.debug({ err: reason(error) }, 'token store: could not check Redis persistence (CONFIG GET refused?)')
    return
  }
  if (appendonly === undefined || appendonly === 'yes') return
  const fix =
    'turn on the append-only file: CONFIG SET appendonly yes, and appendonly yes (appendfsync everysec or always) in redis.conf'
  if (save === undefined || save.trim() === '') {
    logger.warn(
      { appendonly, save: save ?? '' },
      `token store: Redis persists nothing (no AOF, no RDB snapshots); a Redis restart loses every rotated refresh token and the next refresh gets invalid_grant. Fix: ${fix}`,
    )
  } else {
    logger.warn(
      { appendonly, save },
      `token store: Redis keeps only periodic RDB snapshots; a crash loses refresh tokens rotated since the last one and the next refresh gets invalid_grant. Fix: ${fix}`,
    )
  }
}
