import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockServer, serve } from '../serve'
import { type LoginPortal, loginPortal } from './login-portal'

describe('login portal', () => {
  let mock: MockServer
  let portal: LoginPortal
  let clock = 1_000_000
  beforeAll(async () => {
    portal = loginPortal({
      users: { ana: 'pa55 w0rd' },
      sessionTtlMs: 60_000,
      csrf: true,
      prefix: '/portal',
      now: () => clock,
    })
    mock = await serve(portal.handlers)
  })
  afterAll(() => mock.close())

  const cookieOf = (res: Response, name: string) =>
    res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0] as string)
      .find((c) => c.startsWith(`${name}=`))
  const get = (path: string, cookie?: string) =>
    fetch(`${mock.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} })

  async function loginForm(password = 'pa55 w0rd', tamper = false) {
    const page = await get('/portal/login')
    const html = await page.text()
    const token = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1] as string
    const pre = cookieOf(page, 'fk_csrf') as string
    const body = new URLSearchParams({ username: 'ana', password, csrf_token: tamper ? `${token}x` : token })
    return fetch(`${mock.url}/portal/login`, {
      method: 'POST',
      redirect: 'manual',
      body,
      headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
    })
  }

  it('serves a login form with a CSRF token and cookie, and logs in with a form post (302 + session cookie)', async () => {
    const res = await loginForm()
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/portal/app/home')
    const session = cookieOf(res, 'fk_session') as string
    expect(session).toMatch(/^fk_session=.+/)
    expect(await (await get('/portal/api/me', session)).json()).toEqual({
      ok: true,
      user: 'ana',
      path: '/portal/api/me',
    })
    expect((await get('/portal/app/home', session)).status).toBe(200)
  })

  it('logs in with JSON and the token from the JSON login page', async () => {
    const page = await fetch(`${mock.url}/portal/login`, { headers: { accept: 'application/json' } })
    const { csrfToken } = (await page.json()) as { csrfToken: string }
    const res = await fetch(`${mock.url}/portal/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'ana', password: 'pa55 w0rd' }),
      headers: {
        'content-type': 'application/json',
        'x-csrf-token': csrfToken,
        cookie: cookieOf(page, 'fk_csrf') as string,
      },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true, user: 'ana' })
  })

  it('refuses a missing or wrong CSRF token (403) and a wrong password (401)', async () => {
    expect((await loginForm('pa55 w0rd', true)).status).toBe(403)
    expect((await loginForm('wrong')).status).toBe(401)
    const noCookie = await fetch(`${mock.url}/portal/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'ana', password: 'pa55 w0rd', csrfToken: 'guess' }),
      headers: { 'content-type': 'application/json' },
    })
    expect(noCookie.status).toBe(403)
  })

  it('answers 401, 302 to the login page, or 403 once the session has expired', async () => {
    const session = cookieOf(await loginForm(), 'fk_session') as string
    expect((await get('/portal/api/orders', session)).status).toBe(200)
    clock += 60_001
    expect((await get('/portal/api/orders', session)).status).toBe(401)
    const app = await get('/portal/app/reports?month=5', session)
    expect(app.status).toBe(302)
    expect(app.headers.get('location')).toBe('/portal/login?next=%2Fportal%2Fapp%2Freports%3Fmonth%3D5')
    expect((await get('/portal/admin/users', session)).status).toBe(403)
    expect(portal.stats().expiredRequests).toBeGreaterThanOrEqual(3)
  })

  it('ends sessions on expireSessions() and on logout', async () => {
    const session = cookieOf(await loginForm(), 'fk_session') as string
    portal.expireSessions()
    expect((await get('/portal/api/me', session)).status).toBe(401)
    const again = cookieOf(await loginForm(), 'fk_session') as string
    await fetch(`${mock.url}/portal/logout`, { method: 'POST', headers: { cookie: again } })
    expect((await get('/portal/api/me', again)).status).toBe(401)
  })

  it('counts logins for single-flight checks', async () => {
    const before = portal.stats().logins
    await loginForm()
    expect(portal.stats().logins).toBe(before + 1)
  })

  it('never logs in, and never crashes, on hostile bodies and cookies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 100 }),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'),
        async (body, cookie, type) => {
          const res = await fetch(`${mock.url}/portal/login`, {
            method: 'POST',
            body,
            headers: { 'content-type': type, cookie: cookie.replace(/[^\x20-\x7e]/g, '') },
          })
          expect([400, 401, 403, 413, 415]).toContain(res.status)
        },
      ),
      { numRuns: 100 },
    )
  })
})
