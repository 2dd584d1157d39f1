/**
 * A ready ioredis client (`Redis` or `Cluster`) that a caller hands to Fieldkit, typed by the members Fieldkit
 * relies on rather than by ioredis's own types, so that Fieldkit's published types compile without ioredis
 * installed (ioredis is an optional peer). Fieldkit never closes an instance it was given.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import type { RedisInstance } from '@fieldkit/core'
 *
 * const redis: RedisInstance = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
 * ```
 */
export interface RedisInstance {
  /** ioredis's connection status (`'ready'`, `'reconnecting'`, `'end'` …). */
  readonly status: string
  /** Runs a cached Lua script; every shared state Fieldkit keeps in Redis goes through scripts. */
  evalsha(...args: never[]): Promise<unknown>
}
