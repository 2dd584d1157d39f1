import { createHash } from 'node:crypto'
import {
  type AuthChallengeResponse,
  type AuthRequest,
  type AuthStrategy,
  type Logger,
  resolveLogger,
} from '@fieldkit/core'
import { type Challenge, challengeHeader, parseChallenges } from './challenge'
import { AuthError, requireString } from './errors'
import { randomHex } from './random'

/** Options of {@link digest}. */
export interface DigestOptions {
  username: string
  password: string
  /** Use `auth-int` (the body is hashed too) when the server offers both `auth` and `auth-int`. Default false. */
  preferAuthInt?: boolean
  logger?: Logger
}

/**
 * Digest algorithms this package speaks, strongest first; the strongest one the server offers is used.
 *
 * @example
 * ```ts
 * if (!DIGEST_ALGORITHMS.includes('SHA-256')) throw new Error('unexpected')
 * ```
 */
export const DIGEST_ALGORITHMS = [
  'SHA-512-256',
  'SHA-512-256-sess',
  'SHA-256',
  'SHA-256-sess',
  'MD5',
  'MD5-sess',
] as const
type Algorithm = (typeof DIGEST_ALGORITHMS)[number]

const NODE_HASH: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' }

function hashHex(algorithm: string, data: string | Uint8Array): string {
  return createHash(algorithm).update(data).digest('hex')
}

/** Inputs of one Digest response computation (RFC 7616 section 3.4.1). */
export interface DigestInputs {
  algorithm: Algorithm
  username: string
  realm: string
  password: string
  method: string
  uri: string
  nonce: string
  nc: string
  cnonce: string
  qop?: 'auth' | 'auth-int'
  body?: string | Uint8Array
  /** Precomputed H(username:realm:password), to skip a hash per request. */
  ha1Base?: string
}

/** The base hash function name in node:crypto for a Digest algorithm (`SHA-256-sess` → `sha256`). */
function nodeHash(algorithm: Algorithm): string {
  return NODE_HASH[algorithm.replace(/-sess$/i, '')] as string
}

/** H(username ":" realm ":" password), the session-independent part of HA1. */
export function digestHa1Base(algorithm: Algorithm, username: string, realm: string, password: string): string {
  return hashHex(nodeHash(algorithm), `${username}:${realm}:${password}`)
}

/** The `response` value of RFC 7616 section 3.4.1 (and RFC 2617 section 3.2.2 without qop). */
export function digestResponse(i: DigestInputs): string {
  const h = nodeHash(i.algorithm)
  let ha1 = i.ha1Base ?? digestHa1Base(i.algorithm, i.username, i.realm, i.password)
  if (i.algorithm.endsWith('-sess')) ha1 = hashHex(h, `${ha1}:${i.nonce}:${i.cnonce}`)
  const ha2 =
    i.qop === 'auth-int'
      ? hashHex(h, `${i.method}:${i.uri}:${hashHex(h, i.body ?? '')}`)
      : hashHex(h, `${i.method}:${i.uri}`)
  return i.qop === undefined
    ? hashHex(h, `${ha1}:${i.nonce}:${ha2}`)
    : hashHex(h, `${ha1}:${i.nonce}:${i.nc}:${i.cnonce}:${i.qop}:${ha2}`)
}

/** The `username` sent with `userhash=true`: H(username ":" realm) (RFC 7616 section 3.4.4). */
export function digestUserhash(algorithm: Algorithm, username: string, realm: string): string {
  return hashHex(nodeHash(algorithm), `${username}:${realm}`)
}

interface Learnt {
  realm: string
  nonce: string
  opaque?: string
  algorithm: Algorithm
  /** Whether the server sent `algorithm=` (RFC 2617 servers may not; it is echoed only when they did). */
  algorithmSent: boolean
  qop?: 'auth' | 'auth-int'
  userhash: boolean
  utf8: boolean
  header: 'authorization' | 'proxy-authorization'
  /** Came from a `stale=true` challenge. */
  stale: boolean
  ha1Base: string
}

const quote = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`

function unsupported(offered: string[]): AuthError {
  const names = offered.map((a) => (/^[A-Za-z0-9-]{1,32}$/.test(a) ? a : '(unreadable)')).join(', ')
  return new AuthError({
    code: 'FK_AUTH_UNSUPPORTED_ALGORITHM',
    message: `[fieldkit/auth] The server offers Digest with ${names}; supported: ${DIGEST_ALGORITHMS.join(', ')}`,
    hint: 'Ask the server owner to enable MD5, SHA-256 or SHA-512-256 for Digest, or use another scheme it offers',
    details: { offered: names, supported: DIGEST_ALGORITHMS.join(', ') },
  })
}

/**
 * HTTP Digest authentication (RFC 7616, RFC 2617): MD5, SHA-256 and true SHA-512/256 with their `-sess` forms, the
 * algorithm taken from the challenge (the strongest offered), qop `auth` / `auth-int`, a nonce count per nonce,
 * `opaque` echoed, `userhash`, and one retry on `stale=true`.
 *
 * @example
 * ```ts
 * const auth = digest({ username: 'Mufasa', password: 'Circle of Life' })
 * ```
 */
export function digest(options: DigestOptions): AuthStrategy {
  const username = requireString('digest', 'username', options?.username)
  const password = requireString('digest', 'password', options.password, true)
  const preferAuthInt = options.preferAuthInt === true
  const log = resolveLogger(options.logger, 'auth')
  let current: Learnt | undefined
  /** Nonce counts of recent nonces, so that a nonce seen again never repeats a count. */
  const counts = new Map<string, number>()
  /**
   * Nonces from 401s not yet used: each is given to one next request with nc=1, so that requests answered with a
   * challenge at the same time do not share one nonce (whose counts a strict server wants in order).
   */
  const unused: Learnt[] = []

  function learn(c: Challenge, status: number, stale: boolean): void {
    const p = c.params
    const realm = p.realm ?? ''
    const nonce = p.nonce
    if (nonce === undefined) {
      throw new AuthError({
        code: 'FK_AUTH_CHALLENGE',
        message: '[fieldkit/auth] The Digest challenge has no nonce (header value redacted)',
        hint: 'The server sent an incomplete Digest challenge; check it with curl -v --digest',
        details: { scheme: 'Digest' },
      })
    }
    const algorithm = canonicalAlgorithm(p.algorithm ?? 'MD5') as Algorithm
    const offeredQop = (p.qop ?? '').split(',').map((q) => q.trim().toLowerCase())
    let qop: Learnt['qop']
    if (offeredQop.includes('auth-int') && (preferAuthInt || !offeredQop.includes('auth'))) qop = 'auth-int'
    else if (offeredQop.includes('auth')) qop = 'auth'
    const same =
      current !== undefined && current.nonce === nonce && current.realm === realm && current.algorithm === algorithm
    if (same && current !== undefined) return
    current = {
      realm,
      nonce,
      opaque: p.opaque,
      algorithm,
      algorithmSent: p.algorithm !== undefined,
      qop,
      userhash: (p.userhash ?? '').toLowerCase() === 'true',
      utf8: (p.charset ?? '').toLowerCase() === 'utf-8',
      header: status === 407 ? 'proxy-authorization' : 'authorization',
      stale,
      ha1Base: digestHa1Base(algorithm, username, realm, password),
    }
    if (!counts.has(nonce)) {
      counts.set(nonce, 0)
      if (counts.size > 64) counts.delete(counts.keys().next().value as string)
      unused.push(current)
      if (unused.length > 64) unused.shift()
    }
  }

  return {
    scheme: 'Digest',
    apply(request: AuthRequest) {
      let c = current
      for (let next = unused.shift(); next !== undefined; next = unused.shift()) {
        if (counts.get(next.nonce) === 0) {
          c = next
          break
        }
      }
      if (c === undefined) return // the first request goes without credentials; the 401 carries the challenge
      const n = (counts.get(c.nonce) ?? 0) + 1
      counts.set(c.nonce, n)
      const nc = n.toString(16).padStart(8, '0')
      const cnonce = randomHex(16)
      const uri = `${request.url.pathname}${request.url.search}`
      const response = digestResponse({
        algorithm: c.algorithm,
        username,
        realm: c.realm,
        password,
        method: request.method,
        uri,
        nonce: c.nonce,
        nc,
        cnonce,
        qop: c.qop,
        body: request.body,
        ha1Base: c.ha1Base,
      })
      let user: string
      if (c.userhash) user = `username=${quote(digestUserhash(c.algorithm, username, c.realm))}`
      else if (/^[\x20-\x7e]*$/.test(username)) user = `username=${quote(username)}`
      else user = `username*=UTF-8''${encodeURIComponent(username)}`
      let value = `Digest ${user}, realm=${quote(c.realm)}, uri=${quote(uri)}`
      if (c.algorithmSent) value += `, algorithm=${c.algorithm}`
      value += `, nonce=${quote(c.nonce)}`
      if (c.qop !== undefined) value += `, nc=${nc}, cnonce=${quote(cnonce)}, qop=${c.qop}`
      value += `, response=${quote(response)}`
      if (c.opaque !== undefined) value += `, opaque=${quote(c.opaque)}`
      if (c.userhash) value += ', userhash=true'
      request.headers[c.header] = value
    },
    challenge(response: AuthChallengeResponse, request: AuthRequest): boolean {
      const all = parseChallenges(challengeHeader(response.status, response.headers))
      const offers = all.filter((c) => c.scheme.toLowerCase() === 'digest')
      if (offers.length === 0) return false
      const supported = offers.filter((c) => canonicalAlgorithm(c.params.algorithm ?? 'MD5') !== undefined)
      if (supported.length === 0) throw unsupported(offers.map((c) => c.params.algorithm ?? 'MD5'))
      supported.sort(
        (a, b) =>
          DIGEST_ALGORITHMS.indexOf(canonicalAlgorithm(a.params.algorithm ?? 'MD5') as Algorithm) -
          DIGEST_ALGORITHMS.indexOf(canonicalAlgorithm(b.params.algorithm ?? 'MD5') as Algorithm),
      )
      const best = supported[0] as Challenge
      const sent = request.headers[response.status === 407 ? 'proxy-authorization' : 'authorization']
      const sentNonce = sent?.startsWith('Digest ') ? /[\s,]nonce="((?:[^"\\]|\\.)*)"/.exec(sent)?.[1] : undefined
      if (sentNonce === undefined) {
        learn(best, response.status, false)
        log.debug({ scheme: 'Digest', algorithm: current?.algorithm, qop: current?.qop }, 'digest challenge learnt')
        return true
      }
      const stale = (best.params.stale ?? '').toLowerCase() === 'true'
      // Two stale answers in a row (the retry right after a stale nonce, nc 1, is stale again) mean a broken server.
      const sentNc = sent === undefined ? undefined : /[\s,]nc=([0-9a-f]{8})/.exec(sent)?.[1]
      const sentWasStale =
        current !== undefined && current.nonce === sentNonce && current.stale && sentNc === '00000001'
      if (stale && best.params.nonce !== sentNonce && !sentWasStale) {
        learn(best, response.status, true)
        log.debug({ scheme: 'Digest' }, 'digest nonce stale, retrying once with the new nonce')
        return true
      }
      // Requests sharing a nonce on several connections may reach the server out of nc order, and a server that
      // wants nc to grow refuses the late one with a new nonce: retry when a later nc was already issued.
      const issued = counts.get(sentNonce) ?? 0
      if (!stale && best.params.nonce !== sentNonce && sentNc !== undefined && Number.parseInt(sentNc, 16) < issued) {
        learn(best, response.status, false)
        log.debug({ scheme: 'Digest' }, 'digest request overtaken by a later nonce count, retrying with the new nonce')
        return true
      }
      // Our credentials were refused (or a stale nonce came back twice): nothing new to learn.
      if (stale || best.params.nonce !== sentNonce) learn(best, response.status, false)
      return false
    },
  }
}

/** The canonical spelling of a supported algorithm token, or undefined. */
function canonicalAlgorithm(token: string): Algorithm | undefined {
  const upper = token.toUpperCase()
  return DIGEST_ALGORITHMS.find((a) => a.toUpperCase() === upper)
}
