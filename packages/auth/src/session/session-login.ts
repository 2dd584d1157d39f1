import type { AuthChallengeResponse, AuthRequest, AuthStrategy, Logger } from '@fieldkit/core'
import { expected, resolveLogger } from '@fieldkit/core'
import { Agent, type Dispatcher, request as undiciRequest } from 'undici'
import { raceSignal, SingleFlight } from '../oauth2/single-flight'
import { CookieJar } from './cookie-jar'
import { type CsrfOptions, csrfFromHtml, csrfFromJson } from './csrf'
import { SessionError } from './session-error'

/** The login call: a form post (`form`) or a JSON post (`json`). */
export interface LoginRequestOptions {
  /** The login form's or API's URL: in full, or a path (`/login`) resolved against the origin of the request. */
  url: string | URL
  /** POST by default. */
  method?: 'POST' | 'PUT'
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Readonly<Record<string, string>>
  /** Sent as `application/json`. */
  json?: Readonly<Record<string, unknown>>
  headers?: Readonly<Record<string, string>>
}

/** What a login response looks like to {@link SessionLoginOptions.loginSucceeded}. */
export interface LoginResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** Options of {@link sessionLogin}. */
export interface SessionLoginOptions {
  loginRequest: LoginRequestOptions
  /** Fetch a CSRF token first and send it with the login (and, with `header`, with every request). */
  csrf?: CsrfOptions
  /** Whether an answer means the session has expired; default: 401, 403, or a redirect to the login page. */
  isLoggedOut?: (response: AuthChallengeResponse) => boolean
  /**
   * Whether the login worked. Default: a status below 400 that is not a redirect back to the login page, an HTML
   * answer that holds neither a password field nor a form posting to the login URL (a portal that re-renders its form
   * with 200 for a wrong password), and at least one cookie held after the post. A refused login throws
   * `FK_AUTH_LOGIN_FAILED` after one post, so a wrong password never counts twice against a lockout limit.
   */
  loginSucceeded?: (response: LoginResponse) => boolean
  /** Timeout of each login call (default 30 000 ms). */
  timeoutMs?: number
  /** undici dispatcher for the login calls (default: the strategy's own Agent). */
  dispatcher?: Dispatcher
  logger?: Logger
}

/** A form or JSON login session, usable as an auth strategy. */
export interface SessionStrategy extends AuthStrategy {
  readonly scheme: 'Session'
  /** Logs in now (single flight), e.g. at start-up to fail early. */
  login(signal?: AbortSignal): Promise<void>
  /** The test `challenge()` applies: true when `response` says the session has expired. */
  isLoggedOut(response: AuthChallengeResponse): boolean
  challenge(response: AuthChallengeResponse, request: AuthRequest): Promise<boolean>
  close(): Promise<void>
}

const FRESH_WINDOW_MS = 30_000
const MAX_BODY = 4 * 1024 * 1024

/** A login or CSRF URL: absolute http(s), or a path (`/login`) resolved against the origin of the first request. */
type LoginUrl = { absolute: URL } | { path: string }

function toLoginUrl(value: unknown, name: string): LoginUrl {
  if (typeof value === 'string' && value.startsWith('/') && !value.startsWith('//')) return { path: value }
  let url: URL | undefined
  try {
    url = value instanceof URL || typeof value === 'string' ? new URL(String(value)) : undefined
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new SessionError({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] sessionLogin: ${expected(name, 'an http(s) URL or a path starting with /', value)}`,
      hint: 'Give the login URL in full (https://portal.example.com/login) or as a path (/login), which is resolved against the origin of the request being sent',
      details: { strategy: 'sessionLogin' },
    })
  }
  return { absolute: url }
}

function resolveLoginUrl(url: LoginUrl, origin: URL | undefined, name: string): URL {
  if ('absolute' in url) return url.absolute
  if (origin === undefined) {
    throw new SessionError({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] sessionLogin: \`${name}\` is a path (${url.path}) and no request has named the origin yet`,
      hint: 'Give the login URL in full, or let the first request log in (login() before any request has no origin to resolve a path against)',
      details: { strategy: 'sessionLogin' },
    })
  }
  return new URL(url.path, origin.origin)
}

/** At most this much of a login answer is searched for a password field or the login form. */
const SCAN_BYTES = 256 * 1024

/**
 * Why a login answer that looks successful (2xx/3xx) is a refusal, or undefined: the page still holds a password
 * field or a form posting to the login URL (a portal that re-renders its form with 200), or no session cookie is
 * held after the post. Each `<input`/`<form` tag is read up to its `>` (at most 2 KiB), so the scan stays linear.
 */
export function failedLoginReason(body: string, loginUrl: URL, cookies: number): string | undefined {
  const text = body.length > SCAN_BYTES ? body.slice(0, SCAN_BYTES) : body
  const lower = text.toLowerCase()
  for (let at = lower.indexOf('<input'); at !== -1; at = lower.indexOf('<input', at + 6)) {
    const window = lower.slice(at, at + 2048)
    const end = window.indexOf('>')
    const tag = end === -1 ? window : window.slice(0, end)
    if (/\stype\s*=\s*["']?password["'\s/]/.test(`${tag} `)) return 'the answer still holds a password field'
  }
  for (let at = lower.indexOf('<form'); at !== -1; at = lower.indexOf('<form', at + 5)) {
    const window = text.slice(at, at + 2048)
    const end = window.indexOf('>')
    const tag = end === -1 ? window : window.slice(0, end)
    const action = /\saction\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag)
    const target = action?.[1] ?? action?.[2] ?? action?.[3]
    if (target !== undefined && samePath(target, loginUrl)) return 'the answer still holds the login form'
  }
  if (cookies === 0) return 'no session cookie was set'
  return undefined
}

function samePath(target: string, loginUrl: URL): boolean {
  try {
    return new URL(target.replaceAll('&amp;', '&'), loginUrl).pathname === loginUrl.pathname
  } catch {
    return false
  }
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Logs in to a portal that has no API token (form or JSON login), keeps the session cookies in a jar of its own,
 * fetches a CSRF token first when asked, and logs in again — once, however many requests notice at the same time —
 * when the session has expired (401, 403 or a redirect to the login page).
 *
 * @example
 * ```ts
 * const portal = sessionLogin({
 *   loginRequest: { url: 'https://portal.example.com/login', form: { username, password } },
 *   csrf: { from: 'html', name: '_csrf' },
 * })
 * const send = withAuth(portal)
 * const res = await send('https://portal.example.com/reports/daily.csv')
 * ```
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: not yet split (issue 20 point 8, open)
export function sessionLogin(options: SessionLoginOptions): SessionStrategy {
  const login = options?.loginRequest
  if (typeof login !== 'object' || login === null) {
    throw new SessionError({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: '[fieldkit/auth] sessionLogin: Expected `loginRequest` to be an object, got undefined',
      hint: 'Give loginRequest: { url, form: { username, password } } (or json: {…} for a JSON login API)',
    })
  }
  const loginSpec = toLoginUrl(login.url, 'loginRequest.url')
  if ((login.form === undefined) === (login.json === undefined)) {
    throw new SessionError({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: '[fieldkit/auth] sessionLogin: Expected exactly one of `loginRequest.form` and `loginRequest.json`',
      hint: 'Use form for an HTML login form (application/x-www-form-urlencoded), json for a JSON login API',
    })
  }
  const csrf = options.csrf
  if (csrf !== undefined && (!['html', 'cookie', 'header', 'json'].includes(csrf.from) || !csrf.name)) {
    throw new SessionError({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] sessionLogin: Expected \`csrf.from\` to be html, cookie, header or json and \`csrf.name\` to be set, got ${JSON.stringify(csrf.from)}`,
      hint: 'E.g. csrf: { from: "html", name: "_csrf" } or { from: "cookie", name: "XSRF-TOKEN", header: "x-xsrf-token" }',
    })
  }
  const csrfSpec = csrf === undefined ? undefined : toLoginUrl(csrf.url ?? login.url, 'csrf.url')
  const csrfField = csrf?.field ?? (csrf?.from === 'html' || csrf?.from === 'json' ? csrf.name : undefined)
  const timeoutMs = options.timeoutMs ?? 30_000
  const logger = resolveLogger(options.logger, 'auth')
  const ownAgent = options.dispatcher === undefined ? new Agent({ keepAliveTimeout: 10_000 }) : undefined
  const dispatcher = options.dispatcher ?? (ownAgent as Agent)
  const pathOf = (u: LoginUrl) => ('absolute' in u ? u.absolute.pathname : new URL(u.path, 'http://x').pathname)
  const loginPaths = new Set([pathOf(loginSpec), ...(csrfSpec ? [pathOf(csrfSpec)] : [])])
  /** Resolved at the first request (a path takes that request's origin), or at once when given in full. */
  let loginUrl = 'absolute' in loginSpec ? loginSpec.absolute : undefined
  let csrfUrl = csrfSpec !== undefined && 'absolute' in csrfSpec ? csrfSpec.absolute : undefined
  const resolveUrls = (origin: URL | undefined): URL => {
    loginUrl ??= resolveLoginUrl(loginSpec, origin, 'loginRequest.url')
    if (csrfSpec !== undefined) csrfUrl ??= resolveLoginUrl(csrfSpec, origin ?? loginUrl, 'csrf.url')
    return loginUrl
  }
  const shownLogin = () => (loginUrl === undefined ? pathOf(loginSpec) : `${loginUrl.origin}${loginUrl.pathname}`)

  const jar = new CookieJar()
  const flight = new SingleFlight<void>()
  const generations = new WeakMap<AuthRequest, number>()
  const ownCookies = new WeakMap<AuthRequest, string | undefined>()
  let generation = 0
  let needsLogin = true
  let csrfToken: string | undefined
  let refusedFresh = -1
  let refusedFreshAt = 0
  let closed = false
  const shutdown = new AbortController()

  const redirectsToLogin = (status: number, location: string | undefined) => {
    if (status < 300 || status >= 400 || location === undefined) return false
    try {
      return loginPaths.has(new URL(location, loginUrl ?? 'http://x').pathname)
    } catch {
      return false
    }
  }

  const isLoggedOut =
    options.isLoggedOut ??
    ((response: AuthChallengeResponse) =>
      response.status === 401 ||
      response.status === 403 ||
      redirectsToLogin(response.status, headerValue(response.headers, 'location')))

  /** Why the login answer is a refusal, or undefined when it is a success (`loginSucceeded` decides when given). */
  const loginRefusal = (response: LoginResponse, url: URL): string | undefined => {
    if (options.loginSucceeded !== undefined) return options.loginSucceeded(response) ? undefined : 'loginSucceeded'
    if (response.status >= 400) return `status ${response.status}`
    if (redirectsToLogin(response.status, headerValue(response.headers, 'location')))
      return `status ${response.status}, redirected back to the login page`
    const html = /html/i.test(headerValue(response.headers, 'content-type') ?? '') || /^\s*</.test(response.body)
    const reason = failedLoginReason(html ? response.body : '', url, jar.values().length)
    return reason === undefined ? undefined : `status ${response.status}, but ${reason}`
  }

  async function call(
    method: 'GET' | 'POST' | 'PUT',
    url: URL,
    headers: Record<string, string>,
    body?: string,
  ): Promise<LoginResponse> {
    const timeout = AbortSignal.timeout(timeoutMs)
    const cookie = jar.header(url)
    try {
      const res = await undiciRequest(url, {
        method,
        headers: cookie === undefined ? headers : { ...headers, cookie },
        body,
        dispatcher,
        signal: AbortSignal.any([timeout, shutdown.signal]),
      })
      jar.store(res.headers['set-cookie'], url)
      let text = ''
      for await (const chunk of res.body) {
        if (text.length < MAX_BODY) text += chunk.toString()
      }
      return { status: res.statusCode, headers: res.headers, body: text }
    } catch (error) {
      if (shutdown.signal.aborted) throw closedError()
      throw new SessionError({
        code: 'FK_AUTH_LOGIN_UNREACHABLE',
        message: `[fieldkit/auth] sessionLogin: ${method} ${url.origin}${url.pathname} ${timeout.aborted ? `timed out after ${timeoutMs} ms` : `failed: ${(error as { code?: string }).code ?? (error as Error).message}`}`,
        hint: 'Check the login URL, DNS and firewall rules from this host, and any proxy or client certificate the portal needs',
        cause: error,
        details: { url: `${url.origin}${url.pathname}`, method },
      })
    }
  }

  function closedError(): SessionError {
    return new SessionError({
      code: 'FK_AUTH_CLOSED',
      message: `[fieldkit/auth] sessionLogin for ${shownLogin()} was used after close()`,
      hint: 'Create the strategy once per client and close it only when the client is closed',
    })
  }

  async function fetchCsrf(): Promise<string | undefined> {
    if (csrf === undefined || csrfUrl === undefined) return undefined
    const page = await call('GET', csrfUrl, { accept: csrf.from === 'html' ? 'text/html' : 'application/json, */*' })
    const token =
      csrf.from === 'html'
        ? csrfFromHtml(page.body, csrf.name)
        : csrf.from === 'json'
          ? csrfFromJson(page.body, csrf.name)
          : csrf.from === 'cookie'
            ? jar.get(csrf.name, csrfUrl)
            : headerValue(page.headers, csrf.name.toLowerCase())
    if (token === undefined) {
      throw new SessionError({
        code: 'FK_AUTH_CSRF_NOT_FOUND',
        message: `[fieldkit/auth] sessionLogin: no CSRF token "${csrf.name}" (${csrf.from}) in the answer to GET ${csrfUrl.origin}${csrfUrl.pathname} (status ${page.status})`,
        hint: 'Open the login page in a browser and check where the token is: a hidden input (from: "html"), a cookie such as XSRF-TOKEN (from: "cookie"), a header or a JSON field; and check csrf.url',
        details: { url: `${csrfUrl.origin}${csrfUrl.pathname}`, from: csrf.from, name: csrf.name, status: page.status },
      })
    }
    return token
  }

  /** The login call's headers and body, with the CSRF token where the options put it. */
  function loginPayload(token: string | undefined): { headers: Record<string, string>; body: string } {
    const headers: Record<string, string> = { accept: 'text/html, application/json, */*' }
    for (const [name, value] of Object.entries(login.headers ?? {})) headers[name.toLowerCase()] = value
    if (token !== undefined && csrf?.header !== undefined) headers[csrf.header.toLowerCase()] = token
    if (login.form !== undefined) {
      const form = new URLSearchParams(login.form as Record<string, string>)
      if (token !== undefined && csrfField !== undefined) form.set(csrfField, token)
      headers['content-type'] = 'application/x-www-form-urlencoded'
      return { headers, body: form.toString() }
    }
    headers['content-type'] = 'application/json'
    const json = token !== undefined && csrfField !== undefined ? { ...login.json, [csrfField]: token } : login.json
    return { headers, body: JSON.stringify(json) }
  }

  /** Logs in once: one CSRF fetch when configured, one post; a refused login is never posted again. */
  async function doLogin(origin: URL | undefined): Promise<void> {
    if (closed) throw closedError()
    const url = resolveUrls(origin)
    jar.clear()
    csrfToken = undefined
    const token = await fetchCsrf()
    const { headers, body } = loginPayload(token)
    const started = performance.now()
    const method = login.method ?? 'POST'
    const response = await call(method, url, headers, body)
    const refusal = loginRefusal(response, url)
    if (refusal !== undefined) {
      jar.clear()
      throw new SessionError({
        code: 'FK_AUTH_LOGIN_FAILED',
        message: `[fieldkit/auth] sessionLogin: ${method} ${url.origin}${url.pathname} was refused (${refusal === 'loginSucceeded' ? `status ${response.status}, and the loginSucceeded check said no` : refusal}); it was posted once and is not retried`,
        hint: 'Check the user name and password, the form field names (compare with the login form in a browser) and the csrf settings; many portals answer a wrong password with the form again and 200. A portal that signals success some other way needs loginSucceeded: (response) => … in sessionLogin',
        details: { url: `${url.origin}${url.pathname}`, status: response.status, csrf: csrf !== undefined },
      })
    }
    csrfToken = csrf?.from === 'cookie' ? (jar.get(csrf.name, url) ?? token) : token
    generation += 1
    needsLogin = false
    const ms = Math.round(performance.now() - started)
    logger.debug({ url: `${url.origin}${url.pathname}`, status: response.status, generation, ms }, 'logged in')
  }

  function applyCookies(request: AuthRequest): void {
    const original = ownCookies.has(request) ? ownCookies.get(request) : request.headers.cookie
    ownCookies.set(request, original)
    const cookie = jar.header(request.url)
    if (cookie !== undefined) request.headers.cookie = original ? `${original}; ${cookie}` : cookie
    if (csrf?.header !== undefined && csrfToken !== undefined) request.headers[csrf.header.toLowerCase()] = csrfToken
    generations.set(request, generation)
  }

  async function loginThenApply(request: AuthRequest): Promise<void> {
    if (closed) throw closedError()
    await raceSignal(
      flight.run(() => doLogin(request.url)),
      request.signal,
    )
    applyCookies(request)
  }

  return {
    scheme: 'Session',
    apply(request) {
      if (needsLogin || closed) return loginThenApply(request)
      applyCookies(request)
    },
    async login(signal) {
      await raceSignal(
        flight.run(() => doLogin(undefined)),
        signal,
      )
    },
    isLoggedOut,
    isRefused: isLoggedOut,
    async challenge(response, request) {
      if (closed || !isLoggedOut(response)) return false
      const sent = generations.get(request) ?? 0
      if (sent === refusedFresh && Date.now() - refusedFreshAt < FRESH_WINDOW_MS) {
        logger.warn({ status: response.status }, 'the new session was refused too')
        needsLogin = true // the next request logs in afresh rather than reusing a session the portal refuses
        return false
      }
      if (sent < generation && !flight.running) return true // another request has logged in again already
      logger.debug({ status: response.status }, 'session expired; logging in again')
      await raceSignal(
        flight.run(() => doLogin(request.url)),
        request.signal,
      )
      refusedFresh = generation
      refusedFreshAt = Date.now()
      return true
    },
    async close() {
      if (closed) return
      closed = true
      shutdown.abort()
      jar.clear()
      await ownAgent?.close()
    },
  }
}
