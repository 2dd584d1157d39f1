import { createHash, randomBytes } from 'node:crypto'
import { expected } from '@fieldkit/core'
import { invalidOption, requireString } from './errors'

/** Options of {@link wsSecurityUsernameToken}. */
export interface UsernameTokenOptions {
  username: string
  password: string
  /** `true` (default): PasswordDigest = Base64(SHA-1(nonce + created + password)); `false`: PasswordText. */
  digest?: boolean
  /** Lifetime of the `wsu:Timestamp`, in seconds (default 300). */
  ttlSeconds?: number
}

/** What {@link wsSecurityUsernameToken} returns: `@fieldkit/soap` puts `securityHeader()` into each envelope. */
export interface UsernameToken {
  readonly scheme: 'UsernameToken'
  /** A complete `<wsse:Security>` element with a fresh nonce, `Created` and `wsu:Timestamp` on every call. */
  securityHeader(): string
}

const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'
const PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0'
const BASE64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary'

/**
 * PasswordDigest of the UsernameToken Profile 1.0: Base64(SHA-1(nonce + created + password)), the nonce as raw
 * bytes (base64-decoded), `created` exactly as sent in `wsu:Created`.
 */
export function passwordDigest(nonce: Uint8Array, created: string, password: string): string {
  return createHash('sha1').update(nonce).update(created, 'utf8').update(password, 'utf8').digest('base64')
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * WS-Security UsernameToken (OASIS UsernameToken Profile 1.0/1.1) for SOAP services: PasswordText or
 * PasswordDigest, with Nonce, Created and a `wsu:Timestamp`, fresh on every call to `securityHeader()`.
 *
 * @example
 * ```ts
 * const token = wsSecurityUsernameToken({ username: 'svc', password: 's3cret', digest: true })
 * const header = token.securityHeader() // '<wsse:Security …>…</wsse:Security>'
 * ```
 */
export function wsSecurityUsernameToken(options: UsernameTokenOptions): UsernameToken {
  const username = requireString('wsSecurityUsernameToken', 'username', options?.username)
  const password = requireString('wsSecurityUsernameToken', 'password', options.password, true, true)
  const useDigest = options.digest !== false
  const ttl = options.ttlSeconds ?? 300
  if (!Number.isInteger(ttl) || ttl <= 0) {
    throw invalidOption(
      'wsSecurityUsernameToken',
      expected('ttlSeconds', 'a positive integer', ttl),
      'Give the lifetime of the UsernameToken in whole seconds (the default is 300); servers refuse tokens older than their own limit',
    )
  }
  return {
    scheme: 'UsernameToken',
    securityHeader(): string {
      const now = Date.now()
      const created = new Date(now).toISOString()
      const expires = new Date(now + ttl * 1000).toISOString()
      const nonce = randomBytes(16)
      const id = randomBytes(8).toString('hex')
      const pwd = useDigest
        ? `<wsse:Password Type="${PROFILE}#PasswordDigest">${passwordDigest(nonce, created, password)}</wsse:Password>`
        : `<wsse:Password Type="${PROFILE}#PasswordText">${xml(password)}</wsse:Password>`
      return (
        `<wsse:Security xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}">` +
        `<wsu:Timestamp wsu:Id="TS-${id}"><wsu:Created>${created}</wsu:Created><wsu:Expires>${expires}</wsu:Expires></wsu:Timestamp>` +
        `<wsse:UsernameToken wsu:Id="UsernameToken-${id}"><wsse:Username>${xml(username)}</wsse:Username>${pwd}` +
        `<wsse:Nonce EncodingType="${BASE64}">${nonce.toString('base64')}</wsse:Nonce>` +
        `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
      )
    },
  }
}
