// The token strategies against @fieldkit/mocks' verifying OAuth 2.0 token endpoint and bearer resource (written apart
// from this package), including the auth contract suite.
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isFieldkitError } from '@fieldkit/core'
import {
  bearerResource,
  type MockServer,
  oauth2TokenEndpoint,
  type RedisServer,
  redisAvailable,
  serve,
  startRedisServer,
} from '@fieldkit/mocks'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { authContractSuite } from '../contract-suite.test-helper'
import { fileTokenStore } from '../token-store/file-token-store'
import { redisTokenStore } from '../token-store/redis-token-store'
import type { TokenStore } from '../token-store/token-store'
import { withAuth } from '../with-auth'
import { clientCredentials } from './client-credentials'
import { jwtBearer } from './jwt-bearer'
import { refreshToken } from './refresh-token'

const SECRET = 'cs-mock-secret-8080'
const AUDIENCE = 'https://login.example.test'
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = (k: typeof rsa.publicKey) => String(k.export({ type: 'spki', format: 'pem' }))

function endpoint() {
  return oauth2TokenEndpoint({
    path: '/oauth2/token',
    clients: { app: SECRET },
    clientKeys: { keyed: pem(ec.publicKey) },
    jwtIssuers: { 'sf-consumer-key': pem(rsa.publicKey) },
    audience: AUDIENCE,
  })
}
async function start() {
  const tokens = endpoint()
  const mock = await serve([...tokens.handlers, ...bearerResource({ path: '/api/me', tokenEndpoint: tokens })])
  return { tokens, mock, tokenUrl: `${mock.url}/oauth2/token` }
}

describe('token strategies against the @fieldkit/mocks token endpoint', () => {
  let env: Awaited<ReturnType<typeof start>>
  beforeAll(async () => {
    env = await start()
  })
  afterAll(() => env.mock.close())
  const resource = () => `${env.mock.url}/api/me`

  it('single flight: 100 concurrent requests through an expired token cause exactly one token request', async () => {
    const auth = clientCredentials({ tokenUrl: env.tokenUrl, clientId: 'app', clientSecret: SECRET })
    const send = withAuth(auth)
    await (await send(resource())).body.dump()
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 3_601_000) // past the token's expiry, for the client and the mock alike
      const before = env.tokens.stats().tokenRequests
      const statuses = await Promise.all(
        Array.from({ length: 100 }, async () => {
          const res = await send(resource())
          await res.body.dump()
          return res.statusCode
        }),
      )
      expect(env.tokens.stats().tokenRequests - before).toBe(1)
      expect(statuses.filter((s) => s === 200)).toHaveLength(100)
    } finally {
      vi.useRealTimers()
      await auth.close()
    }
  })

  it('a 401 on a valid-looking token causes one refresh and one retry', async () => {
    const auth = clientCredentials({
      tokenUrl: env.tokenUrl,
      clientId: 'app',
      clientSecret: SECRET,
      clientAuth: 'client_secret_post',
    })
    const send = withAuth(auth)
    await (await send(resource())).body.dump()
    env.tokens.expireAccessTokens()
    const before = env.tokens.stats()
    const res = await send(resource())
    expect(await res.body.json()).toMatchObject({ ok: true, client: 'app' })
    const after = env.tokens.stats()
    expect(after.tokenRequests - before.tokenRequests).toBe(1)
    expect(after.resourceRequests - before.resourceRequests).toBe(2)
    await auth.close()
  })

  it('private_key_jwt (ES256) client authentication is accepted', async () => {
    const auth = clientCredentials({
      tokenUrl: env.tokenUrl,
      clientId: 'keyed',
      clientKey: { privateKey: ec.privateKey, algorithm: 'ES256' },
    })
    const res = await withAuth(auth)(`${env.mock.url}/api/me`)
    expect(await res.body.json()).toMatchObject({ ok: true, client: 'keyed' })
    await auth.close()
  })

  it('jwtBearer, Salesforce style, is accepted; the wrong audience gives FK_AUTH_INVALID_GRANT', async () => {
    const ok = jwtBearer({
      tokenUrl: env.tokenUrl,
      issuer: 'sf-consumer-key',
      subject: 'ana@client.example',
      audience: AUDIENCE,
      privateKey: rsa.privateKey,
    })
    const res = await withAuth(ok)(resource())
    expect(await res.body.json()).toMatchObject({ ok: true, user: 'ana@client.example' })
    const wrong = jwtBearer({
      tokenUrl: env.tokenUrl,
      issuer: 'sf-consumer-key',
      subject: 'ana@client.example',
      privateKey: rsa.privateKey,
    })
    const error = await wrong.getToken().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_INVALID_GRANT')
    await ok.close()
    await wrong.close()
  })

  /** Runs a client, restarts it (a new instance over the same store) and checks it goes on with the rotated token. */
  async function survivesRestart(store: () => TokenStore) {
    const initial = env.tokens.issueRefreshToken('app', 'ana')
    const first = refreshToken({
      tokenUrl: env.tokenUrl,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: initial,
      tokenStore: store(),
    })
    await (await withAuth(first)(resource())).body.dump()
    await first.close()
    env.tokens.expireAccessTokens() // the restarted client must refresh, with the rotated refresh token
    const second = refreshToken({
      tokenUrl: env.tokenUrl,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: initial,
      tokenStore: store(),
    })
    const before = env.tokens.stats()
    const res = await withAuth(second)(resource())
    expect(await res.body.json()).toMatchObject({ ok: true, user: 'ana' })
    const after = env.tokens.stats()
    expect(after.tokenRequests - before.tokenRequests).toBe(1)
    expect(after.refused - before.refused).toBe(0) // the spent initial token was never replayed
    await second.close()
  }

  it('a rotated refresh token written to the file store survives a restart of the client', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fk-auth-')), 'tokens.json')
    await survivesRestart(() => fileTokenStore({ path }))
  })

  describe.skipIf(!redisAvailable() && !process.env.CI)('with Redis', () => {
    let redis: RedisServer
    const clients: Redis[] = []
    beforeAll(async () => {
      redis = await startRedisServer()
    })
    afterAll(async () => {
      for (const c of clients) c.disconnect()
      await redis?.stop()
    })
    it('a rotated refresh token written to the Redis store survives a restart of the client', async () => {
      await survivesRestart(() => {
        const client = new Redis(redis.url, { maxRetriesPerRequest: 1 })
        clients.push(client)
        return redisTokenStore({ redis: client })
      })
    })
  })
})

// The auth contract suite, against the real mocks. "Wrong" credentials for a token flow: tokens from another
// authorization server, which the resource refuses even after the one refresh, so the request ends in FK_AUTH_REJECTED.
const others: MockServer[] = []
afterAll(async () => {
  for (const m of others) await m.close()
})
async function foreign() {
  const other = await start()
  others.push(other.mock)
  return other
}

authContractSuite('clientCredentials (mocks token endpoint)', async ({ logger }) => {
  const { mock, tokenUrl } = await start()
  return {
    strategy: clientCredentials({ tokenUrl, clientId: 'app', clientSecret: SECRET, logger }),
    server: mock,
    path: '/api/me',
    secrets: [SECRET],
    wrong: clientCredentials({ tokenUrl: (await foreign()).tokenUrl, clientId: 'app', clientSecret: SECRET, logger }),
  }
})

authContractSuite('refreshToken (mocks token endpoint)', async ({ logger }) => {
  const { mock, tokenUrl, tokens } = await start()
  const initial = tokens.issueRefreshToken('app', 'ana')
  const other = await foreign()
  return {
    strategy: refreshToken({ tokenUrl, clientId: 'app', clientSecret: SECRET, refreshToken: initial, logger }),
    server: mock,
    path: '/api/me',
    secrets: [SECRET, initial],
    wrong: refreshToken({
      tokenUrl: other.tokenUrl,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: other.tokens.issueRefreshToken('app'),
    }),
  }
})

authContractSuite('jwtBearer (mocks token endpoint)', async ({ logger }) => {
  const { mock, tokenUrl } = await start()
  const privateKey = String(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }))
  const options = { issuer: 'sf-consumer-key', subject: 'ana', audience: AUDIENCE, privateKey }
  return {
    strategy: jwtBearer({ tokenUrl, ...options, logger }),
    server: mock,
    path: '/api/me',
    secrets: [privateKey.split('\n')[1] as string],
    wrong: jwtBearer({ tokenUrl: (await foreign()).tokenUrl, ...options }),
  }
})
