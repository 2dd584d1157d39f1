import { createHash, timingSafeEqual } from 'node:crypto'
import { FieldkitError } from '@fieldkit/core'
import { HttpResponse } from 'msw'

/** An `Authorization` header split into its scheme and either a token68 or auth-params (RFC 9110 section 11.4). */
export interface ParsedAuthorization {
  /** The scheme as sent (compare case-insensitively). */
  scheme: string
  /** The token68 form (`Basic QWxh…`), if the credentials are one. */
  token68?: string
  /** Auth-params by lower-case name, values unquoted and unescaped. */
  params: Map<string, string>
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/

/** Longest `Authorization` value the auth mocks look at; longer ones are refused with 400. */
export const MAX_AUTHORIZATION_LENGTH = 16_384

/**
 * Parses an `Authorization` header value. Returns `undefined` for anything that is not well-formed (unterminated
 * quotes, a parameter given twice, stray characters), so the caller answers 400 instead of guessing.
 */
export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  if (value.length > MAX_AUTHORIZATION_LENGTH) return undefined
  const input = value.trim()
  const schemeMatch = TOKEN.exec(input)
  if (!schemeMatch) return undefined
  const scheme = schemeMatch[0]
  const rest = input.slice(scheme.length)
  const params = new Map<string, string>()
  if (rest.length === 0) return { scheme, params }
  if (!/^[ \t]/.test(rest)) return undefined
  const body = rest.trim()
  if (TOKEN68.test(body) && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+[ \t]*=[ \t]*[^=]/.test(body)) {
    return { scheme, token68: body, params }
  }
  let i = 0
  const n = body.length
  const skipSpace = () => {
    while (i < n && (body[i] === ' ' || body[i] === '\t')) i++
  }
  while (i < n) {
    skipSpace()
    if (body[i] === ',') {
      i++
      continue
    }
    const nameMatch = TOKEN.exec(body.slice(i, i + 256))
    if (!nameMatch) return undefined
    const name = nameMatch[0].toLowerCase()
    i += nameMatch[0].length
    skipSpace()
    if (body[i] !== '=') return undefined
    i++
    skipSpace()
    let paramValue = ''
    if (body[i] === '"') {
      i++
      let closed = false
      while (i < n) {
        const c = body[i]
        if (c === '\\' && i + 1 < n) {
          paramValue += body[i + 1]
          i += 2
        } else if (c === '"') {
          i++
          closed = true
          break
        } else {
          paramValue += c
          i++
        }
      }
      if (!closed) return undefined
    } else {
      const tokenMatch = TOKEN.exec(body.slice(i, i + MAX_AUTHORIZATION_LENGTH))
      if (!tokenMatch) return undefined
      paramValue = tokenMatch[0]
      i += paramValue.length
    }
    if (params.has(name)) return undefined
    params.set(name, paramValue)
    skipSpace()
    if (i < n && body[i] !== ',') return undefined
  }
  return { scheme, params }
}

/** Constant-time string comparison (the lengths may differ: both sides are hashed first). */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const left = createHash('sha256').update(a).digest()
  const right = createHash('sha256').update(b).digest()
  return timingSafeEqual(left, right)
}

/** Quotes a value for an auth-param (`realm="a \"b\""`). */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
}

/** The 200 answer of every protected resource: `{ ok: true, user }` plus scheme-specific facts. */
export function authorised(
  user: string,
  extra: Record<string, unknown> = {},
  headers?: Headers | Record<string, string>,
): Response {
  return HttpResponse.json({ ok: true, user, ...extra }, { headers })
}

/** A JSON refusal with the given status, reason and headers. */
export function refuse(status: number, reason: string, headers?: Headers | Record<string, string>): Response {
  return HttpResponse.json({ ok: false, error: reason }, { status, headers })
}

/** Throws the option error every auth mock uses at construction. */
export function invalidOption(where: string, expected: string, got: unknown): never {
  throw new FieldkitError({
    code: 'FK_MOCK_AUTH_OPTIONS',
    message: `[fieldkit/mocks] ${where}: expected ${expected}, got ${describe(got)}`,
    hint: 'Check the options passed to the auth mock factory; each option is described in the @fieldkit/mocks README',
    details: { where, expected },
  })
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined'
  if (value === null) return 'null'
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : `"${value}"`
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `an array of ${value.length}`
  return typeof value
}

/** Checks a mock's `path` option: a string starting with `/`. */
export function checkPath(where: string, path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/'))
    invalidOption(`${where} \`path\``, 'a path starting with "/"', path)
  return path
}

/** Checks a record of user name → secret. */
export function checkSecrets(where: string, record: unknown): Record<string, string> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    invalidOption(where, 'an object of name → secret', record)
  }
  const entries = Object.entries(record as Record<string, unknown>)
  if (entries.length === 0) invalidOption(where, 'at least one entry', record)
  for (const [name, secret] of entries) {
    if (typeof secret !== 'string') invalidOption(`${where}["${name}"]`, 'a string', secret)
  }
  return { ...(record as Record<string, string>) }
}

/** Keeps a Map from growing without bound: drops the oldest entries beyond `max`. */
export function trim<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next()
    if (oldest.done) return
    map.delete(oldest.value)
  }
}
