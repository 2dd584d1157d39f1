import { createHash, createHmac } from 'node:crypto'
import type { AuthRequest, AuthStrategy } from '@fieldkit/core'
import { expected } from '@fieldkit/core'
import { invalidOption, requireString } from './errors'

/** Options of {@link awsSigV4}. */
export interface AwsSigV4Options {
  accessKeyId: string
  secretAccessKey: string
  /** For temporary credentials (STS, an assumed role): sent as `x-amz-security-token`. */
  sessionToken?: string
  region: string
  /** `execute-api`, `s3`, `es`, … */
  service: string
  /**
   * The clock that dates each signature (default: the system clock). Give a fixed time to compare a signature with
   * another implementation's offline, or a corrected clock when this machine's clock is known to be off.
   */
  now?: () => Date
}

/** What one signing produced: the canonical request and string to sign (for comparing with AWS's error text). */
export interface SigV4Result {
  canonicalRequest: string
  stringToSign: string
  signature: string
  authorization: string
}

/** Inputs of {@link sigv4Sign}. */
export interface SigV4Input {
  method: string
  url: URL
  /** Lower-case names; `host` is taken from the URL when absent. */
  headers: Record<string, string>
  body?: string | Uint8Array
  accessKeyId: string
  secretAccessKey: string
  region: string
  service: string
  /** `YYYYMMDDTHHMMSSZ` */
  amzDate: string
  /** Reuse of derived signing keys across requests of the same day. */
  keyCache?: Map<string, Buffer>
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** URI encoding of the SigV4 documentation: RFC 3986 unreserved characters kept, everything else %XX upper-case. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function canonicalPath(url: URL, service: string): string {
  const path = url.pathname === '' ? '/' : url.pathname
  if (path === '/') return '/'
  // S3: each segment decoded, then encoded once (an encoded slash stays a slash).
  if (service === 's3')
    return path
      .split('/')
      .map((s) => uriEncode(safeDecode(s)))
      .join('/')
      .replace(/%2F/g, '/')
  // Other services: the path as sent (dot segments already resolved by URL, repeated slashes merged), each segment
  // encoded once more — "encoded twice" counting the encoding of the request itself.
  return path
    .replace(/\/{2,}/g, '/')
    .split('/')
    .map((s) => uriEncode(s))
    .join('/')
}

function canonicalQuery(url: URL): string {
  const pairs: Array<[string, string]> = []
  for (const part of url.search.slice(1).split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const k = eq === -1 ? part : part.slice(0, eq)
    const v = eq === -1 ? '' : part.slice(eq + 1)
    pairs.push([uriEncode(safeDecode(k.replace(/\+/g, '%20'))), uriEncode(safeDecode(v.replace(/\+/g, '%20')))])
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

/** Signs headers that intermediaries do not rewrite: host, content-type, content-md5, x-amz-*. */
function isSigned(name: string): boolean {
  return name === 'host' || name === 'content-type' || name === 'content-md5' || name.startsWith('x-amz-')
}

function signingKey(
  secret: string,
  date: string,
  region: string,
  service: string,
  cache?: Map<string, Buffer>,
): Buffer {
  const cacheKey = `${date}/${region}/${service}`
  const hit = cache?.get(cacheKey)
  if (hit !== undefined) return hit
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest()
  const kRegion = createHmac('sha256', kDate).update(region).digest()
  const kService = createHmac('sha256', kRegion).update(service).digest()
  const key = createHmac('sha256', kService).update('aws4_request').digest()
  if (cache !== undefined) {
    if (cache.size > 8) cache.clear()
    cache.set(cacheKey, key)
  }
  return key
}

/**
 * Computes a SigV4 signature (AWS Signature Version 4, header form) for one request at a given time, without
 * sending anything: for checking a signature offline against AWS's `SignatureDoesNotMatch` answer (which quotes the
 * canonical request and string to sign it expected) or another implementation.
 *
 * @example
 * ```ts
 * const { authorization, canonicalRequest } = sigv4Sign({
 *   method: 'GET',
 *   url: new URL('https://examplebucket.s3.amazonaws.com/photos/a b.jpg'),
 *   headers: { 'x-amz-date': '20130524T000000Z', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
 *   accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
 *   secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
 *   region: 'us-east-1',
 *   service: 's3',
 *   amzDate: '20130524T000000Z',
 * })
 * ```
 */
export function sigv4Sign(i: SigV4Input): SigV4Result {
  const headers: Record<string, string> = { host: i.url.host, ...i.headers }
  const names = Object.keys(headers)
    .map((n) => n.toLowerCase())
    .filter(isSigned)
    .sort()
  const canonicalHeaders = names.map((n) => `${n}:${String(headers[n]).trim().replace(/\s+/g, ' ')}\n`).join('')
  const signedHeaders = names.join(';')
  const payloadHash =
    headers['x-amz-content-sha256'] ??
    (i.body === undefined || i.body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(i.body).digest('hex'))
  const canonicalRequest = `${i.method.toUpperCase()}\n${canonicalPath(i.url, i.service)}\n${canonicalQuery(i.url)}\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`
  const date = i.amzDate.slice(0, 8)
  const scope = `${date}/${i.region}/${i.service}/aws4_request`
  const stringToSign = `AWS4-HMAC-SHA256\n${i.amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`
  const signature = createHmac('sha256', signingKey(i.secretAccessKey, date, i.region, i.service, i.keyCache))
    .update(stringToSign)
    .digest('hex')
  const authorization = `AWS4-HMAC-SHA256 Credential=${i.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
  return { canonicalRequest, stringToSign, signature, authorization }
}

/** `20150830T123600Z` from a Date. */
function amzDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

/** The payload hashes S3 accepts instead of the body's SHA-256 (S3 API reference, "Authenticating Requests"). */
function isS3PayloadKeyword(value: string | undefined): boolean {
  return value !== undefined && (value === 'UNSIGNED-PAYLOAD' || value.startsWith('STREAMING-'))
}

/**
 * AWS Signature Version 4 in the `Authorization` header: host, content-type and `x-amz-*` headers signed, the body
 * hashed (S3 also gets `x-amz-content-sha256`, unless the caller set it to `UNSIGNED-PAYLOAD` or a `STREAMING-…`
 * value, which S3 allows and which is then signed as given), `x-amz-security-token` for temporary credentials, a
 * fresh `x-amz-date` on every attempt from the `now` clock.
 *
 * @example
 * ```ts
 * const auth = awsSigV4({ accessKeyId: 'AKID…', secretAccessKey: '…', region: 'eu-west-1', service: 'execute-api' })
 * ```
 */
export function awsSigV4(options: AwsSigV4Options): AuthStrategy {
  const accessKeyId = requireString('awsSigV4', 'accessKeyId', options?.accessKeyId)
  const secretAccessKey = requireString('awsSigV4', 'secretAccessKey', options.secretAccessKey, false, true)
  const region = requireString('awsSigV4', 'region', options.region)
  const service = requireString('awsSigV4', 'service', options.service)
  const sessionToken = options.sessionToken
  if (sessionToken !== undefined) requireString('awsSigV4', 'sessionToken', sessionToken, false, true)
  const now = options.now ?? (() => new Date())
  if (typeof now !== 'function') {
    throw invalidOption(
      'awsSigV4',
      expected('now', 'a function returning a Date', now),
      'Pass now: () => new Date(…) to sign at a fixed time, or leave it out to use the system clock',
    )
  }
  const keyCache = new Map<string, Buffer>()
  return {
    scheme: 'AWS4-HMAC-SHA256',
    apply(request: AuthRequest) {
      const headers = request.headers
      delete headers.authorization
      headers['x-amz-date'] = amzDate(now())
      if (sessionToken !== undefined) headers['x-amz-security-token'] = sessionToken
      if (service === 's3' && !isS3PayloadKeyword(headers['x-amz-content-sha256'])) {
        headers['x-amz-content-sha256'] =
          request.body === undefined || request.body.length === 0
            ? EMPTY_SHA256
            : createHash('sha256').update(request.body).digest('hex')
      }
      const signed = sigv4Sign({
        method: request.method,
        url: request.url,
        headers,
        body: request.body,
        accessKeyId,
        secretAccessKey,
        region,
        service,
        amzDate: headers['x-amz-date'],
        keyCache,
      })
      headers.authorization = signed.authorization
    },
    // A 403/401 from AWS means a wrong key, scope or a skewed clock: nothing to learn.
    challenge: () => false,
  }
}
