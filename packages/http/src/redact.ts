import type { TextRedactor } from '@fieldkit/core'

/** Query parameter names whose values never reach a log line or an error message (compared lower-case). */
const SECRET_PARAMS = new Set([
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'password',
  'passwd',
  'pwd',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'secret',
  'client_secret',
  'signature',
  'sig',
  'code',
  'auth',
  'session',
  'sessionid',
  'jwt',
  'x-amz-signature',
  'x-amz-security-token',
  'x-amz-credential',
  'oauth_signature',
  'oauth_token',
])

/** Header names whose values are always replaced. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'])

export const REDACTED = '[REDACTED]'

function isSecretParam(name: string): boolean {
  const lower = name.toLowerCase()
  return SECRET_PARAMS.has(lower) || /(?:token|secret|password|signature|api_?key)$/.test(lower)
}

/**
 * A URL (absolute, or a path with a query) with credentials in the authority and secret-looking query values
 * replaced by `[REDACTED]`; parameter names stay, so the reader still sees which one was sent.
 *
 * @example
 * ```ts
 * redactUrl('https://api.example/x?token=abc&page=2') // 'https://api.example/x?token=[REDACTED]&page=2'
 * ```
 */
export function redactUrl(url: string): string {
  let out = url
  const at = out.indexOf('@')
  if (at !== -1) {
    const scheme = out.indexOf('://')
    const slash = out.indexOf('/', scheme + 3)
    if (scheme !== -1 && at > scheme && (slash === -1 || at < slash))
      out = `${out.slice(0, scheme + 3)}${REDACTED}@${out.slice(at + 1)}`
  }
  const q = out.indexOf('?')
  if (q === -1) return out
  const hash = out.indexOf('#', q)
  const query = out.slice(q + 1, hash === -1 ? undefined : hash)
  const parts = query.split('&').map((pair) => {
    const eq = pair.indexOf('=')
    if (eq === -1) return pair
    let name = pair.slice(0, eq)
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '))
    } catch {
      // a malformed escape: judge the raw name
    }
    return isSecretParam(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair
  })
  return `${out.slice(0, q)}?${parts.join('&')}`
}

/** A copy of `headers` with Authorization, Proxy-Authorization, Cookie, Set-Cookie and API-key headers replaced. */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {}
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    out[name] = SECRET_HEADERS.has(lower) || isSecretParam(lower) ? REDACTED : value
  }
  return out
}

// `"access_token": "…"`, `password=…`, `Bearer …` and `Basic …` inside a body excerpt.
const JSON_SECRET =
  /("(?:[\w-]*(?:token|secret|password|passwd|api_?key|apikey|signature|authorization|cookie))"\s*:\s*)"(?:\\.|[^"\\])*"/gi
const FORM_SECRET = /\b((?:[\w-]*(?:token|secret|password|passwd|api_?key|apikey|signature)|key|sig|code)=)[^&\s"<]+/gi
const SCHEME_CREDENTIAL = /\b(Bearer|Basic|Digest|NTLM|Negotiate)\s+[A-Za-z0-9._~+/=-]{8,}/g

/**
 * The first `limit` characters of a body, with secret-looking fields redacted, then passed through the caller's
 * redactor (personal data), for error messages and log lines.
 */
export function bodyExcerpt(body: string, redactor: TextRedactor | undefined, limit = 512): string {
  let text = body.length > limit ? `${body.slice(0, limit)}…` : body
  text = text
    .replace(JSON_SECRET, `$1"${REDACTED}"`)
    .replace(FORM_SECRET, `$1${REDACTED}`)
    .replace(SCHEME_CREDENTIAL, `$1 ${REDACTED}`)
  return redactor === undefined ? text : redactor.redactString(text).text
}
