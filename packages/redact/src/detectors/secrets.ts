// Secrets: values after keys and headers (`password=`, `Authorization:`, `Cookie:`), bearer tokens, JWTs, AWS
// access key IDs and PEM private keys. Keys are context words (`context-words.ts`); the pass calls `keyValue` or
// `bearer` after one, and `jwt`, `awsAccessKey` at a word, `pem` at `-----BEGIN `.
import { ALNUM, cls, DIGIT, LOWER, UNDERSCORE, UPPER, wordLike } from '../chars'
import { Ctx } from '../context-words'
import type { DetectorKind } from '../kinds'
import type { Pass } from '../pass'

/** Longest value read after a key. */
const VALUE_CAP = 8192

const AWS_PREFIXES = new Set(['AKIA', 'ASIA', 'AIDA', 'AROA', 'AGPA', 'ANPA', 'ANVA', 'AIPA', 'ABIA', 'ACCA'])
const PLACEHOLDERS = new Set(['null', 'undefined', 'true', 'false', 'none', '***', '[redacted]', 'redacted'])

/** `Bearer <token>` anywhere: the token (8+ characters of the RFC 6750 alphabet). */
export function bearer(p: Pass, e: number): number {
  const t = p.t
  if (!p.on.bearer_token || t.charCodeAt(e) !== 32) return e
  let j = e + 1
  const s = j
  while (j < p.n && j - s < VALUE_CAP && isTokenChar(t.charCodeAt(j))) j++
  while (j < p.n && t.charCodeAt(j) === 61) j++
  if (j - s < 8) return e
  p.add(s, j, 'bearer_token', 'bearer-token', 0.9)
  return j
}

/** A value after a key such as `password=`, `"token": "…"`, `Authorization: …` or `?api_key=`. */
export function keyValue(p: Pass, s: number, e: number, ctx: Ctx): number {
  const t = p.t
  const n = p.n
  const kind: DetectorKind = ctx === Ctx.AuthHeader ? 'auth_header' : ctx === Ctx.Cookie ? 'cookie' : 'secret'
  if (!p.on[kind]) return e
  let j = e
  const q0 = t.charCodeAt(j)
  if (q0 === 34 || q0 === 39) j++
  let spaces = 0
  while (t.charCodeAt(j) === 32 && spaces < 3) {
    j++
    spaces++
  }
  const op = t.charCodeAt(j)
  if (op !== 61 && op !== 58) {
    if (!(ctx === Ctx.EntropyKey && spaces === 1 && j === e + 1)) return e
  } else j++
  while (t.charCodeAt(j) === 32 && j - e < 8) j++
  let quote = t.charCodeAt(j)
  if (quote === 34 || quote === 39) j++
  else quote = 0
  const vs = j
  let ve = j
  if (quote !== 0) {
    while (ve < n && ve - vs < VALUE_CAP) {
      const c = t.charCodeAt(ve)
      if (c === quote || c === 10 || c === 13) break
      // A backslash escapes the next character, but never a line break and never past the end of the text.
      if (c === 92 && ve + 1 < n && t.charCodeAt(ve + 1) !== 10 && t.charCodeAt(ve + 1) !== 13) ve++
      ve++
    }
  } else if (ctx === Ctx.AuthHeader || ctx === Ctx.Cookie) {
    const scheme = /^(?:basic|bearer|token|digest|ntlm|negotiate) /i.exec(t.slice(vs, vs + 10))
    if (scheme !== null && scheme[0].toLowerCase() !== 'digest ') {
      ve = vs + scheme[0].length
      while (ve < n && ve - vs < VALUE_CAP && !isValueEnd(t.charCodeAt(ve))) ve++
    } else {
      while (ve < n && ve - vs < VALUE_CAP && t.charCodeAt(ve) !== 10 && t.charCodeAt(ve) !== 13) ve++
    }
  } else {
    ve = valueEnd(p, vs)
  }
  if (ve === vs) return j
  const value = ve - vs <= 12 ? t.slice(vs, ve).toLowerCase() : ''
  if (PLACEHOLDERS.has(value) || t.charCodeAt(vs) === 91) return ve
  if (ctx === Ctx.EntropyKey) {
    if (ve - vs < 16) return j
    const high = quote === 0 ? windowFor(p).highEntropy(t, vs, ve) : highEntropy(t, vs, ve)
    if (!high) return j
    p.add(vs, ve, 'secret', 'high-entropy', 0.7)
    return ve
  }
  const before = s > 0 ? t.charCodeAt(s - 1) : 0
  const detector =
    kind !== 'secret' ? `${kind.replace('_', '-')}` : before === 63 || before === 38 ? 'query-param' : 'secret-key'
  p.add(vs, ve, kind, detector, 0.9)
  return ve
}

/**
 * The end of an unquoted value starting at `vs` (`password=p,ss;w)rd`): the first value end, at most `VALUE_CAP` characters on. A start
 * inside the last run read continues from that run's end, so each character is read once however many keys
 * precede it.
 */
function valueEnd(p: Pass, vs: number): number {
  const t = p.t
  const cap = Math.min(p.n, vs + VALUE_CAP)
  if (!(vs >= p.runFrom && vs <= p.runTo)) {
    p.runFrom = vs
    p.runTo = vs
  }
  let j = p.runTo
  while (j < cap && !endsUnquotedValue(t, j)) j++
  p.runTo = j
  return Math.min(j, cap)
}

/** `eyJ…` followed by a dot: a JWT of three (or five, encrypted) base64url parts. */
export function jwtAt(p: Pass, s: number, e: number): number {
  const t = p.t
  if (!p.on.jwt || t.charCodeAt(s) !== 101 || t.charCodeAt(s + 1) !== 121) return 0
  if (t.charCodeAt(s + 2) !== 74 || t.charCodeAt(e) !== 46) return 0
  return jwt(p, s, e)
}

/** A 20-character AWS access key ID with a known prefix (`AKIA…`). */
export function awsAccessKey(p: Pass, s: number, e: number): number {
  const t = p.t
  if (!p.on.aws_access_key || e - s !== 20 || t.charCodeAt(s) !== 65 || !AWS_PREFIXES.has(t.slice(s, s + 4))) return 0
  if (!/^[A-Z0-9]{20}$/.test(t.slice(s, e))) return 0
  p.add(s, e, 'aws_access_key', 'aws-access-key-id', 0.9)
  return e
}

function jwt(p: Pass, s: number, firstEnd: number): number {
  const t = p.t
  let j = firstEnd
  let parts = 1
  while (t.charCodeAt(j) === 46 && parts < 5) {
    const ps = j + 1
    j = ps
    while (j < p.n && isBase64Url(t.charCodeAt(j))) j++
    if (j === ps && parts < 2) return 0
    parts++
  }
  if (parts < 3 || firstEnd - s < 10 || wordLike(t.charCodeAt(j))) return 0
  p.add(s, j, 'jwt', 'jwt', 0.95)
  return j
}

export function pem(p: Pass, s: number): number {
  const t = p.t
  const header = t.indexOf('-----', s + 11)
  if (header < 0 || header - s > 80 || !t.slice(s, header).endsWith('PRIVATE KEY')) return 0
  let end = -1
  if (!p.noPemEnd) {
    const endAt = t.indexOf('-----END ', header + 5)
    if (endAt < 0) p.noPemEnd = true
    else {
      const close = t.indexOf('-----', endAt + 9)
      end = close < 0 || close - endAt > 80 ? endAt + 9 : close + 5
    }
  }
  if (end < 0) {
    end = header + 5
    while (end < p.n && isPemBody(t.charCodeAt(end))) end++
  }
  p.add(s, end, 'private_key', 'pem-private-key', 0.99)
  return end
}

const isTokenChar = (c: number): boolean =>
  (cls(c) & (ALNUM | UNDERSCORE)) !== 0 || c === 45 || c === 46 || c === 126 || c === 43 || c === 47
const isBase64Url = (c: number): boolean => (cls(c) & (ALNUM | UNDERSCORE)) !== 0 || c === 45
const isPemBody = (c: number): boolean =>
  (cls(c) & ALNUM) !== 0 || c === 43 || c === 47 || c === 61 || c === 10 || c === 13

/**
 * The character at `j` ends an unquoted value after a key, by the syntax around it: whitespace, `&` (a query string
 * or a form body), a quote or `<`/`>` always; a `,` or `;` only before whitespace, the end, or the next `key=` pair
 * (`;Database=…`, `,user=…`); a `)`, `]` or `}` only where it closes what holds the pair (`(password=…)`, before
 * whitespace, a separator, a quote or the end). Elsewhere they belong to the value: `p,ss;w)rd` is one password.
 * Depends only on the text from `j` on, so a run read once holds for every key before it.
 */
function endsUnquotedValue(t: string, j: number): boolean {
  const c = t.charCodeAt(j)
  if (c <= 32 || c === 38 || c === 34 || c === 39 || c === 60 || c === 62) return true
  if (c === 44 || c === 59) return nextPairAt(t, j + 1)
  if (c === 41 || c === 93 || c === 125) return closesAt(t.charCodeAt(j + 1))
  return false
}

/** After a `,` or `;` at `k - 1`: the end, whitespace, or a key (letters, digits, `_`, `-`; at most 48) and `=`. */
function nextPairAt(t: string, k: number): boolean {
  const c = t.charCodeAt(k)
  if (!(c > 32)) return true // the end (NaN) or whitespace
  let j = k
  while (j - k < 48 && ((cls(t.charCodeAt(j)) & (ALNUM | UNDERSCORE)) !== 0 || t.charCodeAt(j) === 45)) j++
  return j > k && t.charCodeAt(j) === 61
}

/** After a closing `)`, `]` or `}`: the end, whitespace, a separator, a quote, `<` or another closer. */
const closesAt = (c: number): boolean =>
  !(c > 32) || c === 44 || c === 59 || c === 38 || c === 34 || c === 39 || c === 41 || c === 93 || c === 125 || c === 60

/** A character that ends a token after an authorization scheme (`Basic …`). */
const isValueEnd = (c: number): boolean =>
  c <= 32 ||
  c === 38 ||
  c === 44 ||
  c === 59 ||
  c === 34 ||
  c === 39 ||
  c === 41 ||
  c === 125 ||
  c === 93 ||
  c === 60 ||
  c === 62

/** Shannon entropy of the characters, at least 3.5 bits each, and not a plain word or number. */
function highEntropy(t: string, s: number, e: number): boolean {
  const counts = new Map<number, number>()
  let classes = 0
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i)
    counts.set(c, (counts.get(c) ?? 0) + 1)
    const k = cls(c)
    classes |= k & DIGIT ? 1 : k & UPPER ? 2 : k & LOWER ? 4 : 8
  }
  const len = e - s
  let h = 0
  for (const v of counts.values()) {
    const p = v / len
    h -= p * Math.log2(p)
  }
  return h >= 3.5 && classes !== 1 && classes !== 4 && classes !== 2
}

// c·log2(c) for every count a value of at most VALUE_CAP characters can hold.
const C_LOG_C = new Float64Array(VALUE_CAP + 1)
for (let c = 2; c <= VALUE_CAP; c++) C_LOG_C[c] = c * Math.log2(c)

const classBit = (k: number): number => (k & DIGIT ? 0 : k & UPPER ? 1 : k & LOWER ? 2 : 3)

/**
 * `highEntropy` over a window that only moves forward: the counts of `[from, to)` are kept, so the next value,
 * which starts and ends no earlier, costs only the characters that enter and leave. Entropy is
 * `log2(len) − Σ c·log2(c) / len`, with `Σ c·log2(c)` updated per character.
 */
class EntropyWindow {
  private from = 0
  private to = 0
  private sum = 0
  private readonly counts = new Map<number, number>()
  private readonly classes = new Int32Array(4)

  /** Empties the window (a new text). */
  reset(): void {
    this.counts.clear()
    this.classes.fill(0)
    this.sum = 0
    this.from = 0
    this.to = 0
  }

  highEntropy(t: string, s: number, e: number): boolean {
    if (s < this.from || e < this.to || s > this.to) {
      this.reset()
      this.from = s
      this.to = s
    }
    // Leave first, then enter: the window never holds more than `e - s` characters, so counts stay in the table.
    for (; this.from < s; this.from++) this.move(t.charCodeAt(this.from), -1)
    for (; this.to < e; this.to++) this.move(t.charCodeAt(this.to), 1)
    const len = e - s
    const h = Math.log2(len) - this.sum / len
    let classes = 0
    for (let k = 0; k < 4; k++) if ((this.classes[k] as number) > 0) classes |= 1 << k
    return h >= 3.5 - 1e-9 && classes !== 1 && classes !== 4 && classes !== 2
  }

  private move(c: number, by: 1 | -1): void {
    const before = this.counts.get(c) ?? 0
    const after = before + by
    this.counts.set(c, after)
    this.sum += (C_LOG_C[after] as number) - (C_LOG_C[before] as number)
    const k = classBit(cls(c))
    this.classes[k] = (this.classes[k] as number) + by
  }
}

// One window for all passes (a scan is synchronous and never re-entered), emptied when a new pass begins.
const WINDOW = new EntropyWindow()
let windowPass = -1
function windowFor(p: Pass): EntropyWindow {
  if (windowPass !== p.id) {
    WINDOW.reset()
    windowPass = p.id
  }
  return WINDOW
}

/** Provider token prefixes as the providers publish them, with the shortest token of each. */
const PROVIDER_PREFIXES: readonly (readonly [string, number])[] = [
  ['ghp_', 30], // GitHub: personal, OAuth, user-to-server, server-to-server and refresh tokens
  ['gho_', 30],
  ['ghu_', 30],
  ['ghs_', 30],
  ['ghr_', 30],
  ['github_pat_', 40], // GitHub fine-grained personal access tokens
  ['sk_live_', 20], // Stripe secret and restricted keys
  ['sk_test_', 20],
  ['rk_live_', 20],
  ['rk_test_', 20],
  ['xoxb-', 20], // Slack bot, user, app-level and refresh tokens
  ['xoxp-', 20],
  ['xoxa-', 20],
  ['xoxr-', 20],
  ['xoxe-', 20],
  ['xapp-', 20],
  ['AIza', 39], // Google API keys: `AIza` and 35 characters
]
/** The first two characters of the prefixes (`g/h g/i s/k …`): the words the scanner offers to `providerToken`. */
export const PROVIDER_TOKEN_STARTS = [
  ...new Set(PROVIDER_PREFIXES.map(([prefix]) => `${prefix.charAt(0)}/${prefix.charAt(1)}`)),
].join(' ')

/**
 * A provider token by its published prefix, wherever it stands (`GITHUB_TOKEN=ghp_…`, a bare `sk_live_…`): GitHub,
 * Stripe, Slack, Google API keys. Returns its end, or 0.
 */
export function providerToken(p: Pass, s: number, _e: number): number {
  const t = p.t
  if (!p.on.secret) return 0
  // One or two characters tell most words apart from every prefix: `gh`/`gi`, `sk_`/`rk_`, `xo`/`xa`, `AIz`.
  const c0 = t.charCodeAt(s)
  const c1 = t.charCodeAt(s + 1)
  const c2 = t.charCodeAt(s + 2)
  const likely =
    c0 === 103 // g: `gh…_`, `github_pat_`
      ? c1 === 104 || c1 === 105
      : c0 === 115 || c0 === 114 // s, r
        ? c1 === 107 && c2 === 95
        : c0 === 120 // x
          ? c1 === 111 || c1 === 97
          : c1 === 73 && c2 === 122 // AIz
  if (!likely) return 0
  let min = 0
  for (const [prefix, shortest] of PROVIDER_PREFIXES) {
    if (t.startsWith(prefix, s)) {
      min = shortest
      break
    }
  }
  if (min === 0) return 0
  let j = s
  while (j < p.n && j - s < VALUE_CAP && isTokenWordChar(t.charCodeAt(j))) j++
  if (j - s < min || wordLike(t.charCodeAt(j))) return 0
  p.add(s, j, 'secret', 'provider-token', 0.9)
  return j
}

const isTokenWordChar = (c: number): boolean => c === 45 || (cls(c) & (ALNUM | UNDERSCORE)) !== 0

const SECRET_SUFFIXES = [
  '_token',
  '_secret',
  '_password',
  '_passwd',
  '_pwd',
  '_api_key',
  '_apikey',
  '_secret_key',
  '_private_key',
]

/**
 * A key whose name ends like a secret's (`GITHUB_TOKEN`, `DB_PASSWORD`, `stripe_api_key`), followed by `=`, `:` or
 * a closing quote: its value is a secret, as after `password`.
 */
export function secretKeyBySuffix(t: string, s: number, e: number): boolean {
  const after = t.charCodeAt(e)
  if ((after !== 61 && after !== 58 && after !== 34) || e - s < 6 || e - s > 48) return false
  const last = t.charCodeAt(e - 1) | 32
  if (last !== 110 && last !== 116 && last !== 100 && last !== 121) return false // n, t, d, y
  const word = t.slice(s, e).toLowerCase()
  return SECRET_SUFFIXES.some((suffix) => word.endsWith(suffix))
}
