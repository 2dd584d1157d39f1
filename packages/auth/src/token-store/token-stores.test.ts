import { chmodSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from '@fieldkit/core'
import { redisAvailable, startRedisServer } from '@fieldkit/mocks'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { fileTokenStore } from './file-token-store'
import { memoryTokenStore } from './memory-token-store'
import { redisTokenStore } from './redis-token-store'

const folder = () => mkdtempSync(join(tmpdir(), 'fk-store-'))

describe('token stores', () => {
  it('memory: returns copies, so a caller cannot change what is stored', async () => {
    const store = memoryTokenStore()
    await store.set('k', { refreshToken: 'rt-1' })
    const got = await store.get('k')
    if (got) got.refreshToken = 'changed'
    expect(await store.get('k')).toEqual({ refreshToken: 'rt-1' })
    await store.delete('k')
    expect(await store.get('k')).toBeUndefined()
  })

  it('file: 50 concurrent writes to different keys all land, and no temporary file is left behind', async () => {
    const dir = folder()
    const store = fileTokenStore({ path: join(dir, 'tokens.json') })
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.set(`client-${i}`, { refreshToken: `rt-${i}` })))
    for (let i = 0; i < 50; i++) expect(await store.get(`client-${i}`)).toEqual({ refreshToken: `rt-${i}` })
    expect(readdirSync(dir)).toEqual(['tokens.json'])
  })

  it('file: replaces a world-readable file with one readable by its owner only', async () => {
    const path = join(folder(), 'tokens.json')
    writeFileSync(path, '{}')
    chmodSync(path, 0o644)
    await fileTokenStore({ path }).set('k', { refreshToken: 'rt' })
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  it('file: a path that cannot be written gives FK_AUTH_TOKEN_STORE_IO with the path and no token', async () => {
    const dir = folder()
    writeFileSync(join(dir, 'a-file'), 'x')
    const store = fileTokenStore({ path: join(dir, 'a-file', 'tokens.json') })
    const error = await store.set('k', { refreshToken: 'rt-secret-value' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'FK_AUTH_TOKEN_STORE_IO' })
    expect(JSON.stringify(error) + String(error)).not.toContain('rt-secret-value')
  })

  it('redis: keeps entries under a prefix and reports a corrupt value as FK_AUTH_TOKEN_STORE_CORRUPT', async () => {
    const data = new Map<string, string>()
    const redis = {
      get: async (k: string) => data.get(k) ?? null,
      set: async (k: string, v: string) => data.set(k, v),
      del: async (k: string) => data.delete(k),
    }
    const store = redisTokenStore({ redis, prefix: 'test:' })
    await store.set('k', { refreshToken: 'rt', expiresAt: 1 })
    expect([...data.keys()]).toEqual(['test:k'])
    expect(await store.get('k')).toEqual({ refreshToken: 'rt', expiresAt: 1 })
    data.set('test:k', '[1,2')
    await expect(store.get('k')).rejects.toMatchObject({ code: 'FK_AUTH_TOKEN_STORE_CORRUPT' })
    const failing = redisTokenStore({ redis: { ...redis, set: async () => Promise.reject(new Error('ECONNREFUSED')) } })
    await expect(failing.set('k', {})).rejects.toMatchObject({ code: 'FK_AUTH_TOKEN_STORE_IO' })
    expect(() => redisTokenStore({ redis: {} as never })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_INVALID_OPTIONS' }),
    )
  })
})

describe.skipIf(!redisAvailable() && !process.env.CI)('redis token store against a real redis-server', () => {
  const capture = () => {
    const warnings: string[] = []
    const logger: Logger = {
      trace() {},
      debug() {},
      info() {},
      warn: (_fields: object, msg?: string) => void warnings.push(msg ?? ''),
      error() {},
      child: () => logger,
    }
    return { logger, warnings }
  }

  it('a read during an outage fails within its timeout with FK_AUTH_TOKEN_STORE_IO, then works again on its own', async () => {
    const server = await startRedisServer()
    // The README's own client, with ioredis's defaults (offline queue on): the store must not hang on it.
    const redis = new Redis(server.url)
    redis.on('error', () => undefined)
    try {
      const store = redisTokenStore({ redis, timeoutMs: 500, checkPersistence: false })
      await store.set('k', { refreshToken: 'rt-outage-secret' })
      await server.stop()
      for (const attempt of [store.get('k'), store.set('k', { refreshToken: 'rt-outage-secret-2' })]) {
        const started = performance.now()
        const error = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(performance.now() - started).toBeLessThan(500 + 250)
        expect(error).toMatchObject({ code: 'FK_AUTH_TOKEN_STORE_IO' })
        const texts = `${String(error)} ${JSON.stringify(error)} ${(error as { hint?: string }).hint}`
        expect(texts).not.toContain('rt-outage-secret')
      }
      await server.start()
      await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', resolve)))
      // Without persistence the restarted Redis is empty: it answers again (undefined = no entry), without a hang.
      await expect(store.get('k')).resolves.toBeUndefined()
    } finally {
      redis.disconnect()
      await server.stop()
    }
  })

  it("a rotated refresh token survives a crash of Redis with persistence: 'aof', and no warning is logged", async () => {
    const server = await startRedisServer({ persistence: 'aof' })
    const redis = new Redis(server.url, { enableOfflineQueue: false, commandTimeout: 1_000 })
    redis.on('error', () => undefined)
    const { logger, warnings } = capture()
    try {
      const store = redisTokenStore({ redis, logger })
      await store.set('erp', { refreshToken: 'rt-1' })
      await store.set('erp', { refreshToken: 'rt-2-rotated' })
      await server.kill()
      await server.start()
      await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', resolve)))
      expect(await store.get('erp')).toEqual({ refreshToken: 'rt-2-rotated' })
      expect(warnings).toEqual([])
    } finally {
      redis.disconnect()
      await server.stop()
    }
  })

  it('warns at start-up, with the fix, when Redis persists nothing; the same token is gone after a restart', async () => {
    const server = await startRedisServer()
    const redis = new Redis(server.url, { enableOfflineQueue: false, commandTimeout: 1_000 })
    redis.on('error', () => undefined)
    const { logger, warnings } = capture()
    try {
      const store = redisTokenStore({ redis, logger })
      await store.set('erp', { refreshToken: 'rt-2-rotated' })
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain('Redis persists nothing')
      expect(warnings[0]).toContain('appendonly yes')
      await server.kill()
      await server.start()
      await new Promise<void>((resolve) => (redis.status === 'ready' ? resolve() : redis.once('ready', resolve)))
      expect(await store.get('erp')).toBeUndefined()
    } finally {
      redis.disconnect()
      await server.stop()
    }
  })
})
