import { chmodSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
