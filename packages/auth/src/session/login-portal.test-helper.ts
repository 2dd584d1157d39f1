// A small verifying login portal for this package's tests, used until (and beside) the @fieldkit/mocks one: an HTML
// form with a CSRF token bound to a pre-session cookie, a JSON login API with a double-submit XSRF cookie, sessions
// that expire on demand. Test-only; not exported from the package.
import { randomBytes } from 'node:crypto'
import { HttpResponse, http } from 'msw'

export function loginPortal(options: { username: string; password: string }) {
  const state = {
    logins: 0,
    failedLogins: 0,
    sessions: new Set<string>(),
    csrf: new Map<string, string>(), // pre-session id -> csrf token
    /** How an expired session is answered. */
    expiredAs: 'redirect' as 'redirect' | '401' | '403',
    loginDelayMs: 0,
    /** How a wrong password is answered: a redirect back to the form, or the form re-rendered with 200 (common). */
    failedLoginAs: 'redirect' as 'redirect' | 'form',
    /** When false, logins still succeed but no session is accepted (an account without access to the reports). */
    acceptSessions: true,
  }
  const cookies = (request: Request) => {
    const out = new Map<string, string>()
    for (const part of (request.headers.get('cookie') ?? '').split(/;\s*/)) {
      const eq = part.indexOf('=')
      if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1))
    }
    return out
  }
  const newSession = async () => {
    if (state.loginDelayMs > 0) await new Promise((r) => setTimeout(r, state.loginDelayMs))
    state.logins += 1
    const sid = randomBytes(12).toString('hex')
    state.sessions.add(sid)
    return sid
  }
  const handlers = [
    http.get('*/portal/login', () => {
      const pre = randomBytes(8).toString('hex')
      const token = randomBytes(16).toString('base64url')
      state.csrf.set(pre, token)
      return HttpResponse.html(
        `<html><form method="post" action="/portal/login"><input type="hidden" value="${token}" name="_csrf">` +
          '<input name="username"><input type="password" name="password"></form></html>',
        { headers: { 'set-cookie': `pre=${pre}; Path=/; HttpOnly` } },
      )
    }),
    http.post('*/portal/login', async ({ request }) => {
      const form = new URLSearchParams(await request.text())
      const pre = cookies(request).get('pre') ?? ''
      const expected = state.csrf.get(pre)
      if (expected === undefined || form.get('_csrf') !== expected)
        return new HttpResponse('CSRF check failed', { status: 403 })
      state.csrf.delete(pre)
      if (form.get('username') !== options.username || form.get('password') !== options.password) {
        state.failedLogins += 1
        if (state.failedLoginAs === 'form') {
          return HttpResponse.html(
            '<html><p>Invalid user name or password</p><form method="post" action="/portal/login">' +
              '<input name="username"><input type="password" name="password"></form></html>',
          )
        }
        return new HttpResponse(null, { status: 302, headers: { location: '/portal/login?error=1' } })
      }
      const sid = await newSession()
      return new HttpResponse(null, {
        status: 302,
        headers: { location: '/app', 'set-cookie': `sid=${sid}; Path=/; HttpOnly` },
      })
    }),
    http.get('*/api/csrf', () =>
      HttpResponse.json(
        { ok: true },
        { headers: { 'set-cookie': `XSRF-TOKEN=${randomBytes(16).toString('hex')}; Path=/` } },
      ),
    ),
    http.post('*/api/login', async ({ request }) => {
      const xsrf = cookies(request).get('XSRF-TOKEN')
      if (xsrf === undefined || request.headers.get('x-xsrf-token') !== xsrf)
        return HttpResponse.json({ error: 'csrf' }, { status: 403 })
      const body = (await request.json().catch(() => ({}))) as Record<string, unknown>
      if (body.user !== options.username || body.pass !== options.password) {
        state.failedLogins += 1
        return HttpResponse.json({ error: 'bad credentials' }, { status: 401 })
      }
      const sid = await newSession()
      return HttpResponse.json({ ok: true }, { headers: { 'set-cookie': `sid=${sid}; Path=/; HttpOnly` } })
    }),
    http.all('*/reports/*', ({ request }) => {
      const sid = cookies(request).get('sid')
      if (sid !== undefined && state.acceptSessions && state.sessions.has(sid)) return HttpResponse.json({ ok: true })
      if (state.expiredAs === '401') return new HttpResponse(null, { status: 401 })
      if (state.expiredAs === '403') return new HttpResponse(null, { status: 403 })
      return new HttpResponse(null, { status: 302, headers: { location: '/portal/login?next=%2Freports' } })
    }),
  ]
  return {
    state,
    handlers,
    /** Ends every session, as a portal does after its idle timeout. */
    expireSessions() {
      state.sessions.clear()
    },
  }
}
