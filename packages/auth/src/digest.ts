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
  /** The qop values the server offered, for the refusal hint. */
  qopOffered: string
  userhash: boolean
  utf8: boolean
  header: 'authorization' | 'proxy-authorization'
  /** Came from a `stale=true` challenge. */
  stale: boolean
  ha1Base: string
}

/** One protection space (RFC 7235 section 2.2): a realm's latest nonce and the fresh nonces not used yet. */
interface Space {
  current: Learnt
  /**
   * Nonces from 401s not yet used: each is given to one next request with nc=1, so that requests answered with a
   * challenge at the same time do not share one nonce (whose counts a strict server wants in order).
   */
  unused: Learnt[]
}

/** Remembered URL prefixes and realms, nonces and their counts: enough for a few hundred protection spaces. */
const MAX_REMEMBERED = 256

const quote = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`

/** A realm or other server-chosen text for a hint: printable, quoted, at most 64 characters. */
const shown = (v: string) => JSON.stringify(v.replace(/[^\x20-\x7e]/g, '?').slice(0, 64))

function unsupported(offered: string[]): AuthError {
  const names = offered.map((a) => (/^[A-Za-z0-9-]{1,32}$/.test(a) ? a : '(unreadable)')).join(', ')
  return new AuthError({
    code: 'FK_AUTH_UNSUPPORTED_ALGORITHM',
    message: `[fieldkit/auth] The server offers Digest with ${names}; supported: ${DIGEST_ALGORITHMS.join(', ')}`,
    hint: 'Ask the server owner to enable MD5, SHA-256 or SHA-512-256 for Digest, or use another scheme it offers',
    details: { offered: names, supported: DIGEST_ALGORITHMS.join(', ') },
  })
}

/** The URL's protection-space key: origin and directory (RFC 7617 section 2.2 applies the same rule to Basic). */
function directoryOf(url: URL): string {
  return `${url.origin}${url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1)}`
}

/** Adds `key → value` to a map used as a bounded cache: the oldest entry goes when it is full. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key)
  map.set(key, value)
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as string)
}

/** The Digest challenges of an answer, strongest supported algorithm first; throws when none is supported. */
function digestOffers(response: AuthChallengeResponse): Challenge[] {
  const offers = parseChallenges(challengeHeader(response.status, response.headers)).filter(
    (c) => c.scheme.toLowerCase() === 'digest',
  )
  if (offers.length === 0) return offers
  const rank = (c: Challenge) => DIGEST_ALGORITHMS.indexOf(canonicalAlgorithm(c.params.algorithm ?? 'MD5') as Algorithm)
  const supported = offers.filter((c) => rank(c) !== -1)
  if (supported.length === 0) throw unsupported(offers.map((c) => c.params.algorithm ?? 'MD5'))
  return supported.sort((a, b) => rank(a) - rank(b))
}

/**
 * What one `digest()` strategy has learnt: a {@link Space} per realm, which URL directories belong to which realm
 * (so that switching between two realms of one server costs no extra round trip), and the nonce counts.
 */
class DigestState {
  readonly spaces = new Map<string, Space>()
  /** `origin + directory` → realm, from the challenges and the `domain` parameter. */
  readonly realmOf = new Map<string, string>()
  /** Nonce counts of recent nonces, so that a nonce seen again never repeats a count. */
  readonly counts = new Map<string, number>()
  /** The space learnt last: used for a URL of no known space (most servers have one realm). */
  last: Space | undefined

  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly preferAuthInt: boolean,
  ) {}

  /** The space a request to `url` belongs to, or the last one learnt. */
  spaceFor(url: URL): Space | undefined {
    if (this.spaces.size <= 1) return this.last // one realm (most servers): no lookup on the hot path
    const path = url.pathname
    for (let end = path.lastIndexOf('/'); end >= 0; end = path.lastIndexOf('/', end - 1)) {
      const realm = this.realmOf.get(`${url.origin}${path.slice(0, end + 1)}`)
      if (realm !== undefined) return this.spaces.get(realm) ?? this.last
      if (end === 0) break
    }
    return this.last
  }

  /** The nonce a request uses: a fresh one of its space if there is one, else the space's current nonce. */
  take(url: URL): Learnt | undefined {
    const space = this.spaceFor(url)
    if (space === undefined) return undefined
    for (let next = space.unused.shift(); next !== undefined; next = space.unused.shift()) {
      if (this.counts.get(next.nonce) === 0) return next
    }
    return space.current
  }

  /** Records a challenge of realm `c.params.realm` for the request's URL (and the URIs of its `domain`). */
  learn(c: Challenge, status: number, stale: boolean, url: URL): Learnt {
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
    remember(this.realmOf, directoryOf(url), realm)
    for (const uri of (p.domain ?? '').split(/\s+/).slice(0, 16)) {
      if (uri === '') continue
      try {
        const target = new URL(uri, url)
        if (target.origin === url.origin) remember(this.realmOf, `${target.origin}${target.pathname}`, realm)
      } catch {
        // a domain entry that is not a URI names no space
      }
    }
    const algorithm = canonicalAlgorithm(p.algorithm ?? 'MD5') as Algorithm
    const space = this.spaces.get(realm)
    const known = space?.current
    if (known !== undefined && known.nonce === nonce && known.algorithm === algorithm) {
      this.last = space
      return known
    }
    const offeredQop = (p.qop ?? '').split(',').map((q) => q.trim().toLowerCase())
    let qop: Learnt['qop']
    if (offeredQop.includes('auth-int') && (this.preferAuthInt || !offeredQop.includes('auth'))) qop = 'auth-int'
    else if (offeredQop.includes('auth')) qop = 'auth'
    const learnt: Learnt = {
      realm,
      nonce,
      opaque: p.opaque,
      algorithm,
      algorithmSent: p.algorithm !== undefined,
      qop,
      qopOffered: offeredQop.filter((q) => q !== '').join(', '),
      userhash: (p.userhash ?? '').toLowerCase() === 'true',
      utf8: (p.charset ?? '').toLowerCase() === 'utf-8',
      header: status === 407 ? 'proxy-authorization' : 'authorization',
      stale,
      ha1Base:
        known !== undefined && known.algorithm === algorithm
          ? known.ha1Base
          : digestHa1Base(algorithm, this.username, realm, this.password),
    }
    const updated: Space = space ?? { current: learnt, unused: [] }
    updated.current = learnt
    remember(this.spaces, realm, updated)
    this.last = updated
    if (!this.counts.has(nonce)) {
      remember(this.counts, nonce, 0)
      updated.unused.push(learnt)
      if (updated.unused.length > 64) updated.unused.shift()
    }
    return learnt
  }
}

/** The Authorization value for one attempt with nonce `c`. */
function authorization(c: Learnt, state: DigestState, username: string, password: string, request: AuthRequest) {
  const n = (state.counts.get(c.nonce) ?? 0) + 1
  remember(state.counts, c.nonce, n)
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
  return value
}

/** A parameter of the Digest header the request sent (`nonce`, `realm`, `nc`), or undefined. */
function sentParam(sent: string | undefined, name: 'nonce' | 'realm' | 'nc'): string | undefined {
  if (sent === undefined || !sent.startsWith('Digest ')) return undefined
  if (name === 'nc') return /[\s,]nc=([0-9a-f]{8})/.exec(sent)?.[1]
  const m = new RegExp(`[\\s,]${name}="((?:[^"\\\\]|\\\\.)*)"`).exec(sent)?.[1]
  return m?.replace(/\\(.)/g, '$1')
}

/**
 * HTTP Digest authentication (RFC 7616, RFC 2617): MD5, SHA-256 and true SHA-512/256 with their `-sess` forms, the
 * algorithm taken from the challenge (the strongest offered), qop `auth` / `auth-int`, a nonce count per nonce,
 * `opaque` echoed, `userhash`, a retry on `stale=true`, and one protection space per realm: a fresh challenge of
 * another realm is answered (RFC 7235 section 2.2), and each realm's nonce is kept for the URLs it was asked for.
 * How many challenges one request may answer is the caller's bound (`withAuth`, `@fieldkit/http`).
 *
 * @example
 * ```ts
 * const auth = digest({ username: 'Mufasa', password: 'Circle of Life' })
 * ```
 */
export function digest(options: DigestOptions): AuthStrategy {
  const username = requireString('digest', 'username', options?.username)
  const password = requireString('digest', 'password', options.password, true, true)
  const log = resolveLogger(options.logger, 'auth')
  const state = new DigestState(username, password, options.preferAuthInt === true)

  return {
    scheme: 'Digest',
    apply(request: AuthRequest) {
      const c = state.take(request.url)
      if (c === undefined) return // the first request goes without credentials; the 401 carries the challenge
      request.headers[c.header] = authorization(c, state, username, password, request)
    },
    challenge(response: AuthChallengeResponse, request: AuthRequest): boolean {
      const best = digestOffers(response)[0]
      if (best === undefined) return false
      const sent = request.headers[response.status === 407 ? 'proxy-authorization' : 'authorization']
      const sentNonce = sentParam(sent, 'nonce')
      const nonce = best.params.nonce
      if (sentNonce === undefined) {
        const learnt = state.learn(best, response.status, false, request.url)
        log.debug({ scheme: 'Digest', algorithm: learnt.algorithm, qop: learnt.qop }, 'digest challenge learnt')
        return true
      }
      // A fresh challenge of another realm: a new protection space, whose credentials were never sent here.
      if ((best.params.realm ?? '') !== sentParam(sent, 'realm')) {
        state.learn(best, response.status, false, request.url)
        log.debug({ scheme: 'Digest' }, 'digest challenge of another realm learnt')
        return true
      }
      const stale = (best.params.stale ?? '').toLowerCase() === 'true'
      // RFC 7616 section 3.3: the answer was right but its nonce is no longer valid; retry with the new one.
      if (stale && nonce !== sentNonce) {
        state.learn(best, response.status, true, request.url)
        log.debug({ scheme: 'Digest' }, 'digest nonce stale, retrying with the new nonce')
        return true
      }
      // Requests sharing a nonce on several connections may reach the server out of nc order, and a server that
      // wants nc to grow refuses the late one with a new nonce: retry when a later nc was already issued.
      const sentNc = sentParam(sent, 'nc')
      const issued = state.counts.get(sentNonce) ?? 0
      if (!stale && nonce !== sentNonce && sentNc !== undefined && Number.parseInt(sentNc, 16) < issued) {
        state.learn(best, response.status, false, request.url)
        log.debug({ scheme: 'Digest' }, 'digest request overtaken by a later nonce count, retrying with the new nonce')
        return true
      }
      // Our credentials were refused: nothing new to learn but the next nonce.
      if (nonce !== sentNonce) state.learn(best, response.status, false, request.url)
      return false
    },
    refusalHint(response: AuthChallengeResponse, context: { challenged: boolean }): string {
      let offers: Challenge[] = []
      try {
        offers = digestOffers(response)
      } catch {
        // an unsupported or unreadable challenge: described by what was used only
      }
      const realms = [...new Set(offers.map((c) => c.params.realm ?? ''))].map(shown).join(', ') || 'none'
      const algorithms = [...new Set(offers.map((c) => c.params.algorithm ?? 'MD5 (implied)'))].join(', ') || 'none'
      const qops = [...new Set(offers.map((c) => c.params.qop ?? 'none'))].join(' / ') || 'none'
      const realm = offers[0]?.params.realm
      const used = realm === undefined ? state.last?.current : (state.spaces.get(realm)?.current ?? state.last?.current)
      const answer =
        used === undefined
          ? 'no Digest answer was computed yet'
          : `the answer used realm ${shown(used.realm)}, algorithm ${used.algorithm}, qop ${used.qop ?? 'none (RFC 2069)'}`
      return `${context.challenged ? 'The server refused the Digest answer to its challenge' : 'The server refused the request with Digest'}: it offers realm ${realms}, algorithm ${algorithms}, qop ${qops}; ${answer}. Check the user name and password for that realm (they are per realm), and compare with curl -v --digest -u USER URL`
    },
  }
}

/** The canonical spelling of a supported algorithm token, or undefined. */
function canonicalAlgorithm(token: string): Algorithm | undefined {
  const upper = token.toUpperCase()
  return DIGEST_ALGORITHMS.find((a) => a.toUpperCase() === upper)
}
