// sessionLogin against @fieldkit/mocks' login portal (written apart from this package), including the auth
// contract suite.
import type { AuthRequest } from '@fieldkit/core'
import { createHttpClient } from '@fieldkit/http'
import { type LoginPortal, loginPortal, type MockServer, serve } from '@fieldkit/mocks'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { authContractSuite } from '../contract-suite.test-helper'
import { type SessionStrategy, sessionLogin } from './session-login'

const USERS = { ana: 'pw-ana-portal-2026' }

/** A request loop that follows the strategy contract for every logged-out signal (401, 403, redirect to login). */
async function send(strategy: SessionStrategy, url: string): Promise<{ status: number; attempts: number }> {
  const req: AuthRequest = { method: 'GET', url: new URL(url), headers: {} }
  for (let attempt = 1; ; attempt++) {
    await strategy.apply(req)
    const res = await request(req.url, { method: 'GET', headers: req.headers })
    await res.body.dump()
    const answer = { status: res.statusCode, headers: res.headers }
    if (!strategy.isLoggedOut(answer)) return { status: res.statusCode, attempts: attempt }
    if (attempt >= 2 || !(await strategy.challenge(answer, req))) return { status: res.statusCode, attempts: attempt }
  }
}

describe('sessionLogin against the @fieldkit/mocks login portal', () => {
  let portal: LoginPortal
  let mock: MockServer
  let auth: SessionStrategy
  // Sessions are expired a minute after the previous re-login, not within the same millisecond: a session refused
  // within 30 s of a re-login counts as refused again (FK_AUTH_REJECTED), see docs/decisions/auth-oauth2-token-cache.md.
  const aMinuteLater = () => vi.setSystemTime(Date.now() + 60_000)
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    portal = loginPortal({ users: USERS, prefix: '/portal' })
    mock = await serve(portal.handlers)
    auth = sessionLogin({
      loginRequest: { url: `${mock.url}/portal/login`, form: { username: 'ana', password: USERS.ana } },
      csrf: { from: 'html', name: 'csrf_token' },
    })
  })
  afterAll(async () => {
    vi.useRealTimers()
    await auth.close()
    await mock.close()
  })

  it.each([
    ['401 (api)', '/portal/api/orders'],
    ['a redirect to the login page (app)', '/portal/app/reports'],
    ['403 (admin)', '/portal/admin/users'],
  ])('logs in again, once, when the session expired and the portal answers %s', async (_kind, path) => {
    expect(await send(auth, `${mock.url}${path}`)).toMatchObject({ status: 200 })
    aMinuteLater()
    portal.expireSessions()
    const before = portal.stats().logins
    expect(await send(auth, `${mock.url}${path}`)).toEqual({ status: 200, attempts: 2 })
    expect(portal.stats().logins - before).toBe(1)
  })

  it.each([
    ['401 (api)', '/portal/api/orders'],
    ['a redirect to the login page (app)', '/portal/app/reports'],
    ['403 (admin)', '/portal/admin/users'],
  ])('through @fieldkit/http too: one re-login when the portal answers %s (isRefused)', async (_kind, path) => {
    const own = sessionLogin({
      loginRequest: { url: `${mock.url}/portal/login`, form: { username: 'ana', password: USERS.ana } },
      csrf: { from: 'html', name: 'csrf_token' },
    })
    const client = createHttpClient({ auth: own })
    expect((await client.request(`${mock.url}${path}`)).status).toBe(200)
    aMinuteLater()
    portal.expireSessions()
    const before = portal.stats().logins
    const res = await client.request(`${mock.url}${path}`)
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(2)
    expect(portal.stats().logins - before).toBe(1)
    await client.close()
  })

  it('single flight: 100 concurrent requests on an expired session cause exactly one login', async () => {
    await send(auth, `${mock.url}/portal/api/a`)
    aMinuteLater()
    portal.expireSessions()
    const before = portal.stats().logins
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => send(auth, `${mock.url}/portal/api/${i}`)))
    expect(results.every((r) => r.status === 200)).toBe(true)
    expect(portal.stats().logins - before).toBe(1)
  })

  it('JSON login with the CSRF token from a JSON login page, sent in X-CSRF-Token', async () => {
    const json = sessionLogin({
      loginRequest: { url: `${mock.url}/portal/login`, json: { username: 'ana', password: USERS.ana } },
      csrf: { from: 'json', name: 'csrfToken', field: 'csrfToken', header: 'x-csrf-token' },
    })
    expect(await send(json, `${mock.url}/portal/api/me`)).toEqual({ status: 200, attempts: 1 })
    await json.close()
  })

  it('a wrong password gives FK_AUTH_LOGIN_FAILED', async () => {
    const wrong = sessionLogin({
      loginRequest: { url: `${mock.url}/portal/login`, form: { username: 'ana', password: 'not-her-password' } },
      csrf: { from: 'html', name: 'csrf_token' },
    })
    await expect(wrong.login()).rejects.toMatchObject({ code: 'FK_AUTH_LOGIN_FAILED' })
    await wrong.close()
  })
})

authContractSuite('sessionLogin (mocks login portal)', async ({ logger }) => {
  const server = await serve(loginPortal({ users: USERS }).handlers)
  // "Wrong": a session from another portal on the same host (cookies ignore the port), which this portal does not
  // know: refused after one new login, so the request ends in FK_AUTH_REJECTED.
  const other = await serve(loginPortal({ users: USERS }).handlers)
  const wrong = sessionLogin({
    loginRequest: { url: `${other.url}/login`, form: { username: 'ana', password: USERS.ana } },
    csrf: { from: 'html', name: 'csrf_token' },
  })
  const closeWrong = wrong.close.bind(wrong)
  wrong.close = async () => {
    await closeWrong()
    await other.close()
  }
  return {
    strategy: sessionLogin({
      loginRequest: { url: `${server.url}/login`, form: { username: 'ana', password: USERS.ana } },
      csrf: { from: 'html', name: 'csrf_token' },
      logger,
    }),
    server,
    path: '/api/contract',
    secrets: [USERS.ana],
    wrong,
  }
})
