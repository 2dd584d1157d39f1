import { AuthError } from './errors'

/**
 * One challenge from a `WWW-Authenticate` / `Proxy-Authenticate` header (RFC 9110 section 11.6.1).
 *
 * @example
 * ```ts
 * const [basic]: Challenge[] = parseChallenges('Basic realm="intranet", charset="UTF-8"')
 * basic?.params.charset // 'UTF-8'
 * ```
 */
export interface Challenge {
  /** The scheme as sent (`Digest`, `NTLM`, …); compare case-insensitively. */
  scheme: string
  /** auth-params with lower-case names, values unquoted. */
  params: Record<string, string>
  /** The token68 form (`NTLM TlRMTVNT…`, `Negotiate …`), when the challenge carries one. */
  token68?: string
}

const MAX_HEADER = 16 * 1024
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/
/** A token68 starting exactly at lastIndex (sticky: no copy of the rest of the header). */
const TOKEN68_AT = /[A-Za-z0-9\-._~+/]+=*/y

function badChallenge(reason: string): AuthError {
  return new AuthError({
    code: 'FK_AUTH_CHALLENGE',
    message: `[fieldkit/auth] The server's WWW-Authenticate header could not be parsed: ${reason} (header value redacted)`,
    hint: 'The server (or a proxy in front of it) sent a malformed authentication challenge; check which scheme it offers with curl -v',
    details: { reason },
  })
}

/**
 * Parses one or several `WWW-Authenticate` / `Proxy-Authenticate` header values into challenges (RFC 9110 section
 * 11.6.1). Several challenges may share one header value, separated by commas; parameter names come out lower-case
 * and quoted values unquoted. Malformed input (an unterminated quote, a repeated parameter, more than 16 KiB) throws
 * `FK_AUTH_CHALLENGE` without echoing the header.
 *
 * @example
 * ```ts
 * const challenges = parseChallenges(['Negotiate', 'Digest realm="api", qop="auth", nonce="abc", algorithm=SHA-256'])
 * challenges.map((c) => c.scheme) // ['Negotiate', 'Digest']
 * challenges[1]?.params.realm // 'api'
 * ```
 */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return []
  const values = typeof header === 'string' ? [header] : header
  const out: Challenge[] = []
  let total = 0
  for (const value of values) {
    if (typeof value !== 'string') throw badChallenge('a header value is not a string')
    total += value.length
    if (total > MAX_HEADER) throw badChallenge(`longer than ${MAX_HEADER} characters`)
    parseOne(value, out)
  }
  return out
}

function parseOne(s: string, out: Challenge[]): void {
  let i = 0
  const n = s.length
  const skipWs = () => {
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++
  }
  const readToken = (): string => {
    const start = i
    while (i < n && TCHAR.test(s[i] as string)) i++
    return s.slice(start, i)
  }
  let current: Challenge | undefined
  while (i < n) {
    skipWs()
    if (i >= n) break
    if (s[i] === ',') {
      i++
      continue
    }
    const start = i
    const token = readToken()
    if (token.length === 0) throw badChallenge(`unexpected character at position ${i}`)
    skipWs()
    if (s[i] === '=' && current !== undefined && !isToken68Tail(s, i)) {
      // auth-param of the current challenge
      i++
      skipWs()
      let value: string
      if (s[i] === '"') {
        i++
        let v = ''
        let closed = false
        while (i < n) {
          const c = s[i] as string
          if (c === '\\') {
            if (i + 1 >= n) break
            v += s[i + 1]
            i += 2
            continue
          }
          if (c === '"') {
            closed = true
            i++
            break
          }
          v += c
          i++
        }
        if (!closed) throw badChallenge(`unterminated quoted string in parameter ${safeName(token)}`)
        value = v
      } else {
        value = readToken()
        if (value.length === 0) throw badChallenge(`empty value for parameter ${safeName(token)}`)
      }
      const name = token.toLowerCase()
      if (Object.hasOwn(current.params, name)) throw badChallenge(`parameter ${safeName(token)} repeated`)
      current.params[name] = value
      skipWs()
      if (i < n && s[i] !== ',') throw badChallenge(`unexpected character at position ${i}`)
      continue
    }
    // A new challenge: the scheme, then maybe a token68 or the first auth-param.
    i = start
    const scheme = readToken()
    current = { scheme, params: Object.create(null) as Record<string, string> }
    out.push(current)
    const afterScheme = i
    if (i < n && s[i] !== ' ' && s[i] !== '\t' && s[i] !== ',')
      throw badChallenge(`unexpected character at position ${i}`)
    skipWs()
    // token68?
    TOKEN68_AT.lastIndex = i
    const t68 = TOKEN68_AT.exec(s)
    if (t68 && i > afterScheme) {
      const end = i + t68[0].length
      let j = end
      while (j < n && (s[j] === ' ' || s[j] === '\t')) j++
      if ((j >= n || s[j] === ',') && TOKEN68.test(t68[0])) {
        current.token68 = t68[0]
        i = j
      }
    }
  }
}

/** `name=` starts an auth-param unless it is the padding of a token68 (`abc==`). */
function isToken68Tail(s: string, eq: number): boolean {
  let j = eq
  while (j < s.length && s[j] === '=') j++
  while (j < s.length && (s[j] === ' ' || s[j] === '\t')) j++
  return j >= s.length || s[j] === ','
}

function safeName(name: string): string {
  return /^[a-z0-9_-]{1,32}$/i.test(name) ? name : '(unnamed)'
}

/** The challenge header of a 401 (`www-authenticate`) or a 407 (`proxy-authenticate`). */
export function challengeHeader(
  status: number,
  headers: Record<string, string | string[] | undefined>,
): string | string[] | undefined {
  return status === 407 ? headers['proxy-authenticate'] : headers['www-authenticate']
}
