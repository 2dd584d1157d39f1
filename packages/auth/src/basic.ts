import type { AuthRequest, AuthStrategy } from '@fieldkit/core'
import { expected } from '@fieldkit/core'
import { invalidOption, requireString } from './errors'

/** Options of {@link basic}. */
export interface BasicOptions {
  username: string
  password: string
  /** How `user:password` is turned into bytes before Base64 (RFC 7617 section 2.1): `utf-8` (default) or `latin1`. */
  charset?: 'utf-8' | 'latin1'
}

/**
 * HTTP Basic authentication (RFC 7617), sent on every request. UTF-8 by default; `charset: 'latin1'` for old servers
 * that decode ISO-8859-1.
 *
 * @example
 * ```ts
 * const auth = basic({ username: 'Aladdin', password: 'open sesame' })
 * ```
 */
export function basic(options: BasicOptions): AuthStrategy {
  const username = requireString('basic', 'username', options?.username)
  const password = requireString('basic', 'password', options.password, true, true)
  if (username.includes(':'))
    throw invalidOption(
      'basic',
      'Expected `username` to contain no colon (RFC 7617 section 2), got a user name with a colon',
      'Basic sends user:password, so a colon in the user name cannot be told apart from the password; ask for an account without one, or use the scheme the server offers besides Basic',
    )
  const charset = options.charset ?? 'utf-8'
  if (charset !== 'utf-8' && charset !== 'latin1') {
    throw invalidOption(
      'basic',
      expected('charset', "'utf-8' or 'latin1'", charset),
      "Leave charset out (UTF-8, RFC 7617) or give 'latin1' for an old server that decodes Basic as ISO-8859-1",
    )
  }
  const value = `Basic ${Buffer.from(`${username}:${password}`, charset === 'utf-8' ? 'utf8' : 'latin1').toString('base64')}`
  return {
    scheme: 'Basic',
    apply(request: AuthRequest) {
      request.headers.authorization = value
    },
    // Basic has nothing to learn from a challenge: a 401 means the credentials were refused.
    challenge: () => false,
  }
}

/** The token, or a function returning the current one (called before every attempt). */
export type BearerToken = string | (() => string | Promise<string>)

/**
 * `Authorization: Bearer <token>` (RFC 6750). Pass a function to read a token that changes (it is called before every
 * attempt); for OAuth 2.0 token flows with refresh, use `clientCredentials` / `refreshToken`.
 *
 * @example
 * ```ts
 * const auth = bearer(() => process.env.API_TOKEN ?? '')
 * ```
 */
export function bearer(token: BearerToken): AuthStrategy {
  if (typeof token !== 'function') requireString('bearer', 'token', token, false, true)
  return {
    scheme: 'Bearer',
    async apply(request: AuthRequest) {
      const value = typeof token === 'function' ? await token() : token
      if (typeof value !== 'string' || value.length === 0) {
        throw invalidOption(
          'bearer',
          expected('token()', 'a non-empty string', value, { secret: true }),
          'The token function returned nothing usable: check where it reads the token from (environment, file, vault) and that it awaits it',
        )
      }
      request.headers.authorization = `Bearer ${value}`
    },
    challenge: () => false,
  }
}

/** Options of {@link apiKey}. */
export interface ApiKeyOptions {
  /** Where the key goes. */
  in: 'header' | 'query' | 'cookie'
  /** Header, query parameter or cookie name (`x-api-key`, `api_key`, …). */
  name: string
  value: string
}

/**
 * An API key in a header, a query parameter or a cookie.
 *
 * @example
 * ```ts
 * const auth = apiKey({ in: 'header', name: 'x-api-key', value: process.env.API_KEY ?? '' })
 * ```
 */
export function apiKey(options: ApiKeyOptions): AuthStrategy {
  const where = options?.in
  if (where !== 'header' && where !== 'query' && where !== 'cookie') {
    throw invalidOption(
      'apiKey',
      expected('in', "'header', 'query' or 'cookie'", where),
      "Say where the API expects its key: in: 'header' with name: 'x-api-key', in: 'query' with name: 'api_key', or in: 'cookie'",
    )
  }
  const name = requireString('apiKey', 'name', options.name)
  const value = requireString('apiKey', 'value', options.value, false, true)
  if (where === 'header' && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
    throw invalidOption(
      'apiKey',
      expected('name', 'a valid header name', name),
      'A header name is letters, digits and -_.!#$%&*+^`|~ only; copy it from the API documentation (e.g. x-api-key)',
    )
  }
  const headerName = name.toLowerCase()
  return {
    scheme: 'ApiKey',
    apply(request: AuthRequest) {
      if (where === 'header') request.headers[headerName] = value
      else if (where === 'query') request.url.searchParams.set(name, value)
      else {
        const pair = `${name}=${value}`
        const existing = request.headers.cookie
        if (existing === undefined || existing.length === 0) request.headers.cookie = pair
        else if (!existing.split('; ').includes(pair)) {
          const others = existing.split('; ').filter((c) => !c.startsWith(`${name}=`))
          request.headers.cookie = [...others, pair].join('; ')
        }
      }
    },
    challenge: () => false,
  }
}
