import { createHash } from 'node:crypto'
import { HttpResponse, http, type RequestHandler } from 'msw'
import { checkPath, checkSecrets, safeEqual } from './params'

const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'
const PASSWORD_DIGEST =
  'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest'
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText'
const MAX_ENVELOPE = 1024 * 1024

/** What {@link verifyUsernameToken} decides. */
export type UsernameTokenResult = { ok: true; username: string } | { ok: false; reason: string }

/** Options of {@link verifyUsernameToken}. */
export interface VerifyUsernameTokenOptions {
  /** Oldest `wsu:Created` accepted, in seconds. Default 300 (the profile's usual five minutes). */
  maxAgeSeconds?: number
  /** How far `wsu:Created` may be ahead of the server clock, in seconds. Default 60. */
  futureSkewSeconds?: number
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number
  /**
   * Nonces already seen (nonce → when it may be forgotten, in ms). Default: one cache shared by every call in the
   * process; pass your own Map to keep services apart.
   */
  seenNonces?: Map<string, number>
}

const sharedNonces = new Map<string, number>()

const NAME = '(?:[A-Za-z_][\\w.-]*:)?'

/** The inner XML of the first element with that local name inside `xml`, or undefined. */
function element(xml: string, localName: string): { attributes: string; inner: string; prefix: string } | undefined {
  const open = new RegExp(`<(${NAME})${localName}((?:\\s[^<>]*)?)>`).exec(xml)
  if (!open) return undefined
  const prefix = open[1] as string
  const start = open.index + open[0].length
  const end = xml.indexOf(`</${prefix}${localName}>`, start)
  if (end < 0) return undefined
  return { attributes: open[2] as string, inner: xml.slice(start, end), prefix }
}

function count(xml: string, localName: string): number {
  return xml.match(new RegExp(`<${NAME}${localName}[\\s>/]`, 'g'))?.length ?? 0
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Text content of a simple element: entities decoded, CDATA unwrapped; undefined if it holds child elements. */
function text(inner: string): string | undefined {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*$/.exec(inner)
  if (cdata) return cdata[1]
  if (inner.includes('<')) return undefined
  return inner.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-z]{2,4});/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Math.min(Number.parseInt(ref.slice(2), 16), 0x10ffff))
    if (ref.startsWith('#')) return String.fromCodePoint(Math.min(Number.parseInt(ref.slice(1), 10), 0x10ffff))
    return ENTITIES[ref] ?? whole
  })
}

function attribute(attributes: string, localName: string): string | undefined {
  const match = new RegExp(`\\s${NAME}${localName}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attributes)
  return match ? (match[1] ?? match[2]) : undefined
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/

/**
 * Verifies the `wsse:UsernameToken` in a SOAP envelope's `wsse:Security` header (OASIS WSS UsernameToken Profile
 * 1.0/1.1): the user must be known, a `#PasswordText` must equal the password and a `#PasswordDigest` must equal
 * Base64(SHA-1(nonce + created + password)) with the nonce base64-decoded and `wsu:Created` hashed as sent. A nonce
 * seen before, a `Created` older than `maxAgeSeconds` (or ahead of the clock) and an expired `wsu:Timestamp` are
 * refused. A DOCTYPE is refused outright (no entity expansion). Never throws.
 *
 * @example
 * ```ts
 * const result = verifyUsernameToken(envelopeXml, { michael: 'geheim' })
 * if (!result.ok) console.log(result.reason)
 * ```
 */
export function verifyUsernameToken(
  xml: string,
  users: Record<string, string>,
  options: VerifyUsernameTokenOptions = {},
): UsernameTokenResult {
  const now = (options.now ?? Date.now)()
  const maxAge = (options.maxAgeSeconds ?? 300) * 1000
  const futureSkew = (options.futureSkewSeconds ?? 60) * 1000
  const seen = options.seenNonces ?? sharedNonces
  if (typeof xml !== 'string' || xml.length > MAX_ENVELOPE)
    return { ok: false, reason: 'envelope missing or larger than 1 MiB' }
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return { ok: false, reason: 'DOCTYPE and entity declarations are not allowed' }
  const envelope = element(xml, 'Envelope')
  if (!envelope) return { ok: false, reason: 'not a SOAP envelope' }
  const header = element(envelope.inner, 'Header')
  if (!header) return { ok: false, reason: 'no SOAP Header' }
  const security = element(header.inner, 'Security')
  if (!security) return { ok: false, reason: 'no wsse:Security header' }
  const bound =
    security.prefix === ''
      ? /\sxmlns\s*=\s*["']([^"']*)["']/.exec(security.attributes)?.[1]
      : new RegExp(`xmlns:${security.prefix.slice(0, -1).replace(/[.]/g, '\\.')}\\s*=\\s*["']([^"']*)["']`).exec(
          xml,
        )?.[1]
  if (bound !== WSSE_NS) return { ok: false, reason: 'Security element is not in the WS-Security 1.0 namespace' }
  if (count(security.inner, 'UsernameToken') !== 1) return { ok: false, reason: 'expected exactly one UsernameToken' }
  const token = element(security.inner, 'UsernameToken')
  if (!token) return { ok: false, reason: 'UsernameToken is not closed' }

  const timestamp = element(security.inner, 'Timestamp')
  if (timestamp) {
    const expires = element(timestamp.inner, 'Expires')
    const value = expires ? text(expires.inner)?.trim() : undefined
    if (expires && (value === undefined || !ISO.test(value)))
      return { ok: false, reason: 'Timestamp Expires is not a dateTime' }
    if (value !== undefined && Date.parse(value) < now) return { ok: false, reason: 'message expired (wsu:Timestamp)' }
  }

  const usernameElement = element(token.inner, 'Username')
  const username = usernameElement ? text(usernameElement.inner)?.trim() : undefined
  if (username === undefined || username === '') return { ok: false, reason: 'Username missing' }
  const passwordElement = element(token.inner, 'Password')
  if (!passwordElement) return { ok: false, reason: 'Password missing' }
  const password = text(passwordElement.inner)?.trim()
  if (password === undefined) return { ok: false, reason: 'Password is not text' }
  const type = attribute(passwordElement.attributes, 'Type') ?? PASSWORD_TEXT
  const nonceElement = element(token.inner, 'Nonce')
  const nonce = nonceElement ? text(nonceElement.inner)?.trim() : undefined
  const createdElement = element(token.inner, 'Created')
  const created = createdElement ? text(createdElement.inner)?.trim() : undefined

  if (type !== PASSWORD_TEXT && type !== PASSWORD_DIGEST) return { ok: false, reason: 'unsupported Password Type' }
  if (type === PASSWORD_DIGEST && (nonce === undefined || created === undefined)) {
    return { ok: false, reason: 'PasswordDigest needs Nonce and Created' }
  }
  if (nonceElement) {
    const encoding = attribute(nonceElement.attributes, 'EncodingType')
    if (encoding !== undefined && !encoding.endsWith('#Base64Binary'))
      return { ok: false, reason: 'Nonce EncodingType must be Base64Binary' }
    if (nonce === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(nonce))
      return { ok: false, reason: 'Nonce is not base64' }
  }
  if (createdElement) {
    if (created === undefined || !ISO.test(created))
      return { ok: false, reason: 'Created is not an xsd:dateTime with a time zone' }
    const at = Date.parse(created)
    if (Number.isNaN(at)) return { ok: false, reason: 'Created is not a date' }
    if (now - at > maxAge) return { ok: false, reason: `Created is older than ${maxAge / 1000} s` }
    if (at - now > futureSkew) return { ok: false, reason: 'Created is in the future' }
  }

  const expected = Object.hasOwn(users, username) ? users[username] : undefined
  let valid: boolean
  if (type === PASSWORD_DIGEST) {
    const digest = createHash('sha1')
      .update(Buffer.from(nonce as string, 'base64'))
      .update(created as string, 'utf8')
      .update(expected ?? '', 'utf8')
      .digest()
    valid = safeEqual(digest, Buffer.from(password, 'base64'))
  } else {
    valid = safeEqual(password, expected ?? '\u0000unknown user')
  }
  if (expected === undefined || !valid) return { ok: false, reason: 'wrong user name or password' }

  if (nonce !== undefined) {
    for (const [key, forgetAt] of seen) {
      if (forgetAt > now) break
      seen.delete(key)
    }
    if (seen.has(nonce)) return { ok: false, reason: 'nonce already used (replay)' }
    seen.set(nonce, now + maxAge + futureSkew)
    while (seen.size > 100_000) seen.delete(seen.keys().next().value as string)
  }
  return { ok: true, username }
}

const escapeXml = (value: string) => value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

function soapEnvelope(body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="${WSSE_NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`
}

/** Options of {@link usernameTokenEndpoint}. */
export interface UsernameTokenEndpointOptions extends VerifyUsernameTokenOptions {
  /** Path of the SOAP endpoint (POST), e.g. `/soap/secure`. */
  path: string
  /** User name → password. */
  users: Record<string, string>
}

/**
 * A SOAP 1.1 endpoint that requires a valid `wsse:UsernameToken` (see {@link verifyUsernameToken}). A verified
 * request gets `200` with `<AuthenticatedResponse><user>…</user></AuthenticatedResponse>`; a refused one gets the
 * SOAP 1.1 fault `wsse:FailedAuthentication` with HTTP 500 (SOAP 1.1 section 6.2), the reason in `detail`; a body
 * that is not a SOAP envelope gets a `soap:Client` fault with 400. Each endpoint keeps its own nonce cache.
 *
 * @example
 * ```ts
 * const mock = await serve(usernameTokenEndpoint({ path: '/soap/secure', users: { michael: 'geheim' } }))
 * ```
 */
export function usernameTokenEndpoint(options: UsernameTokenEndpointOptions): RequestHandler[] {
  const path = checkPath('usernameTokenEndpoint', options.path)
  const users = checkSecrets('usernameTokenEndpoint `users`', options.users)
  const seenNonces = options.seenNonces ?? new Map<string, number>()
  const headers = { 'content-type': 'text/xml; charset=utf-8' }
  return [
    http.post(`*${path}`, async ({ request }) => {
      const xml = await request.text()
      const result = verifyUsernameToken(xml, users, { ...options, seenNonces })
      if (result.ok) {
        const body = `<AuthenticatedResponse xmlns="urn:fieldkit:mocks"><ok>true</ok><user>${escapeXml(result.username)}</user></AuthenticatedResponse>`
        return new HttpResponse(soapEnvelope(body), { status: 200, headers })
      }
      const malformed = /^(not a SOAP envelope|no SOAP Header|envelope missing|DOCTYPE)/.test(result.reason)
      const fault = malformed
        ? `<soap:Fault><faultcode>soap:Client</faultcode><faultstring>Malformed request</faultstring><detail>${escapeXml(result.reason)}</detail></soap:Fault>`
        : `<soap:Fault><faultcode>wsse:FailedAuthentication</faultcode><faultstring>The security token could not be authenticated or authorized</faultstring><detail>${escapeXml(result.reason)}</detail></soap:Fault>`
      return new HttpResponse(soapEnvelope(fault), { status: malformed ? 400 : 500, headers })
    }),
  ]
}
