// One left-to-right pass over the text. Candidates start only at word boundaries and at a few trigger characters
// (`@`, `+`, `(`, `::`, `-----BEGIN`); each candidate reads a bounded number of characters (at most 8 digit groups
// of at most 19 digits, 64 characters of an email's local part, 253 of its domain, …) and is then checked by the
// detectors of each family (`detectors/*.ts`). A failed candidate moves the scan forward to the end of its first
// group, so every character is read a bounded number of times: the scan is linear in the input, whatever the input.
//
// The pass routes; the families decide. At a digit the pass reads the digit groups once and offers each reading
// (all groups, then one fewer, …) to the NUMBER_MATCHERS its digit count allows, in order; at a letter it offers the
// word to the word matchers its first two characters can start, and hashes it for the context-word table only when
// a context word has its first two characters and length; at `@`, `+`, `%`, `(`, `:` and `-` it calls the one family that such
// a character can start; every other character is stepped over. A new format is a change in its family's file; a new family is one line in a table here.
import { ALNUM, CT, cls, DIGIT, HEX, isDigit, isHexColonDot, LETTER, WORD, WORD_LIKE, wordLike } from './chars'
import {
  CONTEXT_FILTER,
  CONTEXT_HASHES,
  Ctx,
  contextOf,
  contextShaped,
  HYPHEN_HASHES,
  secretKindOfKey,
  wordHash,
} from './context-words'
import { email, extensionEnd, phone, phoneByKey } from './detectors/contact'
import { dayMonthName, isoTimestampEnd, monthFirst, numericDob } from './detectors/dates'
import {
  aadhaar,
  checkLetterAt,
  nieAt,
  nifAfterDigits,
  ninoAt,
  singleGroupId,
  ssnGrouped,
} from './detectors/national-ids'
import { ipv4, ipv6, urlCredentials } from './detectors/network'
import { card, ibanAt } from './detectors/payment'
import {
  awsAccessKey,
  bearer,
  jwtAt,
  keyValue,
  PROVIDER_TOKEN_STARTS,
  pem,
  providerToken,
  secretKeyBySuffix,
} from './detectors/secrets'
import type { DetectorKind } from './kinds'
import {
  CONTEXT_WINDOW,
  type Enabled,
  FAR,
  type NumberCandidate,
  type NumberMatcher,
  type Pass,
  type RawFinding,
  type ScanContext,
} from './pass'

export { CONTEXT_WORDS } from './context-words'
export { type Enabled, noContext, type RawFinding, type ScanContext } from './pass'
export { secretKindOfKey }

/**
 * The detectors of number candidates, in the order they are asked, each with the fewest and the most digits it can
 * accept (a candidate outside is not offered to it): the first that adds a finding wins. Addresses and dates first
 * (their shapes are strict), then national IDs and cards by checksum, phones last.
 */
const NUMBER_MATCHERS: readonly (readonly [NumberMatcher, number, number])[] = [
  [ipv4, 4, 12],
  [numericDob, 4, 8],
  [phoneByKey, 8, Number.POSITIVE_INFINITY],
  [ssnGrouped, 9, 9],
  [card, 13, 19],
  [aadhaar, 12, 12],
  [singleGroupId, 9, 11],
  [phone, 8, Number.POSITIVE_INFINITY],
]
/** The number detectors a candidate of `nd` digits meets, at `min(nd, 20)` (20: twenty digits or more). */
const MATCHERS_BY_DIGITS: readonly (readonly NumberMatcher[])[] = Array.from({ length: 21 }, (_, nd) =>
  NUMBER_MATCHERS.filter(([, fewest, most]) => nd >= fewest && nd <= most).map(([match]) => match),
)
const FEWEST_DIGITS = 4

/** A word of letters only (`Office`, `Fax`) starts at `i`: a label joined to a number, not a UUID's next group. */
function joinedWord(t: string, i: number): boolean {
  let j = i
  while ((cls(t.charCodeAt(j)) & LETTER) !== 0) j++
  return j > i && !wordLike(t.charCodeAt(j))
}

/** The `count` groups just read hold fewer than `FEWEST_DIGITS` digits in all. */
function fewerDigits(count: number): boolean {
  let nd = 0
  for (let g = 0; g < count; g++) nd += (GD[g] as number) - (GS[g] as number)
  return nd < FEWEST_DIGITS
}

type WordMatcher = (p: Pass, s: number, e: number) => number

const UPPERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const LETTERS = `${UPPERS}${UPPERS.toLowerCase()}`

/**
 * Detectors of a word that starts with a letter (`DE89…`, `AB123456C`, `eyJ…`, `AKIA…`, `ghp_…`), each with the
 * first two characters that can start what it finds (`firsts/seconds`: any of the first, then any of the second;
 * several such pairs apart by spaces), and whether what it finds has a digit among its first three characters
 * (`DE89`, `AB12`, `X123`) or is two letters alone (`AB 12 …`). They are compiled into one table keyed by the first
 * two characters, so a word meets only the detectors that can match it, and most words of prose none. Each returns
 * an end, or 0.
 */
const WORD_MATCHERS: readonly (readonly [WordMatcher, string, 'code' | 'any'])[] = [
  [ibanAt, `${LETTERS}/${LETTERS}`, 'code'], // DE89…, de89…
  [ninoAt, `ABCEGHJKLMNOPRSTWXYZabceghjklmnoprstwxyz/${LETTERS}`, 'code'], // AB123456C
  [nieAt, 'XYZxyz/0123456789', 'code'], // X1234567L
  [jwtAt, 'e/y', 'any'], // eyJ…
  [awsAccessKey, `A/${UPPERS}`, 'any'], // AKIA…
  [providerToken, PROVIDER_TOKEN_STARTS, 'any'], // ghp_…, github_pat_…, sk_live_…, xoxb-…, AIza…
]
/** Bit `m` set: WORD_MATCHERS[m] can match a word starting with `c0 c1`, at `c0 * 128 + c1`. */
const WORD_STARTS = new Uint8Array(128 * 128)
WORD_MATCHERS.forEach(([, starts], m) => {
  for (const pair of starts.split(' ')) {
    const [firsts = '', seconds = ''] = pair.split('/')
    for (let i = 0; i < firsts.length; i++) {
      for (let j = 0; j < seconds.length; j++) {
        const at = firsts.charCodeAt(i) * 128 + seconds.charCodeAt(j)
        WORD_STARTS[at] = (WORD_STARTS[at] as number) | (1 << m)
      }
    }
  }
})
/** The bits of the matchers that words of any shape meet (the rest need a code-shaped word). */
const ANY_SHAPE = WORD_MATCHERS.reduce((bits, [, , shape], m) => (shape === 'any' ? bits | (1 << m) : bits), 0)
/** The matchers of each set of bits, in table order. */
const WORD_LISTS: readonly (readonly WordMatcher[])[] = Array.from({ length: 1 << WORD_MATCHERS.length }, (_, bits) =>
  WORD_MATCHERS.filter((_, m) => (bits & (1 << m)) !== 0).map(([match]) => match),
)
/**
 * The characters `trigger` reads (`@ + % ( : -`): every other character that is not a word is stepped over. ASCII
 * only: the pass looks here only for a code unit of no word class and below 128.
 */
const TRIGGERS = new Uint8Array(128)
for (const ch of '@+%(:-') TRIGGERS[ch.charCodeAt(0)] = 1

const MAX_GROUPS = 8
const MAX_GROUP_DIGITS = 19
const NEGATIVE_WINDOW = 12 // `order 123456789`, `"ref":"…"`: the number right after the word

const GS = new Int32Array(MAX_GROUPS)
const GD = new Int32Array(MAX_GROUPS)
const GE = new Int32Array(MAX_GROUPS)
const SEP = new Int32Array(MAX_GROUPS)
const GL = new Int32Array(MAX_GROUPS)
const PS = new Int32Array(MAX_GROUPS + 1)

let passes = 0

/**
 * Scans `text` and appends what it finds to `out`, in order of position, without overlaps. With `context`, the
 * scan starts from it and leaves in it the context for the text that follows.
 */
export function scan(text: string, on: Enabled, out: RawFinding[], context?: ScanContext): void {
  const scanner = SCANNER
  scanner.start(text, on, out)
  if (context !== undefined) {
    scanner.dobAt = context.dobAt
    scanner.ssnAt = context.ssnAt
    scanner.bsnAt = context.bsnAt
    scanner.negAt = context.negAt
    scanner.phoneAt = context.phoneAt
    scanner.taxAt = context.taxAt
  }
  try {
    scanner.run()
  } finally {
    scanner.finish() // the text and the findings never outlive the call, even if a detector throws
  }
  if (context !== undefined) {
    const n = text.length
    context.dobAt = Math.max(scanner.dobAt - n, FAR)
    context.ssnAt = Math.max(scanner.ssnAt - n, FAR)
    context.bsnAt = Math.max(scanner.bsnAt - n, FAR)
    context.negAt = Math.max(scanner.negAt - n, FAR)
    context.phoneAt = Math.max(scanner.phoneAt - n, FAR)
    context.taxAt = Math.max(scanner.taxAt - n, FAR)
  }
}

/** The number candidate the detectors read: the groups of the scanner's shared arrays, seen up to group `k`. */
class Candidate implements NumberCandidate {
  start = 0
  end = 0
  k = 0
  count = 0
  nd = 0
  plain = false
  plus = false
  paren0 = false
  uniform = false
  slash = false
  s1 = 0
  l0 = 0
  l1 = 0
  l2 = 0
  badGroup = 0
  neg = false
  ssnShaped = false
  zeroFirst = false
  trunkDigit = -1
  afterGroupOfFour = false
  /** Digits of all `count` groups, read once when a detector first asks. */
  all = ''
  t = ''

  groupLength(g: number): number {
    return GL[g] as number
  }

  digits(): string {
    if (this.all === '') for (let g = 0; g < this.count; g++) this.all += this.t.slice(GS[g], GD[g])
    return this.nd === this.all.length ? this.all : this.all.slice(0, this.nd)
  }
}

// One candidate for all scanners, like the group arrays: a scan is synchronous and never re-entered.
const CANDIDATE = new Candidate()

class Scanner implements Pass {
  // One scanner for the process, set to each text by `start` (a scan is synchronous and never re-entered): a call
  // allocates no scanner and initialises no fields it does not use.
  t = ''
  n = 0
  on: Enabled = NOTHING
  private out: RawFinding[] = NO_FINDINGS
  id = 0
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
  private readonly c = CANDIDATE
  // Where the last context word of each sort ended (set by `scan` when a stream carries them over).
  dobAt = FAR
  ssnAt = FAR
  bsnAt = FAR
  negAt = FAR
  phoneAt = FAR
  taxAt = FAR
  ibanRunEnd = -1
  runFrom = -1
  runTo = -1
  noPemEnd = false
  // Where the separators stop being the same as the first, and the first group after a slash, of the candidate.
  private uniformTo = 0
  private slashFrom = 0
  private ssn324 = false

  /** Sets the scanner to a new text, with no context word seen. */
  start(t: string, on: Enabled, out: RawFinding[]): void {
    this.t = t
    this.n = t.length
    this.on = on
    this.out = out
    this.id = ++passes
    this.lastCount = 0
    this.nextFrom = -1
    this.lastDigits = ''
    this.dobAt = FAR
    this.ssnAt = FAR
    this.bsnAt = FAR
    this.negAt = FAR
    this.phoneAt = FAR
    this.taxAt = FAR
    this.ibanRunEnd = -1
    this.runFrom = -1
    this.runTo = -1
    this.noPemEnd = false
    this.uniformTo = 0
    this.slashFrom = 0
    this.ssn324 = false
  }

  /** Lets go of the text and the findings (the scanner outlives the call; they must not). */
  finish(): void {
    this.t = ''
    this.out = NO_FINDINGS
    this.c.t = ''
    this.c.all = ''
    this.lastDigits = ''
  }

  run(): void {
    const t = this.t
    const n = this.n
    let i = 0
    while (i < n) {
      const c = t.charCodeAt(i)
      const k = CT[c] as number
      if ((k & WORD_LIKE) !== 0) {
        if ((k & ALNUM) !== 0 && this.boundary(i)) {
          i = (k & DIGIT) !== 0 ? this.number(i) : this.word(i)
        } else {
          i++
          while (i < n && ((CT[t.charCodeAt(i)] as number) & WORD_LIKE) !== 0) i++
        }
        continue
      }
      if (TRIGGERS[c] === 1) {
        const r = this.trigger(c, i)
        i = r > 0 ? r : i + 1
      } else i++
    }
  }

  /** The one family a trigger character can start: the end it reached, or 0. */
  private trigger(c: number, i: number): number {
    const t = this.t
    switch (c) {
      case 64: // @
        return urlCredentials(this, i) || email(this, i)
      case 43: // +
        return isDigit(t.charCodeAt(i + 1)) && this.on.phone && this.boundary(i) ? this.numberGroups(i, i + 1, true) : 0
      case 37: // %: `?phone=%2B4915112345678`, a `+` percent-encoded in a URL
        if (this.on.phone && t.charCodeAt(i + 1) === 50 && (t.charCodeAt(i + 2) | 32) === 98) {
          if (isDigit(t.charCodeAt(i + 3))) return this.numberGroups(i, i + 3, true)
        }
        return 0
      case 40: // (
        if (this.on.phone && isDigit(t.charCodeAt(i + 1))) {
          let d = i + 1
          while (d < this.n && d - i <= 6 && isDigit(t.charCodeAt(d))) d++
          if (t.charCodeAt(d) === 41) return this.numberGroups(i, i, false)
        }
        return 0
      case 58: // :
        if (t.charCodeAt(i + 1) !== 58 || !this.on.ip || (i > 0 && isHexColonDot(t.charCodeAt(i - 1)))) return 0
        if (i > 0 && wordLike(t.charCodeAt(i - 1))) {
          // `gggg:hhhh::1234`: a `::` glued to a word that is no hex group starts no address; skip the run.
          let j = i
          while (j < this.n && isHexColonDot(t.charCodeAt(j))) j++
          return j
        }
        return Math.abs(ipv6(this, i))
      case 45: // -
        return t.charCodeAt(i + 1) === 45 && this.on.private_key && t.startsWith('-----BEGIN ', i) ? pem(this, i) : 0
      default:
        return 0
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

  add(start: number, end: number, kind: DetectorKind, detector: string, confidence: number): void {
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

  near(at: number, start: number): boolean {
    return start >= at && start - at <= CONTEXT_WINDOW
  }

  // ---- numbers ----------------------------------------------------------------------------------------------------

  /** A run of digits at a boundary: an IPv6 address, an ISO timestamp, a NIF, a day and month name, or groups. */
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
    if (e - s <= 4 && (next === 58 || (cls(next) & (HEX | DIGIT)) === HEX) && this.on.ip) {
      let h = e
      while (h - s < 5 && (cls(t.charCodeAt(h)) & HEX) !== 0) h++
      if (h - s <= 4 && t.charCodeAt(h) === 58) {
        const r = ipv6(this, s)
        if (r !== 0) return Math.abs(r)
      }
    }
    const len = e - s
    if (len === 4 && next === 45 && !this.near(this.dobAt, s)) {
      const r = isoTimestampEnd(t, s)
      if (r > 0) return r
    }
    if ((cls(next) & LETTER) !== 0 || (next === 45 && (cls(t.charCodeAt(e + 1)) & LETTER) !== 0)) {
      const r = nifAfterDigits(this, s, e, next === 45 ? e + 1 : e)
      if (r > 0) return r
      if (len <= 2 && this.on.dob && this.near(this.dobAt, s)) {
        const r = dayMonthName(this, s, e)
        if (r > 0) return r
      }
      if (next === 45) return e
      e++
      while (e < n && wordLike(t.charCodeAt(e))) e++
      return e
    }
    if (next === 32 && (len === 7 || len === 8)) {
      // `12345678 Z`: a NIF whose check letter is written apart.
      const letterAt = checkLetterAt(t, e)
      const r = letterAt > 0 ? nifAfterDigits(this, s, e, letterAt) : 0
      if (r > 0) return r
    }
    if (len <= 2 && (next === 32 || next === 46) && this.on.dob && this.near(this.dobAt, s)) {
      const r = dayMonthName(this, s, e)
      if (r > 0) return r
    }
    return this.numberGroups(s, s, false, e)
  }

  /**
   * Reads digit groups (a group may be wrapped in parentheses) until 8 are held; returns how many. With `k > 0`
   * it continues after group `k - 1`, whose end is `j`. `digitsEnd`, when over `j`, is where the digits starting
   * at `j` end (the pass has read them already).
   */
  private groups(j: number, k: number, digitsEnd = -1): number {
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
      if (digitsEnd > j) j = digitsEnd
      else while (j < n && isDigit(t.charCodeAt(j))) j++
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

  /**
   * Reads the digit groups from `from` (whose digits end at `digitsEnd`, when the caller has read them) and offers
   * each reading, longest first, to the number detectors. Returns the end of what was found, or the end of the first
   * group (the next candidate starts at the second).
   */
  private numberGroups(start: number, from: number, plus: boolean, digitsEnd = -1): number {
    const t = this.t
    const { gs, gd, ge, sep } = this
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
    } else count = this.groups(from, 0, digitsEnd)
    this.lastCount = count
    this.nextFrom = count > 1 ? (gs[1] as number) - ((ge[1] as number) !== (gd[1] as number) ? 1 : 0) : -1
    if (count === 0) {
      this.lastDigits = ''
      return from + 1
    }
    if (fewerDigits(count)) {
      // `200`, `12.50`, `3 of 4`: no reading of fewer than four digits meets a detector; no candidate is made.
      this.lastDigits = digits
      return Math.max(start + 1, gd[0] as number)
    }
    const c = this.candidate(start, count, plus, digits)
    for (let k = count; k >= 1; k--) {
      const end = ge[k - 1] as number
      this.fill(c, k, end)
      const r = this.offer(c, end)
      if (r > 0) return this.found(c, r)
    }
    this.lastDigits = c.all
    return Math.max(start + 1, gd[0] as number)
  }

  /**
   * Offers the candidate to the detectors that may read a number followed by what follows it: an extension
   * (`x123`, ` ext. 12`, ` #204`) or a word joined by `-` or `/` (`-Office`) only to phones, a `:port` only to
   * addresses; nothing inside a word, a decimal, a UUID or a part number. Returns the end of a finding, or 0.
   */
  private offer(c: Candidate, end: number): number {
    if (c.nd < FEWEST_DIGITS) return 0
    const t = this.t
    const after = t.charCodeAt(end)
    const next = t.charCodeAt(end + 1)
    if (
      c.nd >= 8 &&
      (after === 120 || after === 88 || after === 101 || after === 69 || after === 32 || after === 35) &&
      this.on.phone
    ) {
      const ext = extensionEnd(t, end)
      if (ext > 0) {
        c.end = ext
        if (phone(this, c)) return ext
        c.end = end
      }
    }
    if (wordLike(after) || after === 64) return 0
    if (after === 46 && isDigit(next)) return 0
    if (after === 58 && isDigit(next)) return ipv4(this, c) ? end : 0
    if ((after === 45 || after === 47) && joinedWord(t, end + 1) && phone(this, c)) return end
    if (after === 45 && (cls(next) & ALNUM) !== 0) return 0 // inside a UUID or a part number
    const matchers = MATCHERS_BY_DIGITS[Math.min(c.nd, 20)] as readonly NumberMatcher[]
    for (let m = 0; m < matchers.length; m++) if ((matchers[m] as NumberMatcher)(this, c)) return end
    return 0
  }

  /** Sets the candidate to its first `k` groups, ending at `end`. */
  private fill(c: Candidate, k: number, end: number): true {
    c.k = k
    c.end = end
    c.nd = PS[k] as number
    c.uniform = k <= this.uniformTo
    c.slash = k >= this.slashFrom
    c.ssnShaped = k === 3 && this.ssn324
    return true
  }

  private found(c: Candidate, end: number): number {
    this.lastDigits = c.all
    return end
  }

  /** Fills the candidate's shape from the `count` groups just read: lengths, separators, context. */
  private candidate(start: number, count: number, plus: boolean, digits: string): Candidate {
    const { gs, gd, ge, sep } = this
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
    this.uniformTo = uniformTo
    this.slashFrom = slashFrom
    const c = this.c
    c.t = this.t
    c.all = digits
    c.start = start
    c.count = count
    c.plus = plus
    c.paren0 = ge[0] !== gd[0]
    c.plain = !plus && !c.paren0
    c.s1 = s1
    c.l0 = GL[0] as number
    c.l1 = GL[1] as number
    c.l2 = GL[2] as number
    c.badGroup = badGroup
    c.neg = (start >= this.negAt && start - this.negAt <= NEGATIVE_WINDOW) || start < this.ibanRunEnd
    this.ssn324 = c.plain && c.l0 === 3 && c.l1 === 2 && c.l2 === 4
    c.zeroFirst = this.t.charCodeAt(gs[0] as number) === 48
    c.trunkDigit = -1
    const b = this.t.charCodeAt(start - 1)
    c.afterGroupOfFour =
      (b === 32 || b === 45) &&
      isDigit(this.t.charCodeAt(start - 2)) &&
      isDigit(this.t.charCodeAt(start - 5)) &&
      !isDigit(this.t.charCodeAt(start - 6))
    if (plus && count >= 3 && GL[1] === 1 && ge[1] !== gd[1] && this.t.charCodeAt(gs[1] as number) === 48) {
      c.trunkDigit = GL[0] as number // `+44 (0)20 …`: the `(0)` is no digit of the number
    }
    return c
  }

  // ---- words ------------------------------------------------------------------------------------------------------

  /** A word starting with a letter: an IBAN, NINO, NIE, JWT, AWS key, an IPv6 address, or a context word. */
  private word(s: number): number {
    const t = this.t
    let e = s + 1
    while (((CT[t.charCodeAt(e) | 0] as number) & WORD) !== 0) e++
    const c1 = t.charCodeAt(s + 1)
    if (c1 < 128) {
      const code = e - s === 2 || isDigit(c1) || isDigit(t.charCodeAt(s + 2))
      const bits = (WORD_STARTS[t.charCodeAt(s) * 128 + c1] as number) & (code ? 255 : ANY_SHAPE)
      if (bits !== 0) {
        const matchers = WORD_LISTS[bits] as readonly WordMatcher[]
        for (let m = 0; m < matchers.length; m++) {
          const r = (matchers[m] as WordMatcher)(this, s, e)
          if (r > 0) return r
        }
      }
    }
    const after = t.charCodeAt(e)
    if (after === 58 && e - s <= 4 && this.on.ip) {
      let hex = true
      for (let j = s; j < e; j++) if ((cls(t.charCodeAt(j)) & HEX) === 0) hex = false
      if (hex) {
        const r = ipv6(this, s)
        if (r !== 0) return Math.abs(r)
      }
    }
    if (contextShaped(t, s, e)) {
      const h = wordHash(t, s, e)
      if ((CONTEXT_FILTER[h & 4095] === 1 && CONTEXT_HASHES.has(h)) || (after === 45 && HYPHEN_HASHES.has(h)))
        return this.context(s, e, h)
    }
    // `GITHUB_TOKEN=`, `"clientSecret":`: only a word before `=`, `:` or `"` can name a secret.
    if ((after === 61 || after === 58 || after === 34) && this.on.secret && secretKeyBySuffix(t, s, e))
      return keyValue(this, s, e, Ctx.SecretKey)
    return e
  }

  /** A context word (`born`, `ssn`, `order`, `password`, `Authorization`, …), with hyphenated parts: its effect. */
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
    switch (ctx) {
      case undefined:
        return e
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
      case Ctx.Phone:
        this.phoneAt = end
        return end
      case Ctx.TaxId:
        this.taxAt = end
        return end
      case Ctx.Month:
        if (this.on.dob && this.near(this.dobAt, s)) {
          const r = monthFirst(this, s, end)
          if (r > 0) return r
        }
        return end
      case Ctx.Bearer:
        return bearer(this, end)
      default:
        return keyValue(this, s, end, ctx)
    }
  }
}

const NOTHING = {} as Enabled
const NO_FINDINGS: RawFinding[] = []
const SCANNER = new Scanner()
