import { http, type RequestHandler } from 'msw'
import {
  authorised,
  checkPath,
  checkSecrets,
  invalidOption,
  parseAuthorization,
  quote,
  refuse,
  safeEqual,
} from './params'

/** Options of {@link basicAuth}. */
export interface BasicAuthOptions {
  /** Path of the protected resource (any method), e.g. `/basic`. */
  path: string
  /** User name → password. */
  users: Record<string, string>
  /** Realm sent in the challenge. */
  realm: string
  /**
   * How the server decodes `user:password` (RFC 7617 section 2.1). With `'UTF-8'` the challenge says
   * `charset="UTF-8"`; with `'ISO-8859-1'` the octets are read as Latin-1 (what many older servers assume).
   * Default `'UTF-8'`, not announced.
   */
  charset?: 'UTF-8' | 'ISO-8859-1'
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * A resource protected by HTTP Basic authentication (RFC 7617). Answers 401 with a challenge when the credentials
 * are missing or wrong, 400 when the header is not valid Basic credentials, and `{ ok: true, user }` otherwise.
 *
 * @example
 * ```ts
 * const mock = await serve(basicAuth({ path: '/basic', users: { Aladdin: 'open sesame' }, realm: 'WallyWorld' }))
 * const res = await fetch(`${mock.url}/basic`, { headers: { authorization: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==' } })
 * ```
 */
export function basicAuth(options: BasicAuthOptions): RequestHandler[] {
  const path = checkPath('basicAuth', options.path)
  const users = checkSecrets('basicAuth `users`', options.users)
  if (typeof options.realm !== 'string') invalidOption('basicAuth `realm`', 'a string', options.realm)
  const charset = options.charset
  if (charset !== undefined && charset !== 'UTF-8' && charset !== 'ISO-8859-1') {
    invalidOption('basicAuth `charset`', '"UTF-8" or "ISO-8859-1"', charset)
  }
  const challenge = `Basic realm=${quote(options.realm)}${charset === 'UTF-8' ? ', charset="UTF-8"' : ''}`
  const unauthorised = (reason: string) => refuse(401, reason, { 'www-authenticate': challenge })
  const decoder = new TextDecoder('utf-8', { fatal: true })

  return [
    http.all(`*${path}`, ({ request }) => {
      const header = request.headers.get('authorization')
      if (header === null) return unauthorised('credentials required')
      const parsed = parseAuthorization(header)
      if (!parsed) return refuse(400, 'malformed Authorization header')
      if (parsed.scheme.toLowerCase() !== 'basic') return unauthorised('Basic credentials required')
      const token = parsed.token68
      if (token === undefined || !BASE64.test(token)) return refuse(400, 'Basic credentials are not base64')
      const octets = Buffer.from(token, 'base64')
      let text: string
      if (charset === 'ISO-8859-1') {
        text = octets.toString('latin1')
      } else {
        try {
          text = decoder.decode(octets)
        } catch {
          return unauthorised('credentials are not valid UTF-8')
        }
      }
      const colon = text.indexOf(':')
      if (colon < 0) return refuse(400, 'Basic credentials have no colon')
      const user = text.slice(0, colon)
      const password = text.slice(colon + 1)
      const expected = Object.hasOwn(users, user) ? users[user] : undefined
      // Compare even for unknown users so that the answer time does not tell which names exist.
      const match = safeEqual(password, expected ?? '\u0000unknown user')
      if (expected === undefined || !match) return unauthorised('wrong user name or password')
      return authorised(user, { scheme: 'Basic' })
    }),
  ]
}
