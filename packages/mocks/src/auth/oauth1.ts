import { createHmac, createPublicKey, type KeyObject, verify as verifySignature } from 'node:crypto'
import { HttpResponse, http, type RequestHandler } from 'msw'
import {
  authorised,
  checkPath,
  checkSecrets,
  invalidOption,
  parseAuthorization,
  quote,
  safeEqual,
  trim,
} from './params'

/** Signature methods of RFC 5849 section 3.4, plus HMAC-SHA256 as NetSuite token-based authentication uses it. */
export type OAuth1SignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256' | 'RSA-SHA1' | 'PLAINTEXT'

/** Options of {@link oauth1Provider}. */
export interface OAuth1ProviderOptions {
  /** Path of the protected resource (any method), e.g. `/oauth1/photos`. */
  path: string
  /** Consumer key → consumer secret. */
  consumers: Record<string, string>
  /** Token → token secret. */
  tokens: Record<string, string>
  /** Realm sent in the `WWW-Authenticate` challenge (NetSuite: the account id). */
  realm?: string
  /** Consumer key → RSA public key (PEM) for RSA-SHA1. */
  rsaPublicKeys?: Record<string, string>
  /** Accept requests without `oauth_token` (two-legged, or a temporary-credential request). Default false. */
  allowMissingToken?: boolean
  /** Largest difference between `oauth_timestamp` and the server clock, in seconds. Default 300. */
  timestampWindowSeconds?: number
  /** Clock in milliseconds, for tests replaying the RFC examples. Default `Date.now`. */
  now?: () => number
}

/** Percent-encoding of RFC 5849 section 3.6: everything but ALPHA, DIGIT, `-`, `.`, `_`, `~`, as UTF-8. */
export function oauthEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

class BadRequest extends Error {
  override name = 'BadRequest'
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    throw new BadRequest('invalid percent-encoding')
  }
}

function formPairs(text: string): [string, string][] {
  const pairs: [string, string][] = []
  for (const part of text.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    pairs.push(eq < 0 ? [formDecode(part), ''] : [formDecode(part.slice(0, eq)), formDecode(part.slice(eq + 1))])
  }
  return pairs
}

/** The parameters of a request by source (RFC 5849 section 3.4.1.3.1), with `realm` kept apart. */
export interface OAuth1Parameters {
  header: [string, string][]
  query: [string, string][]
  body: [string, string][]
  realm?: string
}

/** Collects the parameters of a request from the `Authorization: OAuth` header, the query and a form body. */
export async function collectOAuth1Parameters(request: Request): Promise<OAuth1Parameters> {
  const url = new URL(request.url)
  const result: OAuth1Parameters = { header: [], query: formPairs(url.search.slice(1)), body: [] }
  const authorization = request.headers.get('authorization')
  if (authorization !== null) {
    const parsed = parseAuthorization(authorization)
    if (!parsed) throw new BadRequest('malformed Authorization header')
    if (parsed.scheme.toLowerCase() === 'oauth') {
      if (parsed.token68 !== undefined) throw new BadRequest('OAuth credentials must be auth-params')
      for (const [name, value] of parsed.params) {
        if (name === 'realm') result.realm = value
        else if (name.startsWith('oauth_')) result.header.push([name, formDecode(value.replace(/\+/g, '%2B'))])
        else throw new BadRequest(`parameter ${name.slice(0, 40)} is not allowed in the Authorization header`)
      }
    }
  }
  const type = request.headers.get('content-type') ?? ''
  if (/^application\/x-www-form-urlencoded\b/i.test(type) && request.method !== 'GET' && request.method !== 'HEAD') {
    result.body = formPairs(await request.text())
  }
  return result
}

/**
 * The signature base string of RFC 5849 section 3.4.1: method, base string URI (scheme and host lower-cased,
 * default port dropped, no query) and the normalised parameters (all but `oauth_signature`, encoded, sorted).
 */
export function signatureBaseString(method: string, requestUrl: string, params: [string, string][]): string {
  const url = new URL(requestUrl)
  const defaultPort =
    (url.protocol === 'http:' && url.port === '80') || (url.protocol === 'https:' && url.port === '443')
  const host = url.hostname.toLowerCase() + (url.port !== '' && !defaultPort ? `:${url.port}` : '')
  const baseUri = `${url.protocol.toLowerCase()}//${host}${url.pathname}`
  const normalised = params
    .filter(([name]) => name !== 'oauth_signature')
    .map(([name, value]) => [oauthEncode(name), oauthEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&')
  return [method.toUpperCase(), oauthEncode(baseUri), oauthEncode(normalised)].join('&')
}

const PROTOCOL = [
  'oauth_consumer_key',
  'oauth_token',
  'oauth_signature_method',
  'oauth_signature',
  'oauth_timestamp',
  'oauth_nonce',
  'oauth_version',
  'oauth_callback',
  'oauth_verifier',
]

/**
 * An OAuth 1.0a protected resource (RFC 5849) that recomputes the signature of every request — HMAC-SHA1,
 * HMAC-SHA256, RSA-SHA1 or PLAINTEXT — from the parameters in the `Authorization` header, the query or a form body,
 * refuses a timestamp outside the window and a nonce seen before (section 3.3), and answers per section 3.2: 400 for
 * missing, duplicated or unsupported parameters, 401 (with an `oauth_problem`) for wrong credentials or signatures.
 *
 * @example
 * ```ts
 * const mock = await serve(oauth1Provider({ path: '/photos', consumers: { key: 'secret' }, tokens: { token: 'token-secret' } }))
 * ```
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a server-side verifier read top to bottom against RFC 5849; not yet split (issue 20 point 8, open)
export function oauth1Provider(options: OAuth1ProviderOptions): RequestHandler[] {
  const path = checkPath('oauth1Provider', options.path)
  const consumers = checkSecrets('oauth1Provider `consumers`', options.consumers)
  const tokens =
    options.tokens === undefined || Object.keys(options.tokens).length === 0
      ? {}
      : checkSecrets('oauth1Provider `tokens`', options.tokens)
  const rsaKeys = new Map<string, KeyObject>()
  for (const [key, pem] of Object.entries(options.rsaPublicKeys ?? {})) {
    try {
      rsaKeys.set(key, createPublicKey(pem))
    } catch {
      invalidOption(`oauth1Provider \`rsaPublicKeys["${key}"]\``, 'an RSA public key in PEM', 'something else')
    }
  }
  const window = options.timestampWindowSeconds ?? 300
  if (!(window > 0)) invalidOption('oauth1Provider `timestampWindowSeconds`', 'a positive number', window)
  const now = options.now ?? Date.now
  const realm = options.realm ?? 'fieldkit'
  const nonces = new Map<string, number>()
  const challenge = { 'www-authenticate': `OAuth realm=${quote(realm)}` }

  const problem = (status: 400 | 401, oauthProblem: string, reason: string) =>
    HttpResponse.json(
      { ok: false, error: reason, oauth_problem: oauthProblem },
      { status, headers: status === 401 ? challenge : undefined },
    )

  return [
    http.all(`*${path}`, async ({ request }) => {
      let params: OAuth1Parameters
      try {
        params = await collectOAuth1Parameters(request)
      } catch (error) {
        if (error instanceof BadRequest) return problem(400, 'parameter_rejected', error.message)
        throw error
      }
      const all = [...params.header, ...params.query, ...params.body]
      const protocol = new Map<string, string>()
      for (const [name, value] of all) {
        if (!name.startsWith('oauth_')) continue
        if (protocol.has(name)) return problem(400, 'parameter_rejected', `${name.slice(0, 40)} given more than once`)
        protocol.set(name, value)
      }
      if (protocol.size === 0) return problem(401, 'parameter_absent', 'OAuth credentials required')
      for (const name of protocol.keys()) {
        if (!PROTOCOL.includes(name))
          return problem(400, 'parameter_rejected', `unsupported parameter ${name.slice(0, 40)}`)
      }
      const consumerKey = protocol.get('oauth_consumer_key')
      const method = protocol.get('oauth_signature_method')
      const signature = protocol.get('oauth_signature')
      const token = protocol.get('oauth_token')
      const timestamp = protocol.get('oauth_timestamp')
      const nonce = protocol.get('oauth_nonce')
      if (consumerKey === undefined || method === undefined || signature === undefined) {
        return problem(
          400,
          'parameter_absent',
          'oauth_consumer_key, oauth_signature_method and oauth_signature are required',
        )
      }
      if (method !== 'PLAINTEXT' && (timestamp === undefined || nonce === undefined)) {
        return problem(400, 'parameter_absent', 'oauth_timestamp and oauth_nonce are required')
      }
      const version = protocol.get('oauth_version')
      if (version !== undefined && version !== '1.0')
        return problem(400, 'version_rejected', 'oauth_version must be 1.0')
      if (!['HMAC-SHA1', 'HMAC-SHA256', 'RSA-SHA1', 'PLAINTEXT'].includes(method)) {
        return problem(400, 'signature_method_rejected', `signature method ${method.slice(0, 20)} is not supported`)
      }
      const consumerSecret = Object.hasOwn(consumers, consumerKey) ? consumers[consumerKey] : undefined
      if (consumerSecret === undefined) return problem(401, 'consumer_key_unknown', 'unknown consumer key')
      let tokenSecret = ''
      if (token === undefined || token === '') {
        if (options.allowMissingToken !== true) return problem(401, 'token_rejected', 'oauth_token required')
      } else {
        const secret = Object.hasOwn(tokens, token) ? tokens[token] : undefined
        if (secret === undefined) return problem(401, 'token_rejected', 'unknown or revoked token')
        tokenSecret = secret
      }
      if (timestamp !== undefined) {
        if (!/^\d{1,12}$/.test(timestamp))
          return problem(400, 'timestamp_refused', 'oauth_timestamp is not a number of seconds')
        if (Math.abs(Number(timestamp) * 1000 - now()) > window * 1000) {
          return problem(401, 'timestamp_refused', `oauth_timestamp is more than ${window} s from the server clock`)
        }
      }

      const key = `${oauthEncode(consumerSecret)}&${oauthEncode(tokenSecret)}`
      const base = signatureBaseString(request.method, request.url, all)
      let valid: boolean
      if (method === 'PLAINTEXT') {
        valid = safeEqual(signature, key)
      } else if (method === 'RSA-SHA1') {
        const publicKey = rsaKeys.get(consumerKey)
        if (publicKey === undefined)
          return problem(401, 'signature_method_rejected', 'no RSA key registered for this consumer')
        valid = verifySignature('sha1', Buffer.from(base), publicKey, Buffer.from(signature, 'base64'))
      } else {
        const expected = createHmac(method === 'HMAC-SHA1' ? 'sha1' : 'sha256', key)
          .update(base)
          .digest()
        valid = safeEqual(expected, Buffer.from(signature, 'base64'))
      }
      if (!valid) return problem(401, 'signature_invalid', 'signature does not match')

      if (nonce !== undefined && timestamp !== undefined) {
        const seen = `${consumerKey}&${token ?? ''}&${timestamp}&${nonce}`
        if (nonces.has(seen)) return problem(401, 'nonce_used', 'nonce already used with this timestamp')
        nonces.set(seen, Number(timestamp))
        trim(nonces, 100_000)
      }
      return authorised(token ?? consumerKey, { scheme: 'OAuth', consumer: consumerKey, signatureMethod: method })
    }),
  ]
}
