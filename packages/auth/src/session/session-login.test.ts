import { type AuthRequest, isFieldkitError } from '@fieldkit/core'
import { type MockServer, serve } from '@fieldkit/mocks'
import { errorTexts, expectNoLeak, rejection } from '@fieldkit/testing'
import { request } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { withAuth } from '../with-auth'
import { CookieJar } from './cookie-jar'
import { csrfFromHtml } from './csrf'
import { loginPortal } from './login-portal.test-helper'
import { failedLoginReason, type SessionStrategy, sessionLogin } from './session-login'

const USER = 'field.engineer'
const PASSWORD = 'pw-portal-secret-19'

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

describe('sessionLogin', () => {
  const portal = loginPortal({ username: USER, password: PASSWORD })
  let mock: MockServer
  const open: SessionStrategy[] = []
  beforeAll(async () => {
    mock = await serve(portal.handlers)
  })
  afterEach(async () => {
    portal.state.expiredAs = 'redirect'
    portal.state.failedLoginAs = 'redirect'
    portal.state.loginDelayMs = 0
    for (const s of open.splice(0)) await s.close()
  })
  afterAll(() => mock.close())
  const formLogin = (password = PASSWORD) => {
    const s = sessionLogin({
      loginRequest: { url: `${mock.url}/portal/login`, form: { username: USER, password } },
      csrf: { from: 'html', name: '_csrf' },
    })
    open.push(s)
    return s
  }

  it('form login: fetches the CSRF token first, posts it with the form, and sends the session cookie', async () => {
    const s = formLogin()
    expect(await send(s, `${mock.url}/reports/daily`)).toEqual({ status: 200, attempts: 1 })
    const post = mock.requests.findLast((r) => r.method === 'POST' && r.path === '/portal/login')
    expect(post?.headers.cookie).toMatch(/^pre=/)
    expect(new URLSearchParams(post?.body).get('_csrf')).toBeTruthy()
  })

  it('JSON login with a double-submit XSRF cookie sent back in a header', async () => {
    const s = sessionLogin({
      loginRequest: { url: `${mock.url}/api/login`, json: { user: USER, pass: PASSWORD } },
      csrf: { url: `${mock.url}/api/csrf`, from: 'cookie', name: 'XSRF-TOKEN', header: 'x-xsrf-token' },
    })
    open.push(s)
    expect(await send(s, `${mock.url}/reports/weekly`)).toEqual({ status: 200, attempts: 1 })
  })

  it.each(['redirect', '401', '403'] as const)('logs in again once when the session expired (%s)', async (mode) => {
    const s = formLogin()
    await send(s, `${mock.url}/reports/a`)
    portal.state.expiredAs = mode
    portal.expireSessions()
    const before = portal.state.logins
    expect(await send(s, `${mock.url}/reports/b`)).toEqual({ status: 200, attempts: 2 })
    expect(portal.state.logins - before).toBe(1)
  })

  it('single flight: 100 concurrent requests on an expired session cause exactly one login', async () => {
    const s = formLogin()
    await send(s, `${mock.url}/reports/a`)
    portal.expireSessions()
    portal.state.loginDelayMs = 30
    const before = portal.state.logins
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => send(s, `${mock.url}/reports/${i}`)))
    expect(results.every((r) => r.status === 200)).toBe(true)
    expect(portal.state.logins - before).toBe(1)
  })

  it('a wrong password gives FK_AUTH_LOGIN_FAILED without the password in the error', async () => {
    const s = formLogin('pw-wrong-wrong-77')
    const error = await s.login().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_LOGIN_FAILED')
    expect(String(error)).toContain('redirected back to the login page')
    expect(String(error) + JSON.stringify(error)).not.toContain('pw-wrong-wrong-77')
  })

  it('a wrong password on a portal that re-renders its form with 200 is FK_AUTH_LOGIN_FAILED after one post', async () => {
    portal.state.failedLoginAs = 'form'
    const s = formLogin('pw-wrong-form-88')
    const before = portal.state.failedLogins
    const error = await rejection(withAuth(s)(`${mock.url}/reports/daily`))
    expect(error.code).toBe('FK_AUTH_LOGIN_FAILED')
    expect(error.message).toContain('status 200, but the answer still holds a password field')
    expect(error.message).toContain('posted once')
    expect(portal.state.failedLogins - before).toBe(1)
    expectNoLeak(['pw-wrong-form-88'], errorTexts(error))
  })

  it('resolves a path as loginRequest.url and csrf.url against the origin of the request', async () => {
    const s = sessionLogin({
      loginRequest: { url: '/portal/login', form: { username: USER, password: PASSWORD } },
      csrf: { from: 'html', name: '_csrf', url: '/portal/login' },
    })
    open.push(s)
    const res = await withAuth(s)(`${mock.url}/reports/daily`)
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    const post = mock.requests.findLast((r) => r.method === 'POST' && r.path === '/portal/login')
    expect(new URLSearchParams(post?.body).get('_csrf')).toBeTruthy()
  })

  it('login() before any request with a path as URL names the missing origin', async () => {
    const s = sessionLogin({ loginRequest: { url: '/portal/login', form: { username: USER, password: PASSWORD } } })
    open.push(s)
    const error = await rejection(s.login())
    expect(error.code).toBe('FK_AUTH_INVALID_OPTIONS')
    expect(error.message).toContain('no request has named the origin yet')
  })

  it('a CSRF token that is not on the page gives FK_AUTH_CSRF_NOT_FOUND', async () => {
    const s = sessionLogin({
      loginRequest: { url: `${mock.url}/portal/login`, form: { username: USER, password: PASSWORD } },
      csrf: { from: 'html', name: 'authenticity_token' },
    })
    open.push(s)
    const error = await s.login().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_CSRF_NOT_FOUND')
  })

  it('with @fieldkit/auth withAuth: a session refused again right after a new login ends in FK_AUTH_REJECTED', async () => {
    portal.state.expiredAs = '401'
    const s = formLogin()
    await s.login()
    const before = portal.state.logins
    portal.state.acceptSessions = false
    try {
      const error = await withAuth(s)(`${mock.url}/reports/x`).catch((e: unknown) => e)
      expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_REJECTED')
      expect(portal.state.logins - before).toBe(1)
    } finally {
      portal.state.acceptSessions = true
    }
  })

  it('validates its options at construction', () => {
    expect(() => sessionLogin({ loginRequest: { url: 'nope', form: {} } })).toThrow(
      expect.objectContaining({
        code: 'FK_AUTH_INVALID_OPTIONS',
        message:
          '[fieldkit/auth] sessionLogin: Expected `loginRequest.url` to be an http(s) URL or a path starting with /, got "nope"',
      }),
    )
    expect(() => sessionLogin({ loginRequest: { url: 'https://p.example/login' } })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_INVALID_OPTIONS' }),
    )
    expect(() =>
      sessionLogin({
        loginRequest: { url: 'https://p.example/login', form: {} },
        csrf: { from: 'body' as 'html', name: 'x' },
      }),
    ).toThrow(expect.objectContaining({ code: 'FK_AUTH_INVALID_OPTIONS' }))
  })
})

describe('failed login detection', () => {
  const url = new URL('https://portal.example.com/account/login')
  it.each([
    [
      '<form action="/account/login" method="post"><input name="u"><input type="password" name="p"></form>',
      1,
      'the answer still holds a password field',
    ],
    ['<INPUT NAME=p TYPE=PASSWORD>', 1, 'the answer still holds a password field'],
    [
      '<form method=post action=\'login?next=%2F\'><input name="otp"></form>',
      1,
      'the answer still holds the login form',
    ],
    ['<html><a href="/logout">Log out</a></html>', 0, 'no session cookie was set'],
  ])('%s (%s cookies) is a refusal', (body, cookies, reason) => {
    expect(failedLoginReason(body, url, cookies)).toBe(reason)
  })
  it('a dashboard with a session cookie is a success', () => {
    expect(failedLoginReason('<html><form action="/search"><input name="q"></form></html>', url, 1)).toBeUndefined()
  })
  it('stays linear on 200 000 unclosed input tags', () => {
    const started = performance.now()
    expect(failedLoginReason('<input '.repeat(200_000), url, 1)).toBeUndefined()
    expect(performance.now() - started).toBeLessThan(2000)
  })
})

describe('cookie jar', () => {
  const url = new URL('https://portal.example.com/app/reports/daily')
  it('honours path, domain, Secure, Max-Age and Expires', () => {
    const jar = new CookieJar()
    jar.store(
      [
        'sid=1; Path=/; HttpOnly',
        'deep=2; Path=/app/reports',
        'other=3; Path=/admin',
        'wide=4; Domain=.example.com; Path=/',
        'foreign=5; Domain=evil.example.net',
        'gone=6; Max-Age=0',
        'old=7; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
        'sec=8; Secure',
      ],
      url,
    )
    expect(jar.header(url)).toBe('deep=2; sec=8; sid=1; wide=4')
    expect(jar.header(new URL('http://portal.example.com/app/reports/x'))).toBe('deep=2; sid=1; wide=4')
    expect(jar.header(new URL('https://api.example.com/'))).toBe('wide=4')
    expect(jar.header(new URL('https://example.org/'))).toBeUndefined()
    jar.store('sid=; Max-Age=0; Path=/', url)
    expect(jar.header(url)).toBe('deep=2; sec=8; wide=4')
  })

  it('finds the CSRF input whatever the attribute order, quoting and entities', () => {
    expect(csrfFromHtml(`<input value='a&amp;b' type=hidden name=_csrf>`, '_csrf')).toBe('a&b')
    expect(csrfFromHtml('<meta name="csrf-token" content="m1">', 'csrf-token')).toBe('m1')
    expect(csrfFromHtml('<input name="_csrf_other" value="x">', '_csrf')).toBeUndefined()
  })
})
