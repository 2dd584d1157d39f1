import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isFieldkitError } from '@fieldkit/core'
import { type MockServer, type RedisServer, redisAvailable, serve, startRedisServer } from '@fieldkit/mocks'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileTokenStore } from '../token-store/file-token-store'
import { memoryTokenStore } from '../token-store/memory-token-store'
import { redisTokenStore } from '../token-store/redis-token-store'
import type { TokenStore } from '../token-store/token-store'
import { withAuth } from '../with-auth'
import { refreshToken } from './refresh-token'
import { tokenServer } from './token-server.test-helper'

const SECRET = 'cs-refresh-secret-77'

describe('refreshToken', () => {
  const server = tokenServer({
    clients: { app: SECRET },
    refreshTokens: ['rt-initial-a', 'rt-initial-b', 'rt-initial-c', 'rt-initial-d'],
  })
  let mock: MockServer
  let tokenUrl: string
  beforeAll(async () => {
    mock = await serve(server.handlers)
    tokenUrl = `${mock.url}/oauth2/token`
  })
  afterAll(() => mock.close())

  /** Runs the client, forgets it (a restart), and checks that a new instance goes on with the rotated token. */
  async function survivesRestart(store: () => TokenStore, initial: string): Promise<void> {
    const first = refreshToken({
      tokenUrl,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: initial,
      tokenStore: store(),
    })
    const res = await withAuth(first)(`${mock.url}/api/resource`)
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    await first.close()
    expect(server.state.refresh.has(initial)).toBe(false) // spent: the server rotated it
    server.revokeAccessTokens() // the saved access token is refused too, so the new instance must refresh
    const second = refreshToken({
      tokenUrl,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: initial,
      tokenStore: store(),
    })
    const before = server.state.tokenRequests
    const again = await withAuth(second)(`${mock.url}/api/resource`)
    expect(again.statusCode).toBe(200)
    await again.body.dump()
    expect(server.state.tokenRequests - before).toBe(1) // one refresh, with the rotated token, accepted
    await second.close()
  }

  it('saves the rotated refresh token to a file (0600) that a restarted client reads', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fk-auth-')), 'tokens.json')
    await survivesRestart(() => fileTokenStore({ path }), 'rt-initial-a')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const saved = JSON.parse(readFileSync(path, 'utf8'))
    const entry = Object.values(saved)[0] as { refreshToken: string }
    expect(server.state.refresh.has(entry.refreshToken)).toBe(true)
  })

  it('without a durable store, a restart replays the spent token and gets FK_AUTH_INVALID_GRANT naming the tokenStore', async () => {
    const first = refreshToken({
      tokenUrl,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: 'rt-initial-b',
      tokenStore: memoryTokenStore(),
    })
    await first.getToken()
    await first.close()
    const second = refreshToken({ tokenUrl, clientId: 'app', clientSecret: SECRET, refreshToken: 'rt-initial-b' })
    const error = await second.getToken().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_INVALID_GRANT')
    expect(isFieldkitError(error) && error.hint).toContain('rotated and lost')
    expect(isFieldkitError(error) && error.hint).toContain('tokenStore')
    expect(String(error) + JSON.stringify(error)).not.toContain('rt-initial-b')
    await second.close()
  })

  it('a replica that replays a token another replica just rotated takes the stored one and goes on', async () => {
    const store = memoryTokenStore()
    const a = refreshToken({
      tokenUrl,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: 'rt-initial-c',
      tokenStore: store,
      refreshBeforeExpiryMs: 0,
    })
    const b = refreshToken({
      tokenUrl,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: 'rt-initial-c',
      tokenStore: store,
      refreshBeforeExpiryMs: 0,
    })
    await a.getToken()
    // b starts from the store: it takes a's access token instead of replaying rt-initial-c.
    const before = server.state.tokenRequests
    await b.getToken()
    expect(server.state.tokenRequests - before).toBe(0)
    await a.close()
    await b.close()
  })

  it('writes the token file atomically: a corrupt file gives FK_AUTH_TOKEN_STORE_CORRUPT, not a crash', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fk-auth-')), 'tokens.json')
    writeFileSync(path, '{ half a file')
    const auth = refreshToken({
      tokenUrl,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: 'rt-initial-d',
      tokenStore: fileTokenStore({ path }),
    })
    const error = await auth.getToken().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_TOKEN_STORE_CORRUPT')
    await auth.close()
  })

  it('says so when there is no refresh token at all', async () => {
    const auth = refreshToken({ tokenUrl, clientId: 'app', clientSecret: SECRET })
    const error = await auth.getToken().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_NO_REFRESH_TOKEN')
    await auth.close()
  })

  describe.skipIf(!redisAvailable() && !process.env.CI)('with a Redis store', () => {
    let redis: RedisServer
    const clients: Redis[] = []
    beforeAll(async () => {
      redis = await startRedisServer()
    })
    afterAll(async () => {
      for (const c of clients) c.disconnect()
      await redis?.stop()
    })

    it('saves the rotated refresh token to Redis, where a restarted client (another replica) reads it', async () => {
      server.state.refresh.add('rt-redis-1')
      const store = () => {
        const client = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 })
        clients.push(client)
        return redisTokenStore({ redis: client })
      }
      await survivesRestart(store, 'rt-redis-1')
      const check = new Redis(redis.url)
      clients.push(check)
      const keys = await check.keys('fieldkit:auth:tokens:*')
      expect(keys).toHaveLength(1)
      const saved = JSON.parse((await check.get(keys[0] as string)) ?? '{}')
      expect(server.state.refresh.has(saved.refreshToken)).toBe(true)
    })
  })
})
