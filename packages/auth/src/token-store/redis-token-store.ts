import { OAuth2Error } from '../oauth2/oauth2-error'
import { parseStoredTokens, type TokenStore } from './token-store'

/** The few commands the Redis store needs; an `ioredis` client (or a Cluster) fits. */
export interface RedisLike {
  get(key: string): Promise<string | null>
  set(key: string, value: string): Promise<unknown>
  del(key: string): Promise<unknown>
}

/** Options of {@link redisTokenStore}. */
export interface RedisTokenStoreOptions {
  /** A connected client, e.g. `new Redis(process.env.REDIS_URL)` from ioredis; the caller owns and closes it. */
  redis: RedisLike
  /** Prefix of the Redis keys (default `fieldkit:auth:tokens:`). */
  prefix?: string
}

/**
 * Keeps tokens in Redis, so that every replica of a service uses the latest rotated refresh token: when one replica
 * rotates it, the others read the new one instead of replaying the old one and getting `invalid_grant`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * const redis = new Redis(process.env.REDIS_URL)
 * const auth = refreshToken({ tokenUrl, clientId, refreshToken: initial, tokenStore: redisTokenStore({ redis }) })
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
  const prefix = options.prefix ?? 'fieldkit:auth:tokens:'

  const wrap = (error: unknown, action: string, key: string) =>
    new OAuth2Error({
      code: 'FK_AUTH_TOKEN_STORE_IO',
      message: `[fieldkit/auth] could not ${action} the tokens at Redis key ${prefix}${key}`,
      hint: 'Check that Redis is reachable from this process and that the client is connected',
      cause: error,
      details: { key: `${prefix}${key}`, action },
    })

  return {
    async get(key) {
      let text: string | null
      try {
        text = await redis.get(prefix + key)
      } catch (error) {
        throw wrap(error, 'read', key)
      }
      return text === null ? undefined : parseStoredTokens(text, `Redis key ${prefix}${key}`)
    },
    async set(key, tokens) {
      try {
        await redis.set(prefix + key, JSON.stringify(tokens))
      } catch (error) {
        throw wrap(error, 'write', key)
      }
    },
    async delete(key) {
      try {
        await redis.del(prefix + key)
      } catch (error) {
        throw wrap(error, 'delete', key)
      }
    },
  }
}
