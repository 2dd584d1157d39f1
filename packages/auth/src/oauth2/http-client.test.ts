// The token strategies inside @fieldkit/http's client, which calls challenge() once on a 401 and throws
// FK_AUTH_REJECTED when the retried request is refused again.
import { generateKeyPairSync } from 'node:crypto'
import { isFieldkitError } from '@fieldkit/core'
import { createHttpClient } from '@fieldkit/http'
import { type MockServer, serve } from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { clientCredentials } from './client-credentials'
import { jwtBearer } from './jwt-bearer'
import { refreshToken } from './refresh-token'
import { tokenServer } from './token-server.test-helper'

const SECRET = 'cs-http-secret-555'
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })

describe('token strategies in @fieldkit/http', () => {
  const server = tokenServer({
    clients: { app: SECRET },
    refreshTokens: ['rt-http-1'],
    jwtIssuers: { 'svc@example': { key: rsa.publicKey } },
  })
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve(server.handlers)
  })
  afterAll(() => mock.close())

  const strategies = {
    clientCredentials: () =>
      clientCredentials({ tokenUrl: `${mock.url}/oauth2/token`, clientId: 'app', clientSecret: SECRET }),
    refreshToken: () =>
      refreshToken({
        tokenUrl: `${mock.url}/oauth2/token`,
        clientId: 'app',
        clientSecret: SECRET,
        refreshToken: 'rt-http-1',
      }),
    jwtBearer: () =>
      jwtBearer({ tokenUrl: `${mock.url}/oauth2/token`, issuer: 'svc@example', privateKey: rsa.privateKey }),
  }

  it.each(Object.keys(strategies) as (keyof typeof strategies)[])(
    '%s: a 401 on a valid-looking token causes one refresh and one retry; a second 401 gives FK_AUTH_REJECTED',
    async (name) => {
      server.state.refuseAll = false
      vi.useFakeTimers({ toFake: ['Date'] })
      const http = createHttpClient({ baseUrl: mock.url, auth: strategies[name](), retry: { retries: 0 } })
      const resource = () => mock.requests.filter((r) => r.path === '/api/resource').length
      expect((await http.request('/api/resource')).status).toBe(200)

      server.revokeAccessTokens() // the cached token still looks valid to the client
      let tokens = server.state.tokenRequests
      let sent = resource()
      expect((await http.request('/api/resource')).status).toBe(200)
      expect(server.state.tokenRequests - tokens).toBe(1)
      expect(resource() - sent).toBe(2)

      // Later (past the window in which a just-fetched token that is refused counts as wrong credentials), the API
      // starts refusing every token, even a fresh one.
      vi.setSystemTime(Date.now() + 60_000)
      server.state.refuseAll = true
      tokens = server.state.tokenRequests
      sent = resource()
      const error = await http.request('/api/resource').catch((e: unknown) => e)
      expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_REJECTED')
      expect(server.state.tokenRequests - tokens).toBe(1)
      expect(resource() - sent).toBe(2)
      server.state.refuseAll = false
      vi.useRealTimers()
      await http.close()
    },
  )
})
