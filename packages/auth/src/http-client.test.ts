// The header-based strategies inside @fieldkit/http, which applies them before every attempt, calls challenge() on a
// 401 and sends through a strategy's own dispatcher (NTLM).
import { isFieldkitError } from '@fieldkit/core'
import { createHttpClient } from '@fieldkit/http'
import { type MockServer, serve } from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { digest } from './digest'
import { ntlm } from './ntlm/ntlm'
import { oauth1 } from './oauth1'
import { awsSigV4 } from './sigv4'
import { digestServer, ntlmServer, oauth1Server, sigv4Server } from './test-servers.test-helper'

describe('header-based strategies in @fieldkit/http', () => {
  let mock: MockServer
  const oauth = { consumerKey: 'ck', consumerSecret: 'cs-http', token: 'tk', tokenSecret: 'ts-http' }
  const aws = { accessKeyId: 'AKID', secretAccessKey: 'aws-secret-http', region: 'eu-west-1', service: 'execute-api' }
  beforeAll(async () => {
    mock = await serve([
      digestServer({
        path: '/digest',
        username: 'Mufasa',
        password: 'Circle of Life',
        algorithms: ['SHA-256'],
        strictNc: true,
      }),
      ntlmServer({ path: '/ntlm', user: 'svc', domain: 'CORP', password: 'Ntlm-http-1', timestamp: true }),
      oauth1Server({ path: '/oauth', ...oauth }),
      sigv4Server({ path: '/aws', ...aws }),
    ])
  })
  afterAll(() => mock.close())

  it('Digest: 50 concurrent requests against a server that wants nc to grow, one challenge re-send each at most', async () => {
    const http = createHttpClient({
      baseUrl: mock.url,
      auth: digest({ username: 'Mufasa', password: 'Circle of Life' }),
      retry: { retries: 0 },
    })
    const statuses = await Promise.all(Array.from({ length: 50 }, async () => (await http.request('/digest')).status))
    expect(statuses.every((s) => s === 200)).toBe(true)
    const again = await Promise.all(Array.from({ length: 50 }, async () => (await http.request('/digest')).status))
    expect(again.every((s) => s === 200)).toBe(true)
    await http.close()
  })

  it('Digest: a wrong password gives FK_AUTH_REJECTED', async () => {
    const http = createHttpClient({
      baseUrl: mock.url,
      auth: digest({ username: 'Mufasa', password: 'nope' }),
      retry: { retries: 0 },
    })
    const error = await http.request('/digest').catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_REJECTED')
    await http.close()
  })

  it('NTLM: through the strategy dispatcher, 50 concurrent requests', async () => {
    const http = createHttpClient({
      baseUrl: mock.url,
      auth: ntlm({ username: 'CORP\\svc', password: 'Ntlm-http-1', connections: 4 }),
      retry: { retries: 0 },
    })
    const statuses = await Promise.all(Array.from({ length: 50 }, async () => (await http.request('/ntlm')).status))
    expect(statuses.every((s) => s === 200)).toBe(true)
    await http.close()
  })

  it('OAuth 1.0a and SigV4: signed on every attempt', async () => {
    for (const [auth, path] of [
      [oauth1({ ...oauth, signatureMethod: 'HMAC-SHA256' }), '/oauth?a=1'],
      [awsSigV4(aws), '/aws?b=2'],
    ] as const) {
      const http = createHttpClient({ baseUrl: mock.url, auth, retry: { retries: 0 } })
      for (let i = 0; i < 3; i++) expect((await http.request(path)).status).toBe(200)
      await http.close()
    }
  })
})
