import type { ErrorDetail, FieldkitErrorOptions } from './errors'

/** What a scrubbed secret is replaced with, everywhere. */
export const REDACTED = '[REDACTED]'

/** Secrets shorter than this are not scrubbed from text: three characters would cut ordinary words apart. */
const MIN_SECRET_LENGTH = 4

/** Headers whose whole value is a credential; any other header is added only when a strategy says it set it. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie'])

/**
 * Knows every secret one request sent and removes each, in every encoding a server may echo it in, from the text
 * of an error or log line. Built per request (or per strategy) from what was actually sent: the value of
 * `Authorization`, `Proxy-Authorization` and `Cookie`, any header or query parameter an auth strategy set, and the
 * raw credentials a strategy holds. For each value it also removes its percent-encoding (both hex cases, `+` for
 * spaces), its base64 (standard and URL-safe, with or without padding) and its JSON-escaped form; for a header it
 * also removes the credential after the scheme (`Token abc…`), both halves of a Basic `user:password` (the password
 * alone), each cookie value, and the signature parameters of Digest and OAuth 1.0a headers (PLAINTEXT's
 * `consumerSecret&tokenSecret` included).
 *
 * @example
 * ```ts
 * const scrubber = createSecretScrubber()
 * scrubber.addHeader('authorization', 'Basic ' + Buffer.from('app:s3cret-value').toString('base64'))
 * scrubber.scrub('server said: bad password s3cret-value') // 'server said: bad password [REDACTED]'
 * ```
 */
export interface SecretScrubber {
  /** Adds one secret value (and derives its encodings). Values under four characters are ignored. */
  add(value: string | undefined): void
  /** Adds what a sent header gives away: the whole value and the credential parts described above. */
  addHeader(name: string, value: string | readonly string[] | number | undefined): void
  /** The text with every known secret, in every encoding, replaced by `[REDACTED]`. */
  scrub(text: string): string
  /** A copy of error options whose message, hint and details (recursively) are scrubbed. */
  scrubError<O extends Pick<FieldkitErrorOptions, 'message' | 'hint' | 'details'>>(options: O): O
  /** How many distinct strings (values and encodings) are known. */
  readonly size: number
}

/**
 * A {@link SecretScrubber} seeded with `values`.
 *
 * @example
 * ```ts
 * const scrubber = createSecretScrubber([password])
 * throw new HttpError(scrubber.scrubError({ code: 'FK_HTTP_STATUS', message, hint, details }))
 * ```
 */
export function createSecretScrubber(values: Iterable<string> = []): SecretScrubber {
  const known = new Set<string>()
  let pattern: RegExp | undefined

  const remember = (text: string): void => {
    if (text.length < MIN_SECRET_LENGTH || known.has(text)) return
    known.add(text)
    pattern = undefined
  }
  const add = (value: string | undefined): void => {
    if (value === undefined || value.length < MIN_SECRET_LENGTH) return
    for (const variant of encodingsOf(value)) remember(variant)
  }
  const addHeader = (name: string, value: string | readonly string[] | number | undefined): void => {
    if (value === undefined) return
    for (const one of Array.isArray(value) ? value : [String(value)]) {
      add(one)
      const lower = name.toLowerCase()
      if (lower === 'cookie') for (const cookie of cookieValues(one)) add(cookie)
      else if (CREDENTIAL_HEADERS.has(lower)) for (const part of credentialParts(one)) add(part)
    }
  }
  const scrub = (text: string): string => {
    if (known.size === 0 || text.length < MIN_SECRET_LENGTH) return text
    pattern ??= new RegExp(
      [...known]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    )
    return text.replace(pattern, REDACTED)
  }
  const scrubDetail = (detail: ErrorDetail): ErrorDetail => {
    if (typeof detail === 'string') return scrub(detail)
    if (Array.isArray(detail)) return detail.map(scrubDetail)
    if (detail !== null && typeof detail === 'object')
      return Object.fromEntries(Object.entries(detail).map(([key, inner]) => [key, scrubDetail(inner)]))
    return detail
  }
  for (const value of values) add(value)
  return {
    add,
    addHeader,
    scrub,
    scrubError(options) {
      if (known.size === 0) return options
      const details =
        options.details === undefined ? undefined : (scrubDetail(options.details) as typeof options.details)
      return { ...options, message: scrub(options.message), hint: scrub(options.hint), details }
    },
    get size() {
      return known.size
    },
  }
}

/** The value and the forms a server may echo it in. */
function encodingsOf(value: string): string[] {
  const out = [value]
  const percent = encodeURIComponent(value)
  if (percent !== value)
    out.push(
      percent,
      percent.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    )
  const form = percent.replace(/%20/g, '+')
  if (form !== percent) out.push(form)
  const base64 = Buffer.from(value, 'utf8').toString('base64')
  out.push(base64, base64.replace(/=+$/, ''), base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''))
  const json = JSON.stringify(value).slice(1, -1)
  if (json !== value) out.push(json)
  return out
}

/** From `Scheme credentials`: the credentials, Basic's password, Digest's response, OAuth's signature halves. */
function credentialParts(header: string): string[] {
  const space = header.indexOf(' ')
  if (space === -1) return []
  const scheme = header.slice(0, space).toLowerCase()
  const credentials = header.slice(space + 1).trim()
  const parts = [credentials]
  if (scheme === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon !== -1) parts.push(decoded, decoded.slice(colon + 1))
  }
  for (const match of credentials.matchAll(/([\w-]+)\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^\s,]+))/g)) {
    const name = (match[1] ?? '').toLowerCase()
    if (!/signature|response|token|secret|password|cnonce/.test(name) || name === 'oauth_token_type') continue
    const raw = match[2] ?? match[3] ?? ''
    parts.push(raw)
    const decoded = safeDecode(raw)
    parts.push(decoded)
    if (name === 'oauth_signature') parts.push(...decoded.split('&').map(safeDecode))
  }
  return parts
}

function cookieValues(header: string): string[] {
  return header.split(';').flatMap((pair) => {
    const eq = pair.indexOf('=')
    return eq === -1 ? [] : [pair.slice(eq + 1).trim(), safeDecode(pair.slice(eq + 1).trim())]
  })
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
