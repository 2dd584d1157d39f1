import { generateKeyPairSync } from 'node:crypto'
import { isFieldkitError } from '@fieldkit/core'
import { type MockServer, serve } from '@fieldkit/mocks'
import { HttpResponse, http } from 'msw'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { withAuth } from '../with-auth'
import { clientCredentials } from './client-credentials'
import { tokenServer } from './token-server.test-helper'

const SECRET = 'cs-very-secret-0042'

describe('clientCredentials', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const server = tokenServer({ clients: { app: SECRET }, clientKeys: { keyed: rsa.publicKey } })
  let mock: MockServer
  let tokenUrl: string
  beforeAll(async () => {
    mock = await serve(server.handlers)
    tokenUrl = `${mock.url}/oauth2/token`
  })
  afterAll(() => mock.close())
  afterEach(() => {
    vi.useRealTimers()
    server.state.delayMs = 0
    server.state.expiresIn = 3600
    server.state.refuseAll = false
  })

  it.each(['client_secret_basic', 'client_secret_post'] as const)(
    'authenticates the client with %s',
    async (method) => {
      const auth = clientCredentials({ tokenUrl, clientId: 'app', clientSecret: SECRET, clientAuth: method })
      const res = await withAuth(auth)(`${mock.url}/api/resource`)
      expect(res.statusCode).toBe(200)
      await res.body.dump()
      const sent = mock.requests.findLast((r) => r.path === '/oauth2/token')
      if (method === 'client_secret_basic') expect(sent?.headers.authorization).toMatch(/^Basic /)
      else expect(sent?.body).toContain('client_secret=')
      await auth.close()
    },
  )

  it('authenticates the client with private_key_jwt (a signed client assertion)', async () => {
    const auth = clientCredentials({
      tokenUrl,
      clientId: 'keyed',
      clientKey: { privateKey: rsa.privateKey, keyId: 'k1' },
    })
    expect(await auth.getToken()).toMatch(/^at-/)
    const sent = new URLSearchParams(mock.requests.findLast((r) => r.path === '/oauth2/token')?.body)
    expect(sent.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    expect(sent.has('client_secret')).toBe(false)
    await auth.close()
  })

  it('reuses the cached token until shortly before it expires, then fetches a new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const auth = clientCredentials({ tokenUrl, clientId: 'app', clientSecret: SECRET, refreshBeforeExpiryMs: 60_000 })
    const before = server.state.tokenRequests
    const first = await auth.getToken()
    for (let i = 0; i < 5; i++) expect(await auth.getToken()).toBe(first)
    expect(server.state.tokenRequests - before).toBe(1)
    vi.advanceTimersByTime(3_600_000 - 30_000) // inside the refresh window, token still valid
    expect(await auth.getToken()).toBe(first) // served at once, refreshed in the background
    await vi.waitFor(() => expect(server.state.tokenRequests - before).toBe(2))
    // The server counts the request before the client has read and stored the answer: wait for the new token.
    await vi.waitFor(async () => expect(await auth.getToken()).not.toBe(first))
    expect(server.state.tokenRequests - before).toBe(2)
    await auth.close()
  })

  it('single flight: 100 concurrent requests through an expired token cause exactly one token request', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const auth = clientCredentials({ tokenUrl, clientId: 'app', clientSecret: SECRET })
    const send = withAuth(auth)
    await (await send(`${mock.url}/api/resource`)).body.dump()
    vi.advanceTimersByTime(3_600_000 + 1_000) // the cached token has expired
    server.state.delayMs = 50
    const before = server.state.tokenRequests
    const statuses = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const res = await send(`${mock.url}/api/resource`)
        await res.body.dump()
        return res.statusCode
      }),
    )
    expect(server.state.tokenRequests - before).toBe(1)
    expect(statuses.filter((s) => s === 200)).toHaveLength(100)
    await auth.close()
  })

  it('a 401 on a valid-looking token causes one refresh and one retry', async () => {
    const auth = clientCredentials({ tokenUrl, clientId: 'app', clientSecret: SECRET })
    const send = withAuth(auth)
    await (await send(`${mock.url}/api/resource`)).body.dump()
    server.revokeAccessTokens() // the token still looks valid to the client
    const before = server.state.tokenRequests
    const resourceBefore = mock.requests.filter((r) => r.path === '/api/resource').length
    const res = await send(`${mock.url}/api/resource`)
    await res.body.dump()
    expect(res.statusCode).toBe(200)
    expect(server.state.tokenRequests - before).toBe(1)
    expect(mock.requests.filter((r) => r.path === '/api/resource').length - resourceBefore).toBe(2)
    await auth.close()
  })

  it('a second 401 with the fresh token gives FK_AUTH_REJECTED after exactly one refresh', async () => {
    const auth = clientCredentials({ tokenUrl, clientId: 'app', clientSecret: SECRET })
    const send = withAuth(auth)
    await (await send(`${mock.url}/api/resource`)).body.dump()
    server.state.refuseAll = true
    const before = server.state.tokenRequests
    const resourceBefore = mock.requests.filter((r) => r.path === '/api/resource').length
    const error = await send(`${mock.url}/api/resource`).catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_REJECTED')
    expect(server.state.tokenRequests - before).toBe(1)
    expect(mock.requests.filter((r) => r.path === '/api/resource').length - resourceBefore).toBe(2)
    await auth.close()
  })

  it('after a fresh token was refused, the next request starts from a new token, not the refused one', async () => {
    const auth = clientCredentials({ tokenUrl, clientId: 'app', clientSecret: SECRET })
    const send = withAuth(auth)
    server.state.refuseAll = true
    await expect(send(`${mock.url}/api/resource`)).rejects.toMatchObject({ code: 'FK_AUTH_REJECTED' })
    server.state.refuseAll = false
    const before = server.state.tokenRequests
    const res = await send(`${mock.url}/api/resource`)
    await res.body.dump()
    expect(res.statusCode).toBe(200)
    expect(server.state.tokenRequests - before).toBe(1)
    await auth.close()
  })

  it('100 requests refused at once share one refresh', async () => {
    const auth = clientCredentials({ tokenUrl, clientId: 'app', clientSecret: SECRET })
    const send = withAuth(auth)
    await (await send(`${mock.url}/api/resource`)).body.dump()
    server.revokeAccessTokens()
    server.state.delayMs = 30
    const before = server.state.tokenRequests
    const statuses = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const res = await send(`${mock.url}/api/resource`)
        await res.body.dump()
        return res.statusCode
      }),
    )
    expect(statuses.every((s) => s === 200)).toBe(true)
    expect(server.state.tokenRequests - before).toBe(1)
    await auth.close()
  })

  it('a wrong client secret gives FK_AUTH_INVALID_CLIENT with a hint, and no secret in the error', async () => {
    const auth = clientCredentials({ tokenUrl, clientId: 'app', clientSecret: 'cs-wrong-secret-99' })
    const error = await auth.getToken().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_INVALID_CLIENT')
    const text = JSON.stringify(error) + String(error)
    expect(text).toContain('clientSecret')
    expect(text).not.toContain('cs-wrong-secret-99')
    await auth.close()
  })

  it('an unreachable token endpoint gives FK_AUTH_TOKEN_ENDPOINT_UNREACHABLE', async () => {
    const gone = await serve([])
    const url = `${gone.url}/oauth2/token`
    await gone.close()
    const auth = clientCredentials({ tokenUrl: url, clientId: 'app', clientSecret: SECRET, timeoutMs: 2_000 })
    const error = await auth.getToken().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_TOKEN_ENDPOINT_UNREACHABLE')
    await auth.close()
  })

  it('a login page instead of a token endpoint gives FK_AUTH_TOKEN_RESPONSE', async () => {
    const html = await serve([http.post('*/login', () => HttpResponse.html('<html>sign in</html>'))])
    const auth = clientCredentials({ tokenUrl: `${html.url}/login`, clientId: 'app', clientSecret: SECRET })
    const error = await auth.getToken().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_TOKEN_RESPONSE')
    await auth.close()
    await html.close()
  })

  it('validates its options at construction', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return isFieldkitError(e) ? e.code : 'other'
      }
      return 'none'
    }
    expect(codeOf(() => clientCredentials({ tokenUrl: 'not a url', clientId: 'a', clientSecret: 'b' }))).toBe(
      'FK_AUTH_INVALID_OPTIONS',
    )
    expect(codeOf(() => clientCredentials({ tokenUrl, clientSecret: 'b' }))).toBe('FK_AUTH_INVALID_OPTIONS')
    expect(codeOf(() => clientCredentials({ tokenUrl, clientId: 'a', clientAuth: 'client_secret_post' }))).toBe(
      'FK_AUTH_INVALID_OPTIONS',
    )
    expect(
      codeOf(() =>
        clientCredentials({
          tokenUrl,
          clientId: 'a',
          clientAuth: 'private_key_jwt',
          clientKey: { privateKey: 'nope' },
        }),
      ),
    ).toBe('FK_AUTH_PRIVATE_KEY')
    expect(codeOf(() => clientCredentials({ tokenUrl, clientId: 'a', clientSecret: 'b', timeoutMs: -1 }))).toBe(
      'FK_AUTH_INVALID_OPTIONS',
    )
  })

  it('is unusable after close()', async () => {
    const auth = clientCredentials({ tokenUrl, clientId: 'app', clientSecret: SECRET })
    await auth.getToken()
    await auth.close()
    const error = await auth.getToken().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_CLOSED')
  })
})
