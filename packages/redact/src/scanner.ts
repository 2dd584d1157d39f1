// One left-to-right pass over the text. Candidates start only at word boundaries and at a few trigger characters
// (`@`, `+`, `(`, `::`, `-----BEGIN`); each candidate reads a bounded number of characters (at most 8 digit groups
// of at most 19 digits, 64 characters of an email's local part, 253 of its domain, …) and is then checked by its
// validator. A failed candidate moves the scan forward to the end of its first group, so every character is read
// a bounded number of times: the scan is linear in the input, whatever the input.
import {
  aadhaarValid,
  cardIssuerValid,
  deTaxIdValid,
  e164Valid,
  esNifValid,
  IBAN_LENGTHS,
  ibanChecksumValid,
  luhnValid,
  nanpValid,
  ninoPrefixValid,
  nlBsnValid,
  peselValid,
  ssnValid,
} from './checksums'
import type { DetectorKind } from './kinds'

/** A value found in a string: its span, kind, the detector that found it and how sure that detector is. */
export interface RawFinding {
  start: number
  end: number
  kind: DetectorKind | 'denied'
  detector: string
  confidence: number
}

/** Which detectors run. */
export type Enabled = Readonly<Record<DetectorKind, boolean>>

const DIGIT = 1
const UPPER = 2
const LOWER = 4
const HEX = 8
const UNDERSCORE = 16
const LOCAL = 32 // allowed in an email local part besides letters and digits
const LETTER = UPPER | LOWER
const ALNUM = DIGIT | LETTER
const WORD = ALNUM | UNDERSCORE

const CLS = new Uint8Array(128)
for (let c = 48; c <= 57; c++) CLS[c] = DIGIT | HEX
for (let c = 65; c <= 90; c++) CLS[c] = UPPER | (c <= 70 ? HEX : 0)
for (let c = 97; c <= 122; c++) CLS[c] = LOWER | (c <= 102 ? HEX : 0)
CLS[95] = UNDERSCORE | LOCAL
for (const ch of '.%+-') CLS[ch.charCodeAt(0)] = LOCAL

const cls = (c: number): number => (c < 128 ? (CLS[c] as number) : 0)
const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isHexColonDot = (c: number): boolean => c === 58 || c === 46 || (c < 128 && ((CLS[c] as number) & HEX) !== 0)

/** Non-ASCII letters join words (so `é123` starts no number); non-ASCII spaces and dashes separate them. */
function wordLike(c: number): boolean {
  if (!(c >= 128)) return ((CLS[c] as number) & WORD) !== 0 // NaN (past the end) is no word
  return !(c === 160 || (c >= 0x2000 && c <= 0x206f) || c === 0x3000 || c === 0xfeff)
}

const MAX_GROUPS = 8
const MAX_GROUP_DIGITS = 19
const CONTEXT_WINDOW = 40
const NEGATIVE_WINDOW = 12 // `order 123456789`, `"ref":"…"`: the number right after the word
const VALUE_CAP = 8192

// Context words, matched as whole words (lowercased); what each does when it is seen.
enum Ctx {
  AuthHeader = 1,
  Cookie = 2,
  Bearer = 3,
  SecretKey = 4,
  EntropyKey = 5,
  Dob = 6,
  Ssn = 7,
  Bsn = 8,
  Negative = 9,
  Month = 10,
}

const CONTEXT = new Map<string, Ctx>()
const addCtx = (ctx: Ctx, words: string): void => {
  for (const w of words.split(' ')) CONTEXT.set(w, ctx)
}
addCtx(Ctx.AuthHeader, 'authorization proxy-authorization')
addCtx(Ctx.Cookie, 'cookie set-cookie')
addCtx(Ctx.Bearer, 'bearer')
addCtx(
  Ctx.SecretKey,
  'password passwd pwd passphrase secret token access_token accesstoken refresh_token refreshtoken id_token ' +
    'api_key apikey api-key x-api-key client_secret clientsecret private_key privatekey auth_token authtoken ' +
    'x-auth-token session_token sessiontoken sessionid session_id jsessionid secret_key secretkey ' +
    'aws_secret_access_key access_key_secret',
)
addCtx(Ctx.EntropyKey, 'key auth credential credentials signature sig access_key accesskey')
addCtx(Ctx.Dob, 'dob born birth birthday birthdate date_of_birth geboren geburtsdatum naissance nacimiento')
addCtx(Ctx.Ssn, 'ssn social')
addCtx(Ctx.Bsn, 'bsn burgerservicenummer')
addCtx(
  Ctx.Negative,
  'order invoice ticket ref reference tracking sku txn transaction bytes size count qty amount port pid build ' +
    'version seq offset',
)
const MONTHS = 'jan feb mar apr may jun jul aug sep oct nov dec'.split(' ')
const MONTH_NAMES = 'january february march april may june july august september october november december'.split(' ')
for (const m of [...MONTHS, ...MONTH_NAMES, 'sept']) CONTEXT.set(m, Ctx.Month)
const monthNumber = (word: string): number => {
  const w = word.toLowerCase()
  const i = MONTHS.indexOf(w.slice(0, 3))
  return i < 0 || (w.length > 3 && !MONTH_NAMES[i]?.startsWith(w) && w !== 'sept') ? 0 : i + 1
}
/** Every context word of the tables (lowercased): for the tests that repeat each one to prove the pass linear. */
export const CONTEXT_WORDS: readonly string[] = [...CONTEXT.keys()]

// Words are looked up by a hash of their lowercased characters first, so most words cost no string copy.
const wordHash = (t: string, s: number, e: number): number => {
  let h = 0
  for (let i = s; i < e; i++) h = (Math.imul(h, 31) + (t.charCodeAt(i) | 32)) | 0
  return h
}
const CONTEXT_HASHES = new Set<number>()
const CONTEXT_BY_HASH = new Map<number, [string, Ctx][]>()
// First parts of hyphenated context words (`set` of set-cookie, `x` of x-api-key).
const HYPHEN_HASHES = new Set<number>()
// A 4096-bit filter in front of the set: most words are turned away by one array read.
const CONTEXT_FILTER = new Uint8Array(4096)
for (const [w, ctx] of CONTEXT) {
  const h = wordHash(w, 0, w.length)
  CONTEXT_HASHES.add(h)
  CONTEXT_FILTER[h & 4095] = 1
  CONTEXT_BY_HASH.set(h, [...(CONTEXT_BY_HASH.get(h) ?? []), [w, ctx]])
  const dash = w.indexOf('-')
  if (dash > 0) HYPHEN_HASHES.add(wordHash(w, 0, dash))
}

/** The context of the word `t[s, e)` with hash `h`, compared without copying it. */
function contextOf(t: string, s: number, e: number, h: number): Ctx | undefined {
  const entries = CONTEXT_BY_HASH.get(h)
  if (entries === undefined) return undefined
  for (const [w, ctx] of entries) {
    if (w.length !== e - s) continue
    let same = true
    for (let i = 0; i < w.length && same; i++) same = (t.charCodeAt(s + i) | 32) === (w.charCodeAt(i) | 32)
    if (same) return ctx
  }
  return undefined
}

const AWS_PREFIXES = new Set(['AKIA', 'ASIA', 'AIDA', 'AROA', 'AGPA', 'ANPA', 'ANVA', 'AIPA', 'ABIA', 'ACCA'])
const PLACEHOLDERS = new Set(['null', 'undefined', 'true', 'false', 'none', '***', '[redacted]', 'redacted'])

const GS = new Int32Array(MAX_GROUPS)
const GD = new Int32Array(MAX_GROUPS)
const GE = new Int32Array(MAX_GROUPS)
const SEP = new Int32Array(MAX_GROUPS)
const GL = new Int32Array(MAX_GROUPS)
const PS = new Int32Array(MAX_GROUPS + 1)

/**
 * The secret kind an object key names (`authorization`, `Cookie`, `set-cookie`, `password`, `api_key`, …): the
 * value under such a key is a secret whatever it looks like.
 */
export function secretKindOfKey(key: string): DetectorKind | undefined {
  if (key.length > 28) return undefined
  const ctx = CONTEXT.get(key.toLowerCase())
  return ctx === Ctx.AuthHeader
    ? 'auth_header'
    : ctx === Ctx.Cookie
      ? 'cookie'
      : ctx === Ctx.SecretKey
        ? 'secret'
        : undefined
}

/**
 * Where the last context words (`born`, `ssn`, `bsn`, `order`, …) ended, relative to the start of the next text:
 * a stream carries them from one piece to the next, so a context word just before a cut still counts after it.
 */
export interface ScanContext {
  dobAt: number
  ssnAt: number
  bsnAt: number
  negAt: number
}

const FAR = -1_000_000

/** No context word seen yet. */
export const noContext = (): ScanContext => ({ dobAt: FAR, ssnAt: FAR, bsnAt: FAR, negAt: FAR })

/**
 * Scans `text` and appends what it finds to `out`, in order of position, without overlaps. With `context`, the
 * scan starts from it and leaves in it the context for the text that follows.
 */
export function scan(text: string, on: Enabled, out: RawFinding[], context?: ScanContext): void {
  const scanner = new Scanner(text, on, out)
  if (context === undefined) {
    scanner.run()
    return
  }
  scanner.dobAt = context.dobAt
  scanner.ssnAt = context.ssnAt
  scanner.bsnAt = context.bsnAt
  scanner.negAt = context.negAt
  scanner.run()
  const n = text.length
  context.dobAt = Math.max(scanner.dobAt - n, FAR)
  context.ssnAt = Math.max(scanner.ssnAt - n, FAR)
  context.bsnAt = Math.max(scanner.bsnAt - n, FAR)
  context.negAt = Math.max(scanner.negAt - n, FAR)
}

class Scanner {
  private readonly n: number
  // Digit groups of the current number candidate: digit start, digit end, group end (after `)`), separator before.
  // Shared by all scanners: a scan is synchronous and never re-entered.
  private readonly gs = GS
  private readonly gd = GD
  private readonly ge = GE
  private readonly sep = SEP
  // The last number candidate: how many groups it held, and where its second group starts.
  private lastCount = 0
  private nextFrom = -1
  private lastDigits = ''
  // Where the last context word of each sort ended (set by `scan` when a stream carries them over).
  dobAt = FAR
  ssnAt = FAR
  bsnAt = FAR
  negAt = FAR
  // End of the last run of groups after an IBAN-like code that is not an IBAN: numbers starting before it are read
  // as cards only.
  private ibanRunEnd = -1
  private noPemEnd = false
  // The last unquoted value read after a key: `[runFrom, runTo)` holds no character that ends a value. A key
  // repeated inside a value (`key=key=key=…`) starts its value inside this run, so its end is found without
  // reading the run again, and the entropy of that value is the window's, moved forward, not counted afresh.
  private runFrom = -1
  private runTo = -1
  private readonly window = new EntropyWindow()

  constructor(
    private readonly t: string,
    private readonly on: Enabled,
    private readonly out: RawFinding[],
  ) {
    this.n = t.length
  }

  run(): void {
    const t = this.t
    const n = this.n
    let i = 0
    while (i < n) {
      const c = t.charCodeAt(i)
      const k = cls(c)
      if ((k & WORD) !== 0 || c >= 128) {
        if ((k & ALNUM) !== 0 && this.boundary(i)) {
          i = (k & DIGIT) !== 0 ? this.number(i) : this.word(i)
        } else {
          i++
          while (i < n && wordLike(t.charCodeAt(i))) i++
        }
        continue
      }
      switch (c) {
        case 64: // @
          i = this.at(i)
          continue
        case 43: // +
          if (this.on.phone && isDigit(t.charCodeAt(i + 1)) && this.boundary(i)) {
            i = this.numberGroups(i, i + 1, true)
            continue
          }
          break
        case 40: // (
          if (this.on.phone && isDigit(t.charCodeAt(i + 1))) {
            let d = i + 1
            while (d < n && d - i <= 6 && isDigit(t.charCodeAt(d))) d++
            if (t.charCodeAt(d) === 41) {
              i = this.numberGroups(i, i, false)
              continue
            }
          }
          break
        case 58: // :
          if (this.on.ip && t.charCodeAt(i + 1) === 58 && (i === 0 || !isHexColonDot(t.charCodeAt(i - 1)))) {
            const r = this.ipv6(i)
            if (r !== 0) {
              i = Math.abs(r)
              continue
            }
          }
          break
        case 45: // -
          if (this.on.private_key && t.charCodeAt(i + 1) === 45 && t.startsWith('-----BEGIN ', i)) {
            const r = this.pem(i)
            if (r > 0) {
              i = r
              continue
            }
          }
          break
      }
      i++
    }
  }

  /** A candidate may start here: the previous character does not continue a word or a decimal number. */
  private boundary(i: number): boolean {
    if (i === 0) return true
    const p = this.t.charCodeAt(i - 1)
    if (wordLike(p)) return false
    // After `1.` (a decimal, a version) or `1-` (the next group of a date, a UUID, an order number) no value starts.
    if ((p === 46 || p === 45) && i >= 2 && isDigit(this.t.charCodeAt(i - 2))) return false
    return true
  }

  private add(start: number, end: number, kind: DetectorKind, detector: string, confidence: number): void {
    const out = this.out
    let last = out[out.length - 1]
    while (last !== undefined && last.end > start) {
      // Overlap: keep the longer finding (an email whose local part held a phone number, say).
      if (last.end - last.start >= end - start) return
      out.pop()
      last = out[out.length - 1]
    }
    out.push({ start, end, kind, detector, confidence })
  }

  private near(at: number, start: number): boolean {
    return start >= at && start - at <= CONTEXT_WINDOW
  }

  // ---- numbers: cards, IBAN-free numeric IDs, phones, IPv4, dates of birth --------------------------------------

  private number(s: number): number {
    const t = this.t
    const n = this.n
    let e = s
    while (e < n && isDigit(t.charCodeAt(e))) e++
    if (e - s > MAX_GROUP_DIGITS) {
      while (e < n && wordLike(t.charCodeAt(e))) e++
      return e
    }
    const next = t.charCodeAt(e)
    if (this.on.ip && e - s <= 4 && (next === 58 || (cls(next) & (HEX | DIGIT)) === HEX)) {
      let h = e
      while (h - s < 5 && (cls(t.charCodeAt(h)) & HEX) !== 0) h++
      if (h - s <= 4 && t.charCodeAt(h) === 58) {
        const r = this.ipv6(s)
        if (r !== 0) return Math.abs(r)
      }
    }
    const len = e - s
    if (len === 4 && next === 45 && !this.near(this.dobAt, s)) {
      const r = isoTimestampEnd(t, s)
      if (r > 0) return r
    }
    if ((cls(next) & LETTER) !== 0 || (next === 45 && (cls(t.charCodeAt(e + 1)) & LETTER) !== 0)) {
      const letterAt = next === 45 ? e + 1 : e
      if (
        this.on.es_nif &&
        (len === 7 || len === 8) &&
        !wordLike(t.charCodeAt(letterAt + 1)) &&
        esNifValid(t.slice(s, e), t.charAt(letterAt))
      ) {
        this.add(s, letterAt + 1, 'es_nif', 'es-nif', 0.75)
        return letterAt + 1
      }
      if (this.on.dob && len <= 2 && this.near(this.dobAt, s)) {
        const r = this.dayMonthName(s, e)
        if (r > 0) return r
      }
      if (next === 45) return e
      e++
      while (e < n && wordLike(t.charCodeAt(e))) e++
      return e
    }
    if (this.on.dob && len <= 2 && (next === 32 || next === 46) && this.near(this.dobAt, s)) {
      const r = this.dayMonthName(s, e)
      if (r > 0) return r
    }
    return this.numberGroups(s, s, false)
  }

  /**
   * Reads digit groups (a group may be wrapped in parentheses) until 8 are held; returns how many. With `k > 0`
   * it continues after group `k - 1`, whose end is `j`.
   */
  private groups(j: number, k: number): number {
    const t = this.t
    const n = this.n
    if (k > 0) {
      const c = t.charCodeAt(j)
      const c1 = t.charCodeAt(j + 1)
      if ((c === 32 || c === 45 || c === 46 || c === 47) && (isDigit(c1) || (c1 === 40 && c !== 47))) {
        this.sep[k] = c
        j++
      } else if (this.ge[k - 1] !== this.gd[k - 1] && isDigit(c)) {
        this.sep[k] = 41
      } else return k
    }
    while (k < MAX_GROUPS) {
      let open = false
      if (t.charCodeAt(j) === 40) {
        open = true
        j++
      }
      const ds = j
      while (j < n && isDigit(t.charCodeAt(j))) j++
      if (j === ds || j - ds > MAX_GROUP_DIGITS) break
      const de = j
      if (open) {
        if (t.charCodeAt(j) !== 41) break
        j++
      }
      this.gs[k] = ds
      this.gd[k] = de
      this.ge[k] = j
      k++
      if (k === MAX_GROUPS) break
      const c = t.charCodeAt(j)
      const c1 = t.charCodeAt(j + 1)
      if ((c === 32 || c === 45 || c === 46 || c === 47) && (isDigit(c1) || (c1 === 40 && c !== 47))) {
        this.sep[k] = c
        j++
      } else if (open && isDigit(c)) {
        this.sep[k] = 41
      } else break
    }
    return k
  }

  private numberGroups(start: number, from: number, plus: boolean): number {
    const t = this.t
    const { gs, gd, ge, sep, on } = this
    let count: number
    let digits = ''
    if (!plus && from === this.nextFrom) {
      // A retry at the second group of the last candidate: its groups are already read; shift them (and the
      // digits read from them, when they were).
      if (this.lastDigits !== '') digits = this.lastDigits.slice((gd[0] as number) - (gs[0] as number))
      count = this.lastCount - 1
      for (let g = 0; g < count; g++) {
        gs[g] = gs[g + 1] as number
        gd[g] = gd[g + 1] as number
        ge[g] = ge[g + 1] as number
        sep[g] = sep[g + 1] as number
      }
      if (this.lastCount === MAX_GROUPS) {
        count = this.groups(ge[count - 1] as number, count)
        if (digits !== '' && count === MAX_GROUPS) digits += t.slice(gs[count - 1], gd[count - 1])
      }
    } else count = this.groups(from, 0)
    this.lastDigits = ''
    this.lastCount = count
    this.nextFrom = count > 1 ? (gs[1] as number) - ((ge[1] as number) !== (gd[1] as number) ? 1 : 0) : -1
    if (count === 0) return from + 1
    const paren0 = ge[0] !== gd[0]
    const neg = (start >= this.negAt && start - this.negAt <= NEGATIVE_WINDOW) || start < this.ibanRunEnd
    // Prefix sums of digit counts; where the separators stop being the same, where a slash appears, which group
    // first breaks the card grouping.
    const s1 = sep[1] as number
    let total = 0
    let uniformTo = count
    let slashFrom = count + 1
    let badGroup = count // first group that is not of card size
    for (let g = 0; g < count; g++) {
      const len = (gd[g] as number) - (gs[g] as number)
      GL[g] = len
      total += len
      PS[g + 1] = total
      if (g >= 1 && sep[g] !== s1 && uniformTo === count) uniformTo = g
      if (g >= 1 && sep[g] === 47 && slashFrom === count + 1) slashFrom = g + 1
      if ((len < 3 || len > 6) && badGroup === count) badGroup = g
    }
    const l0 = GL[0] as number
    const l1 = GL[1] as number
    const l2 = GL[2] as number
    const plain = !plus && !paren0
    const dobNear = this.near(this.dobAt, start)
    const zeroFirst = t.charCodeAt(gs[0] as number) === 48
    for (let k = count; k >= 1; k--) {
      const end = ge[k - 1] as number
      const after = t.charCodeAt(end)
      if (wordLike(after) || after === 64) continue
      if ((after === 46 || after === 58) && isDigit(t.charCodeAt(end + 1))) continue
      if (after === 45 && (cls(t.charCodeAt(end + 1)) & ALNUM) !== 0) continue // inside a UUID or a part number
      const nd = PS[k] as number
      const uniform = k <= uniformTo
      const slash = k >= slashFrom
      // Only lengths and separators so far: the digits are read when some detector's shape fits.
      const shaped =
        (plain && k === 4 && s1 === 46) ||
        (plain && k === 3 && (dobNear || (l0 === 3 && l1 === 2 && l2 === 4))) ||
        (plain && nd >= 12 && nd <= 19 && (k === 1 || (uniform && badGroup >= k - 1))) ||
        (plain && k === 1 && nd >= 9 && nd <= 11) ||
        (plus && nd >= 8) ||
        (k >= 3 && (nd === 10 || nd === 11) && !zeroFirst) ||
        (zeroFirst && nd >= 9 && k >= 2)
      if (!shaped) continue
      if (digits === '') for (let g = 0; g < count; g++) digits += t.slice(gs[g], gd[g])
      this.lastDigits = digits
      const d = nd === total ? digits : digits.slice(0, nd)
      // IPv4
      if (plain && k === 4 && uniform && s1 === 46 && on.ip) {
        let ok = true
        for (let g = 0; g < 4; g++) {
          const len = GL[g] as number
          if (len > 3 || Number(t.slice(gs[g], gd[g])) > 255 || (len > 1 && t.charCodeAt(gs[g] as number) === 48))
            ok = false
        }
        if (ok && t.charCodeAt(end) !== 46) {
          this.add(start, end, 'ip', 'ipv4', 0.9)
          return end
        }
      }
      // Date of birth (numeric) near a context word
      if (plain && k === 3 && uniform && s1 !== 32 && on.dob && this.near(this.dobAt, start)) {
        if (numericDate(l0, l1, l2, t.slice(gs[0], gd[0]), t.slice(gs[1], gd[1]), t.slice(gs[2], gd[2]))) {
          this.add(start, end, 'dob', 'date-of-birth', 0.8)
          return end
        }
      }
      if (slash) continue
      // US SSN, grouped 3-2-4
      const ssnShaped = plain && k === 3 && l0 === 3 && l1 === 2 && l2 === 4
      if (ssnShaped && uniform && on.us_ssn) {
        if (ssnValid(Number(d.slice(0, 3)), Number(d.slice(3, 5)), Number(d.slice(5)))) {
          this.add(start, end, 'us_ssn', 'us-ssn', this.near(this.ssnAt, start) ? 0.95 : 0.85)
          return end
        }
      }
      // Payment card: 13–19 digits, plain or grouped by spaces or dashes, Luhn and issuer prefix
      if (plain && nd >= 13 && nd <= 19 && on.card && (k === 1 || (uniform && (s1 === 32 || s1 === 45)))) {
        if ((k === 1 || badGroup >= k - 1) && luhnValid(d) && cardIssuerValid(d)) {
          this.add(start, end, 'card', 'card-luhn', 0.95)
          return end
        }
      }
      // Aadhaar: 12 digits, plain or 4-4-4, Verhoeff
      if (plain && nd === 12 && on.in_aadhaar && !neg) {
        const shaped = k === 1 || (k === 3 && uniform && s1 !== 46 && l0 === 4 && l1 === 4)
        if (shaped && aadhaarValid(d)) {
          this.add(start, end, 'in_aadhaar', 'in-aadhaar-verhoeff', 0.7)
          return end
        }
      }
      if (plain && k === 1 && !neg) {
        if (nd === 11) {
          if (on.pl_pesel && peselValid(d)) {
            this.add(start, end, 'pl_pesel', 'pl-pesel', 0.6)
            return end
          }
          if (on.de_tax_id && deTaxIdValid(d)) {
            this.add(start, end, 'de_tax_id', 'de-tax-id', 0.6)
            return end
          }
          if (on.phone && d.charCodeAt(0) === 49 && d.charCodeAt(1) >= 51) {
            this.add(start, end, 'phone', 'phone-cn-mobile', 0.5)
            return end
          }
        }
        if (nd === 9) {
          const bsn = nlBsnValid(d)
          const ssn = ssnValid(Number(d.slice(0, 3)), Number(d.slice(3, 5)), Number(d.slice(5)))
          if (on.nl_bsn && bsn && !this.near(this.ssnAt, start)) {
            this.add(start, end, 'nl_bsn', 'nl-bsn', this.near(this.bsnAt, start) ? 0.9 : 0.5)
            return end
          }
          if (on.us_ssn && ssn && !this.near(this.bsnAt, start)) {
            this.add(start, end, 'us_ssn', 'us-ssn', this.near(this.ssnAt, start) ? 0.9 : 0.4)
            return end
          }
        }
        if (nd === 10 && on.phone && nanpValid(d)) {
          this.add(start, end, 'phone', 'phone-nanp', 0.5)
          return end
        }
      }
      if (!on.phone) continue
      // Phones
      if (plus) {
        if (e164Valid(d)) {
          this.add(start, end, 'phone', 'phone-e164', 0.85)
          return end
        }
        continue
      }
      if (k === 1) continue
      if (
        (k === 3 && l0 === 3 && l1 === 3 && l2 === 4 && (uniform || paren0) && nanpValid(d)) ||
        (k === 4 && d.charCodeAt(0) === 49 && l0 === 1 && l1 === 3 && GL[3] === 4 && nanpValid(d.slice(1)))
      ) {
        this.add(start, end, 'phone', 'phone-nanp', 0.75)
        return end
      }
      if (d.charCodeAt(0) === 48 && !ssnShaped && !neg) {
        if (d.charCodeAt(1) === 48) {
          if (e164Valid(d.slice(2))) {
            this.add(start, end, 'phone', 'phone-e164', 0.75)
            return end
          }
        } else if (nd >= 9 && nd <= 11 && l0 >= 2) {
          this.add(start, end, 'phone', 'phone-national', 0.65)
          return end
        }
      }
    }
    return Math.max(start + 1, gd[0] as number)
  }

  /** "5 May 1990", "5-MAY-2021": a day, a month name and a year, near a date-of-birth context word. */
  private dayMonthName(s: number, e: number): number {
    const t = this.t
    const day = Number(t.slice(s, e))
    const sepc = t.charCodeAt(e)
    if (day < 1 || day > 31 || !(sepc === 32 || sepc === 45 || sepc === 46 || sepc === 47)) return 0
    let j = e + 1
    const ms = j
    while (j < this.n && (cls(t.charCodeAt(j)) & LETTER) !== 0 && j - ms < 10) j++
    if (j - ms < 3 || monthNumber(t.slice(ms, j)) === 0) return 0
    if (t.charCodeAt(j) === 46) j++
    if (t.charCodeAt(j) !== sepc && !(sepc === 46 && t.charCodeAt(j) === 32)) return 0
    j++
    const ys = j
    while (j < this.n && isDigit(t.charCodeAt(j))) j++
    if ((j - ys !== 4 && j - ys !== 2) || wordLike(t.charCodeAt(j))) return 0
    this.add(s, j, 'dob', 'date-of-birth', 0.8)
    return j
  }

  /** "May-2021", "May 1990", "May 5, 1990" after a month name, near a date-of-birth context word. */
  private monthFirst(s: number, e: number): number {
    const t = this.t
    const sepc = t.charCodeAt(e)
    if (!(sepc === 32 || sepc === 45)) return 0
    let j = e + 1
    const ds = j
    while (j < this.n && isDigit(t.charCodeAt(j))) j++
    const len = j - ds
    if (len === 4 && !wordLike(t.charCodeAt(j))) {
      this.add(s, j, 'dob', 'date-of-birth', 0.7)
      return j
    }
    if (len < 1 || len > 2 || Number(t.slice(ds, j)) > 31) return 0
    if (t.charCodeAt(j) === 44) j++
    if (t.charCodeAt(j) !== 32 && t.charCodeAt(j) !== 45) return 0
    j++
    const ys = j
    while (j < this.n && isDigit(t.charCodeAt(j))) j++
    if (j - ys !== 4 || wordLike(t.charCodeAt(j))) return 0
    this.add(s, j, 'dob', 'date-of-birth', 0.8)
    return j
  }

  // ---- IPv6 -----------------------------------------------------------------------------------------------------

  /** Returns the end of an IPv6 address found at `s`, minus the end of a run to skip, or 0 for no decision. */
  private ipv6(s: number): number {
    const t = this.t
    const n = this.n
    let j = s
    while (j < n && j - s <= 45 && isHexColonDot(t.charCodeAt(j))) j++
    if (j - s > 45) {
      while (j < n && isHexColonDot(t.charCodeAt(j))) j++
      return -j
    }
    let end = j
    while (end > s && t.charCodeAt(end - 1) === 46) end--
    let zoneEnd = end
    if (end === j && t.charCodeAt(j) === 37 && (cls(t.charCodeAt(j + 1)) & ALNUM) !== 0) {
      zoneEnd = j + 1
      while (zoneEnd < n && zoneEnd - j < 16 && (cls(t.charCodeAt(zoneEnd)) & WORD) !== 0) zoneEnd++
    }
    if (wordLike(t.charCodeAt(zoneEnd))) return 0
    if (!ipv6Valid(t.slice(s, end))) {
      // A failed colon-run (a time, a MAC address, `::ffff:256.0.0.1`) is skipped whole, so no part of it is
      // re-read as an IPv4 address.
      return t.charCodeAt(s) === 58 || t.slice(s, end).includes('.') ? -Math.max(j, s + 1) : 0
    }
    this.add(s, zoneEnd, 'ip', 'ipv6', 0.9)
    return zoneEnd
  }

  // ---- words: IBAN, NINO, NIE, JWT, AWS keys, IPv6 starting with a letter, context words --------------------------

  private word(s: number): number {
    const t = this.t
    const on = this.on
    const c0 = t.charCodeAt(s)
    let e = s + 1
    let h = c0 | 32
    for (let c = t.charCodeAt(e); c < 128 && ((CLS[c] as number) & WORD) !== 0; c = t.charCodeAt(++e))
      h = (Math.imul(h, 31) + (c | 32)) | 0
    const len = e - s
    const c1 = t.charCodeAt(s + 1)
    const k0 = cls(c0)
    const k1 = cls(c1)
    const k2 = cls(t.charCodeAt(s + 2))
    if (on.iban && len >= 4 && k0 & UPPER && k1 & UPPER && k2 & DIGIT && cls(t.charCodeAt(s + 3)) & DIGIT) {
      const r = this.iban(s, e)
      if (r !== 0) return Math.abs(r)
    }
    if (on.uk_nino && k1 & LETTER && len <= 9 && (len === 2 || k2 & DIGIT)) {
      const r = this.nino(s)
      if (r > 0) return r
    }
    if (on.es_nif && len === 9 && (c0 === 88 || c0 === 89 || c0 === 90 || c0 === 120 || c0 === 121 || c0 === 122)) {
      const body = t.slice(s, s + 8).toUpperCase()
      if (/^[XYZ]\d{7}$/.test(body) && esNifValid(body, t.charAt(s + 8))) {
        this.add(s, e, 'es_nif', 'es-nie', 0.75)
        return e
      }
    }
    if (on.jwt && c0 === 101 && c1 === 121 && t.charCodeAt(s + 2) === 74 && t.charCodeAt(e) === 46) {
      const r = this.jwt(s, e)
      if (r > 0) return r
    }
    if (on.aws_access_key && len === 20 && c0 === 65 && AWS_PREFIXES.has(t.slice(s, s + 4))) {
      if (/^[A-Z0-9]{20}$/.test(t.slice(s, e))) {
        this.add(s, e, 'aws_access_key', 'aws-access-key-id', 0.9)
        return e
      }
    }
    if (on.ip && len <= 4 && t.charCodeAt(e) === 58) {
      let hex = true
      for (let j = s; j < e; j++) if ((cls(t.charCodeAt(j)) & HEX) === 0) hex = false
      if (hex) {
        const r = this.ipv6(s)
        if (r !== 0) return Math.abs(r)
      }
    }
    if ((CONTEXT_FILTER[h & 4095] === 1 && CONTEXT_HASHES.has(h)) || (t.charCodeAt(e) === 45 && HYPHEN_HASHES.has(h))) {
      return this.context(s, e, h)
    }
    return e
  }

  private context(s: number, e: number, h: number): number {
    const t = this.t
    let we = e
    while (t.charCodeAt(we) === 45 && (cls(t.charCodeAt(we + 1)) & LETTER) !== 0 && we - s < 28) {
      we++
      while (we < this.n && (cls(t.charCodeAt(we)) & WORD) !== 0) we++
    }
    let end = we
    let ctx = contextOf(t, s, we, we === e ? h : wordHash(t, s, we))
    if (ctx === undefined && we !== e) {
      ctx = contextOf(t, s, e, h)
      end = e
    }
    if (ctx === undefined) return e
    switch (ctx) {
      case Ctx.Dob:
        this.dobAt = end
        return end
      case Ctx.Ssn:
        this.ssnAt = end
        return end
      case Ctx.Bsn:
        this.bsnAt = end
        return end
      case Ctx.Negative:
        this.negAt = end
        return end
      case Ctx.Month:
        if (this.on.dob && this.near(this.dobAt, s)) {
          const r = this.monthFirst(s, end)
          if (r > 0) return r
        }
        return end
      case Ctx.Bearer:
        return this.bearer(end)
      default:
        return this.keyValue(s, end, ctx)
    }
  }

  /** `Bearer <token>` anywhere: the token (8+ characters of the RFC 6750 alphabet). */
  private bearer(e: number): number {
    const t = this.t
    if (!this.on.bearer_token || t.charCodeAt(e) !== 32) return e
    let j = e + 1
    const s = j
    while (j < this.n && j - s < VALUE_CAP && isTokenChar(t.charCodeAt(j))) j++
    while (j < this.n && t.charCodeAt(j) === 61) j++
    if (j - s < 8) return e
    this.add(s, j, 'bearer_token', 'bearer-token', 0.9)
    return j
  }

  /** A value after a key such as `password=`, `"token": "…"`, `Authorization: …` or `?api_key=`. */
  private keyValue(s: number, e: number, ctx: Ctx): number {
    const t = this.t
    const n = this.n
    const kind: DetectorKind = ctx === Ctx.AuthHeader ? 'auth_header' : ctx === Ctx.Cookie ? 'cookie' : 'secret'
    if (!this.on[kind]) return e
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
      ve = this.valueEnd(vs)
    }
    if (ve === vs) return j
    const value = ve - vs <= 12 ? t.slice(vs, ve).toLowerCase() : ''
    if (PLACEHOLDERS.has(value) || t.charCodeAt(vs) === 91) return ve
    if (ctx === Ctx.EntropyKey) {
      if (ve - vs < 16) return j
      const high = quote === 0 ? this.window.highEntropy(t, vs, ve) : highEntropy(t, vs, ve)
      if (!high) return j
      this.add(vs, ve, 'secret', 'high-entropy', 0.7)
      return ve
    }
    const before = s > 0 ? t.charCodeAt(s - 1) : 0
    const detector =
      kind !== 'secret' ? `${kind.replace('_', '-')}` : before === 63 || before === 38 ? 'query-param' : 'secret-key'
    this.add(vs, ve, kind, detector, 0.9)
    return ve
  }

  /**
   * The end of an unquoted value starting at `vs`: the first value end, at most `VALUE_CAP` characters on. A start
   * inside the last run read continues from that run's end, so each character is read once however many keys
   * precede it.
   */
  private valueEnd(vs: number): number {
    const t = this.t
    const cap = Math.min(this.n, vs + VALUE_CAP)
    if (!(vs >= this.runFrom && vs <= this.runTo)) {
      this.runFrom = vs
      this.runTo = vs
    }
    let j = this.runTo
    while (j < cap && !isValueEnd(t.charCodeAt(j))) j++
    this.runTo = j
    return Math.min(j, cap)
  }

  private iban(s: number, wordEnd: number): number {
    const t = this.t
    const len = IBAN_LENGTHS[t.slice(s, s + 2)]
    if (len === undefined) return 0
    const first = wordEnd - s
    let compact: string
    let end = wordEnd
    if (first === len) {
      compact = t.slice(s, wordEnd)
      end = wordEnd
    } else if (first === 4) {
      const sepc = t.charCodeAt(wordEnd)
      if (sepc !== 32 && sepc !== 45) return 0
      let j = wordEnd
      let bad = false
      let groups = 0
      let length = 4
      let digits = false // some group starts with a digit
      let last = j // the separator before the last group
      // Read the groups of 1–4 letters or digits (past one that does not fit, digit groups only): a run as long as
      // the IBAN that fails is skipped whole, so its digit groups are not read again as a phone number or an Aadhaar.
      while (t.charCodeAt(j) === sepc && groups < 10) {
        const gs = j + 1
        let ge = gs
        while (ge < this.n && ge - gs < 5 && (cls(t.charCodeAt(ge)) & ALNUM) !== 0) ge++
        const glen = ge - gs
        const digit = isDigit(t.charCodeAt(gs))
        if (glen === 0 || glen > 4 || (bad && !digit)) break
        if (!bad && (length + glen > len || (glen < 4 && length + glen !== len))) bad = true
        digits ||= digit
        length += glen
        last = j
        j = ge
        groups++
        if (!bad && length === len) break
      }
      if (groups < 2) return 0
      if (bad || length !== len) {
        // Not an IBAN, but a value may follow the code (`DE89 the 3400-000000-00009`, `DE89 paid with 4111 1111 …`).
        // A run with digits is read on, numbers starting in it as cards only (not as the phone numbers and IDs a
        // broken IBAN looks like); a run of words is skipped up to its last group, which is read again.
        if (!digits) return -last
        this.ibanRunEnd = j
        return 0
      }
      if (wordLike(t.charCodeAt(j))) return -j
      end = j
      compact = t.slice(s, end).replaceAll(sepc === 32 ? ' ' : '-', '')
    } else return 0
    if (wordLike(t.charCodeAt(end))) return first === 4 ? -end : 0
    for (let i = 0; i < compact.length; i++) {
      if ((cls(compact.charCodeAt(i)) & (UPPER | DIGIT)) === 0) return first === 4 ? -end : 0
    }
    if (!ibanChecksumValid(compact)) return first === 4 ? -end : 0
    this.add(s, end, 'iban', 'iban-mod97', 0.95)
    return end
  }

  private nino(s: number): number {
    const t = this.t
    let j = s + 2
    if (t.charCodeAt(j) === 32) j++
    for (let pair = 0; pair < 3; pair++) {
      if (pair > 0 && t.charCodeAt(j) === 32) j++
      if (!isDigit(t.charCodeAt(j)) || !isDigit(t.charCodeAt(j + 1))) return 0
      j += 2
    }
    if (t.charCodeAt(j) === 32) j++
    const suffix = t.charCodeAt(j) | 32
    if (suffix < 97 || suffix > 100 || wordLike(t.charCodeAt(j + 1))) return 0
    if (!ninoPrefixValid(t.slice(s, s + 2).toUpperCase())) return 0
    this.add(s, j + 1, 'uk_nino', 'uk-nino', 0.8)
    return j + 1
  }

  private jwt(s: number, firstEnd: number): number {
    const t = this.t
    let j = firstEnd
    let parts = 1
    while (t.charCodeAt(j) === 46 && parts < 5) {
      const ps = j + 1
      j = ps
      while (j < this.n && isBase64Url(t.charCodeAt(j))) j++
      if (j === ps && parts < 2) return 0
      parts++
    }
    if (parts < 3 || firstEnd - s < 10 || wordLike(t.charCodeAt(j))) return 0
    this.add(s, j, 'jwt', 'jwt', 0.95)
    return j
  }

  private pem(s: number): number {
    const t = this.t
    const header = t.indexOf('-----', s + 11)
    if (header < 0 || header - s > 80 || !t.slice(s, header).endsWith('PRIVATE KEY')) return 0
    let end = -1
    if (!this.noPemEnd) {
      const endAt = t.indexOf('-----END ', header + 5)
      if (endAt < 0) this.noPemEnd = true
      else {
        const close = t.indexOf('-----', endAt + 9)
        end = close < 0 || close - endAt > 80 ? endAt + 9 : close + 5
      }
    }
    if (end < 0) {
      end = header + 5
      while (end < this.n && isPemBody(t.charCodeAt(end))) end++
    }
    this.add(s, end, 'private_key', 'pem-private-key', 0.99)
    return end
  }

  // ---- @: URL credentials and emails ----------------------------------------------------------------------------

  private at(a: number): number {
    const t = this.t
    if (this.on.url_credentials) {
      let p = a
      while (p > 0 && a - p < 256 && isUserinfo(t.charCodeAt(p - 1))) p--
      if (p < a && t.charCodeAt(p - 1) === 58) {
        let u = p - 1
        while (u > 0 && p - u < 256 && isUserinfo(t.charCodeAt(u - 1))) u--
        if (u < p - 1 && t.charCodeAt(u - 1) === 47 && t.charCodeAt(u - 2) === 47 && t.charCodeAt(u - 3) === 58) {
          this.add(u, a, 'url_credentials', 'url-userinfo', 0.95)
          return a + 1
        }
      }
    }
    if (!this.on.email) return a + 1
    let s = a
    while (s > 0 && a - s < 64 && isLocalPart(t.charCodeAt(s - 1))) s--
    while (s < a && t.charCodeAt(s) === 46) s++
    if (s === a) return a + 1
    let j = a + 1
    let labels = 0
    let lastStart = j
    while (j - a <= 254) {
      const ls = j
      while (j < this.n && j - a <= 254 && (isAddressLetter(t.charCodeAt(j)) || t.charCodeAt(j) === 45)) j++
      if (j === ls) break
      labels++
      lastStart = ls
      if (t.charCodeAt(j) === 46 && isAddressLetter(t.charCodeAt(j + 1))) j++
      else break
    }
    if (labels < 2 || j - a > 254 || wordLike(t.charCodeAt(j))) return a + 1
    const tld = t.slice(lastStart, j)
    if (!(/^[A-Za-z]{2,63}$/.test(tld) || /^xn--[a-z0-9-]{2,59}$/i.test(tld) || /^\p{L}{2,63}$/u.test(tld)))
      return a + 1
    this.add(s, j, 'email', 'email', 0.95)
    return j
  }
}

// Internationalised addresses (RFC 6531): non-ASCII letters may stand in the local part and the domain.
const isAddressLetter = (c: number): boolean => (c < 128 ? ((CLS[c] as number) & ALNUM) !== 0 : wordLike(c))
const isLocalPart = (c: number): boolean => (c < 128 ? ((CLS[c] as number) & (ALNUM | LOCAL)) !== 0 : wordLike(c))

const isTokenChar = (c: number): boolean =>
  (cls(c) & (ALNUM | UNDERSCORE)) !== 0 || c === 45 || c === 46 || c === 126 || c === 43 || c === 47
const isBase64Url = (c: number): boolean => (cls(c) & (ALNUM | UNDERSCORE)) !== 0 || c === 45
const isPemBody = (c: number): boolean =>
  (cls(c) & ALNUM) !== 0 || c === 43 || c === 47 || c === 61 || c === 10 || c === 13
const isUserinfo = (c: number): boolean =>
  c > 32 && c !== 47 && c !== 64 && c !== 58 && c !== 63 && c !== 35 && c !== 34 && c !== 39 && c !== 60 && c !== 62
const isValueEnd = (c: number): boolean =>
  c <= 32 ||
  c === 38 ||
  c === 44 ||
  c === 59 ||
  c === 34 ||
  c === 39 ||
  c === 35 ||
  c === 41 ||
  c === 125 ||
  c === 93 ||
  c === 60 ||
  c === 62

/**
 * The end of an ISO 8601 timestamp starting at `s` (`2024-05-01T00:00:01.234Z`, `2024-05-01 12:00:00+02:00`),
 * or 0. Log lines open with one; it is never personal data away from a date-of-birth word, so it is skipped whole.
 */
const ISO_DIGITS = [5, 6, 8, 9, 11, 12, 14, 15]
function isoTimestampEnd(t: string, s: number): number {
  // Digits at 5, 6, 8, 9, 11, 12, 14, 15; `-` at 7; `T` or space at 10; `:` at 13.
  for (const i of ISO_DIGITS) if (!isDigit(t.charCodeAt(s + i))) return 0
  const sep = t.charCodeAt(s + 10)
  if (t.charCodeAt(s + 7) !== 45 || !(sep === 84 || sep === 32) || t.charCodeAt(s + 13) !== 58) return 0
  let j = s + 16
  while (j < t.length && j - s < 40) {
    const c = t.charCodeAt(j)
    if (isDigit(c) || c === 58 || c === 46 || c === 43 || c === 45 || c === 90) j++
    else break
  }
  return wordLike(t.charCodeAt(j)) ? 0 : j
}

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

  highEntropy(t: string, s: number, e: number): boolean {
    if (s < this.from || e < this.to || s > this.to) {
      this.counts.clear()
      this.classes.fill(0)
      this.sum = 0
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

function numericDate(l0: number, l1: number, l2: number, a: string, b: string, c: string): boolean {
  const x = Number(a)
  const y = Number(b)
  const z = Number(c)
  if (l0 === 4) return l1 <= 2 && l2 <= 2 && y >= 1 && y <= 12 && z >= 1 && z <= 31 // ISO yyyy-mm-dd
  if (l0 > 2 || l1 > 2 || (l2 !== 2 && l2 !== 4)) return false
  const dayMonth = x >= 1 && x <= 31 && y >= 1 && y <= 12
  const monthDay = x >= 1 && x <= 12 && y >= 1 && y <= 31
  return dayMonth || monthDay
}

/** RFC 4291 text form: eight groups, or fewer with one `::`, the last two may be an IPv4 address. */
export function ipv6Valid(s: string): boolean {
  if (s === '::' || s.length < 3) return false
  const dbl = s.indexOf('::')
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false
  const partsOf = (x: string): string[] => (x === '' ? [] : x.split(':'))
  const head = dbl >= 0 ? partsOf(s.slice(0, dbl)) : partsOf(s)
  const tail = dbl >= 0 ? partsOf(s.slice(dbl + 2)) : []
  const all = [...head, ...tail]
  let groups = all.length
  for (let i = 0; i < all.length; i++) {
    const p = all[i] as string
    if (p.includes('.')) {
      if (i !== all.length - 1) return false
      const o = p.split('.')
      if (o.length !== 4 || !o.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255)) return false
      groups++
    } else if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return false
  }
  return dbl >= 0 ? groups <= 7 : groups === 8
}
