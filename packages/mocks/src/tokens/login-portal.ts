import { randomBytes } from 'node:crypto'
import { HttpResponse, http, type RequestHandler } from 'msw'
import { checkSecrets, invalidOption, safeEqual, trim } from '../auth/params'

/** Options of {@link loginPortal}. */
export interface LoginPortalOptions {
  /** User name → password. */
  users: Record<string, string>
  /** Lifetime of a session from login. Default 900 000 (15 minutes). */
  sessionTtlMs?: number
  /** Require the CSRF token of the login page in the login POST. Default true. */
  csrf?: boolean
  /** Prefix of every route (`/portal` → `/portal/login`). Default none. */
  prefix?: string
  /** Clock in milliseconds, for session-expiry tests. Default `Date.now`. */
  now?: () => number
}

/** Counters of a {@link loginPortal}. */
export interface LoginPortalStats {
  /** GET /login answered. */
  loginPages: number
  /** Successful POST /login. */
  logins: number
  /** POST /login refused (wrong password, missing or wrong CSRF token). */
  failedLogins: number
  /** Requests to protected routes refused because there was no live session. */
  expiredRequests: number
}

/** What {@link loginPortal} returns. */
export interface LoginPortal {
  handlers: RequestHandler[]
  stats(): LoginPortalStats
  /** Ends every session now (the next protected request is refused). */
  expireSessions(): void
}

export const SESSION_COOKIE = 'fk_session'
const CSRF_COOKIE = 'fk_csrf'

function cookies(request: Request): Map<string, string> {
  const jar = new Map<string, string>()
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return jar
}

const escapeHtml = (value: string) => value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * A web portal with no API, only a form login — what `sessionLogin` automates. `GET {prefix}/login` serves a form
 * with a hidden `csrf_token` and sets a `fk_csrf` cookie (JSON `{ csrfToken }` when the request accepts JSON);
 * `POST {prefix}/login` takes a form or JSON body (`username`, `password`, `csrf_token`/`csrfToken`, or the token in
 * `X-CSRF-Token`), checks the token against the cookie and the password, and sets the `fk_session` cookie
 * (JSON → 200 `{ ok, user }`, form → 302 to `{prefix}/app/home`). Protected routes show the three ways portals say
 * "logged out": `{prefix}/api/*` answers 401, `{prefix}/app/*` a 302 redirect to the login page, `{prefix}/admin/*`
 * 403. `POST {prefix}/logout` ends the session.
 *
 * @example
 * ```ts
 * const portal = loginPortal({ users: { ana: 'pa55' }, sessionTtlMs: 60_000, csrf: true })
 * const mock = await serve(portal.handlers)
 * ```
 */
export function loginPortal(options: LoginPortalOptions): LoginPortal {
  const users = checkSecrets('loginPortal `users`', options.users)
  const ttl = options.sessionTtlMs ?? 900_000
  if (!(ttl > 0)) invalidOption('loginPortal `sessionTtlMs`', 'a positive number', ttl)
  const prefix = options.prefix ?? ''
  if (prefix !== '' && !/^\/[\w/-]*[^/]$/.test(prefix))
    invalidOption('loginPortal `prefix`', 'a path such as "/portal"', prefix)
  const csrf = options.csrf !== false
  const now = options.now ?? Date.now
  const pending = new Map<string, string>()
  const sessions = new Map<string, { user: string; expiresAt: number }>()
  const stats: LoginPortalStats = { loginPages: 0, logins: 0, failedLogins: 0, expiredRequests: 0 }

  const session = (request: Request) => {
    const id = cookies(request).get(SESSION_COOKIE)
    const found = id === undefined ? undefined : sessions.get(id)
    if (found === undefined || found.expiresAt <= now()) {
      if (id !== undefined) sessions.delete(id)
      return undefined
    }
    return found
  }
  const loginPage = (request: Request, status = 200, message = '') => {
    stats.loginPages += status === 200 ? 1 : 0
    const pre = randomBytes(16).toString('hex')
    const token = randomBytes(24).toString('base64url')
    pending.set(pre, token)
    trim(pending, 10_000)
    return loginPageResponse(request, { status, message, pre, token, prefix })
  }

  const refuse = (request: Request, status: number, message: string) => {
    stats.failedLogins += 1
    if ((request.headers.get('content-type') ?? '').includes('application/json')) {
      return HttpResponse.json({ ok: false, error: message }, { status })
    }
    return loginPage(request, status, message)
  }

  const loggedOut = (kind: 'api' | 'app' | 'admin', request: Request) => {
    stats.expiredRequests += 1
    return loggedOutResponse(kind, request, prefix)
  }

  const handlers = [
    http.get(`*${prefix}/login`, ({ request }) => loginPage(request)),
    http.post(`*${prefix}/login`, async ({ request }) => {
      const type = request.headers.get('content-type') ?? ''
      const read = loginFields(type, await request.text())
      if ('refused' in read) return refuse(request, ...read.refused)
      const { fields } = read
      if (csrf) {
        const pre = cookies(request).get(CSRF_COOKIE)
        const expected = pre === undefined ? undefined : pending.get(pre)
        const sent = fields.csrf_token ?? fields.csrfToken ?? request.headers.get('x-csrf-token')
        if (expected === undefined || typeof sent !== 'string' || !safeEqual(sent, expected)) {
          return refuse(request, 403, 'CSRF token missing or does not match the login page')
        }
      }
      const { username, password } = fields
      const known = typeof username === 'string' && Object.hasOwn(users, username) ? users[username] : undefined
      if (typeof password !== 'string' || known === undefined || !safeEqual(password, known)) {
        return refuse(request, 401, 'wrong user name or password')
      }
      const pre = cookies(request).get(CSRF_COOKIE)
      if (pre !== undefined) pending.delete(pre)
      const id = randomBytes(24).toString('base64url')
      sessions.set(id, { user: username as string, expiresAt: now() + ttl })
      trim(sessions, 10_000)
      stats.logins += 1
      const headers = new Headers()
      headers.append('set-cookie', cookie(SESSION_COOKIE, id))
      headers.append('set-cookie', cookie(CSRF_COOKIE, '', 0))
      if (type.includes('application/json')) return HttpResponse.json({ ok: true, user: username }, { headers })
      headers.set('location', `${prefix}/app/home`)
      return new HttpResponse(null, { status: 302, headers })
    }),
    http.post(`*${prefix}/logout`, ({ request }) => {
      const id = cookies(request).get(SESSION_COOKIE)
      if (id !== undefined) sessions.delete(id)
      return HttpResponse.json({ ok: true }, { headers: { 'set-cookie': cookie(SESSION_COOKIE, '', 0) } })
    }),
    ...(['api', 'app', 'admin'] as const).map((kind) =>
      http.all(`*${prefix}/${kind}/*`, ({ request }) => {
        const found = session(request)
        if (found === undefined) return loggedOut(kind, request)
        const path = new URL(request.url).pathname
        if (kind === 'app') return welcomePage(found.user)
        return HttpResponse.json({ ok: true, user: found.user, path })
      }),
    ),
  ]

  return {
    handlers,
    stats: () => ({ ...stats }),
    expireSessions() {
      sessions.clear()
    },
  }
}

function cookie(name: string, value: string, maxAge?: number): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax${maxAge === undefined ? '' : `; Max-Age=${maxAge}`}`
}

/** What a request without a live session gets: a redirect to the login page (app), 403 (admin) or 401 (api). */
function loggedOutResponse(kind: 'api' | 'app' | 'admin', request: Request, prefix: string): Response {
  if (kind === 'app') {
    const url = new URL(request.url)
    const next = encodeURIComponent(url.pathname + url.search)
    return new HttpResponse(null, { status: 302, headers: { location: `${prefix}/login?next=${next}` } })
  }
  if (kind === 'admin') return HttpResponse.json({ ok: false, error: 'forbidden: no session' }, { status: 403 })
  return HttpResponse.json({ ok: false, error: 'session expired or missing' }, { status: 401 })
}

/**
 * The fields of a login body (a form or a JSON object), or why it is refused. A JSON body's keys come from the
 * client; they are only read by name, never merged into another object.
 */
function loginFields(
  type: string,
  text: string,
): { fields: Record<string, unknown> } | { refused: [status: number, message: string] } {
  if (text.length > 65_536) return { refused: [413, 'login body too large'] }
  if (type.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text)
      const object = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      return { fields: object ? (parsed as Record<string, unknown>) : {} }
    } catch {
      return { refused: [400, 'login body is not JSON'] }
    }
  }
  if (type.includes('application/x-www-form-urlencoded'))
    return { fields: Object.fromEntries(new URLSearchParams(text)) }
  return { refused: [415, 'login body must be a form or JSON'] }
}

/** The login page (HTML, or JSON for a client that accepts it) with a fresh CSRF token and its pre-session cookie. */
function loginPageResponse(
  request: Request,
  page: { status: number; message: string; pre: string; token: string; prefix: string },
): Response {
  const { status, message, pre, token, prefix } = page
  const headers = new Headers({
    'set-cookie': cookie(CSRF_COOKIE, pre),
    'x-csrf-token': token,
    'cache-control': 'no-store',
  })
  if ((request.headers.get('accept') ?? '').includes('application/json')) {
    return HttpResponse.json({ csrfToken: token, ...(message ? { error: message } : {}) }, { status, headers })
  }
  headers.set('content-type', 'text/html; charset=utf-8')
  const html = `<!doctype html><html><head><title>Sign in</title></head><body>${message ? `<p class="error">${escapeHtml(message)}</p>` : ''}<form method="post" action="${prefix}/login"><input type="hidden" name="csrf_token" value="${token}"><input name="username"><input name="password" type="password"><button>Sign in</button></form></body></html>`
  return new HttpResponse(html, { status, headers })
}

function welcomePage(user: string): Response {
  return new HttpResponse(`<!doctype html><html><body><h1>Welcome ${escapeHtml(user)}</h1></body></html>`, {
    headers: { 'content-type': 'text/html; charset=utf-8' },
  })
}
