import { createHmac, createSign, type KeyObject } from 'node:crypto'
import type { AuthRequest, AuthStrategy } from '@fieldkit/core'
import { expected } from '@fieldkit/core'
import { AuthError, invalidOption, requireString } from './errors'
import { randomHex } from './random'

/**
 * Signature methods of RFC 5849 section 3.4 (and HMAC-SHA256, as NetSuite token-based auth uses).
 *
 * @example
 * ```ts
 * const method: OAuth1SignatureMethod = OAUTH1_SIGNATURE_METHODS[1] // 'HMAC-SHA256'
 * ```
 */
export const OAUTH1_SIGNATURE_METHODS = ['HMAC-SHA1', 'HMAC-SHA256', 'RSA-SHA1', 'PLAINTEXT'] as const
/** One of {@link OAUTH1_SIGNATURE_METHODS}. */
export type OAuth1SignatureMethod = (typeof OAUTH1_SIGNATURE_METHODS)[number]

/** Options of {@link oauth1}. */
export interface OAuth1Options {
  consumerKey: string
  /** Not needed for RSA-SHA1. */
  consumerSecret?: string
  /** The token credentials (absent while requesting temporary credentials). */
  token?: string
  tokenSecret?: string
  /** Default `HMAC-SHA1`. */
  signatureMethod?: OAuth1SignatureMethod
  /** PEM or KeyObject, for RSA-SHA1. */
  privateKey?: string | KeyObject
  /** Sent in the header, excluded from the signature (NetSuite: the account id). */
  realm?: string
  /** `oauth_callback`, for a temporary-credential request. */
  callback?: string
  /** `oauth_verifier`, for a token-credential request. */
  verifier?: string
  /** Send `oauth_version="1.0"` (optional in RFC 5849, required by some providers such as NetSuite). Default true. */
  version?: boolean
}

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/

/** Percent-encoding of RFC 5849 section 3.6 (RFC 3986 unreserved characters kept, UTF-8 otherwise). */
export function oauthEncode(value: string): string {
  if (UNRESERVED.test(value)) return value
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** The base string URI of RFC 5849 section 3.4.1.2: lower-case scheme and host, default port dropped, no query. */
export function oauthBaseUri(url: URL): string {
  // URL already lower-cases the scheme and host and drops the scheme's default port.
  return `${url.protocol}//${url.host}${url.pathname === '' ? '/' : url.pathname}`
}

/** Parameters of RFC 5849 section 3.4.1.3: the query, a form body, then the oauth_* protocol parameters. */
export function oauthNormalizedParameters(url: URL, oauthParams: Array<[string, string]>, formBody?: string): string {
  const pairs: Array<[string, string]> = []
  for (const [k, v] of oauthParams) {
    if (k !== 'realm' && k !== 'oauth_signature') pairs.push([oauthEncode(k), oauthEncode(v)])
  }
  return normalizeEncoded(url, pairs, formBody)
}

/** Normalized parameters from protocol parameters already percent-encoded; the query and a form body are added. */
function normalizeEncoded(url: URL, pairs: Array<[string, string]>, formBody?: string): string {
  if (url.search.length > 1) for (const [k, v] of url.searchParams) pairs.push([oauthEncode(k), oauthEncode(v)])
  if (formBody !== undefined) {
    for (const [k, v] of new URLSearchParams(formBody)) pairs.push([oauthEncode(k), oauthEncode(v)])
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

/** The signature base string of RFC 5849 section 3.4.1. */
export function oauthBaseString(
  method: string,
  url: URL,
  oauthParams: Array<[string, string]>,
  formBody?: string,
): string {
  return `${method.toUpperCase()}&${oauthEncode(oauthBaseUri(url))}&${oauthEncode(oauthNormalizedParameters(url, oauthParams, formBody))}`
}

/** Computes `oauth_signature` (RFC 5849 section 3.4.2 to 3.4.4). */
export function oauthSignature(
  method: OAuth1SignatureMethod,
  baseString: string,
  consumerSecret: string,
  tokenSecret: string,
  privateKey?: string | KeyObject,
): string {
  const key = `${oauthEncode(consumerSecret)}&${oauthEncode(tokenSecret)}`
  switch (method) {
    case 'HMAC-SHA1':
      return createHmac('sha1', key).update(baseString).digest('base64')
    case 'HMAC-SHA256':
      return createHmac('sha256', key).update(baseString).digest('base64')
    case 'PLAINTEXT':
      return key
    case 'RSA-SHA1':
      return createSign('RSA-SHA1')
        .update(baseString)
        .sign(privateKey as string | KeyObject, 'base64')
  }
}

function isForm(request: AuthRequest): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(request.headers['content-type'] ?? '')
}

/**
 * OAuth 1.0a request signing (RFC 5849): HMAC-SHA1, HMAC-SHA256 (NetSuite token-based auth, with `realm`), RSA-SHA1
 * and PLAINTEXT; the base string covers the query, the parameters of a form body and repeated names, with a fresh
 * nonce and timestamp on every attempt.
 *
 * @example
 * ```ts
 * const auth = oauth1({ consumerKey: 'ck', consumerSecret: 'cs', token: 't', tokenSecret: 'ts',
 *   signatureMethod: 'HMAC-SHA256', realm: '1234567' })
 * ```
 */
export function oauth1(options: OAuth1Options): AuthStrategy {
  const consumerKey = requireString('oauth1', 'consumerKey', options?.consumerKey)
  const method = options.signatureMethod ?? 'HMAC-SHA1'
  if (!OAUTH1_SIGNATURE_METHODS.includes(method)) {
    const named = /^[A-Za-z0-9-]{1,32}$/.test(String(method)) ? String(method) : '(unreadable)'
    throw new AuthError({
      code: 'FK_AUTH_UNSUPPORTED_ALGORITHM',
      message: `[fieldkit/auth] oauth1: signature method ${named} is not supported; supported: ${OAUTH1_SIGNATURE_METHODS.join(', ')}`,
      hint: 'Use the signature method the provider registered for the consumer key (HMAC-SHA256 for NetSuite, HMAC-SHA1 for most others)',
      details: { offered: named, supported: OAUTH1_SIGNATURE_METHODS.join(', ') },
    })
  }
  const consumerSecret =
    method === 'RSA-SHA1'
      ? (options.consumerSecret ?? '')
      : requireString('oauth1', 'consumerSecret', options.consumerSecret, false, true)
  if (method === 'RSA-SHA1' && options.privateKey === undefined) {
    throw invalidOption(
      'oauth1',
      expected('privateKey', 'a PEM text or KeyObject with signatureMethod RSA-SHA1', options.privateKey),
      'RSA-SHA1 signs with the consumer private key: read the PEM file (readFileSync(path, "utf8")) and pass its text as privateKey',
    )
  }
  const token = options.token
  const tokenSecret = options.tokenSecret ?? ''
  if (token !== undefined) requireString('oauth1', 'token', token, false, true)
  const fixed: Array<[string, string]> = [['oauth_consumer_key', consumerKey]]
  if (token !== undefined) fixed.push(['oauth_token', token])
  fixed.push(['oauth_signature_method', method])
  if (options.callback !== undefined) fixed.push(['oauth_callback', options.callback])
  if (options.verifier !== undefined) fixed.push(['oauth_verifier', options.verifier])
  if (options.version !== false) fixed.push(['oauth_version', '1.0'])
  const realm = options.realm === undefined ? '' : `realm="${oauthEncode(options.realm)}", `
  // Protocol parameters that never change, encoded once: for the base string and for the header.
  const fixedEncoded = fixed.map(([k, v]): [string, string] => [k, oauthEncode(v)])
  const fixedHeader = fixedEncoded.map(([k, v]) => `${k}="${v}", `).join('')
  /** The base string's parts of the last signed request (never a value): for the refusal hint. */
  let lastBase: { method: string; uri: string; names: string[] } | undefined
  return {
    scheme: 'OAuth',
    apply(request: AuthRequest) {
      const timestamp = String(Math.floor(Date.now() / 1000))
      const nonce = randomHex(16)
      let form: string | undefined
      if (request.body !== undefined && isForm(request)) {
        form = typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8')
      }
      const params = normalizeEncoded(
        request.url,
        [...fixedEncoded, ['oauth_timestamp', timestamp], ['oauth_nonce', nonce]],
        form,
      )
      const base = `${request.method.toUpperCase()}&${oauthEncode(oauthBaseUri(request.url))}&${oauthEncode(params)}`
      lastBase = {
        method: request.method.toUpperCase(),
        uri: oauthBaseUri(request.url),
        names: params.split('&').map((pair) => decodeURIComponent(pair.slice(0, pair.indexOf('=')))),
      }
      const signature = oauthSignature(method, base, consumerSecret, tokenSecret, options.privateKey)
      request.headers.authorization = `OAuth ${realm}${fixedHeader}oauth_timestamp="${timestamp}", oauth_nonce="${nonce}", oauth_signature="${oauthEncode(signature)}"`
    },
    // Nothing to learn from a 401: the signature or the timestamp was refused.
    challenge: () => false,
    refusalHint(response) {
      const parts =
        lastBase === undefined
          ? 'no request was signed'
          : `method ${lastBase.method}, URL ${lastBase.uri}, parameters (sorted) ${lastBase.names.join(', ')}`
      return `The server refused the OAuth 1.0a ${method} signature (${response.status}). The signature base string was built from: ${parts}; compare with the server's (NetSuite and others log it) — a proxy that rewrites the host, port or path, a form body sent without content-type application/x-www-form-urlencoded, or a different realm change it. Check also the consumer key, token and their secrets, and this machine's clock (oauth_timestamp)`
    },
  }
}
