// Contact: email addresses (internationalised too) and phone numbers (E.164, NANP, national forms).
import { ALNUM, cls, isDigit, LOCAL, wordLike } from '../chars'
import { nanpValid } from '../checksums'
import { internationalValid, noTrunkNationalValid, trunkNationalValid } from '../number-plans'
import type { NumberCandidate, NumberMatcher, Pass } from '../pass'

/**
 * A phone number, validated by the number plans of libphonenumber's metadata (`number-plans.ts`), in the forms
 * people write: E.164 after `+` (`+44 (0)20 7946 0018`: the `(0)` is no digit), NANP (`(898)666-3621`,
 * `898.666.3621`, `1-898-666-3621`: area code and exchange start with 2–9), national numbers with the trunk
 * prefix 0 (`0152 75868784`, `0711/9502144`, `0688137401`), and grouped national numbers of regions without one
 * (`650 090 232`, `93 583 38 42`).
 */
export const phone: NumberMatcher = (p: Pass, c: NumberCandidate): boolean => {
  if (!p.on.phone) return false
  const { k, nd } = c
  // One slash, after the area code of a national number: `0711/9502144`.
  if (c.slash && !(k === 2 && c.s1 === 47 && c.zeroFirst)) return false
  if (c.plus) {
    const d = c.trunkDigit < 0 ? c.digits() : c.digits().slice(0, c.trunkDigit) + c.digits().slice(c.trunkDigit + 1)
    return nd >= 8 && internationalValid(d) && added(p, c, 'phone-e164', 0.85)
  }
  if (c.plain && k === 1) return !c.neg && singleGroupPhone(p, c)
  const { l0, l1, l2 } = c
  if (k === 3 && l0 === 3 && l1 === 3 && l2 === 4 && (c.uniform || c.paren0) && nanpValid(c.digits())) {
    return added(p, c, 'phone-nanp', 0.75)
  }
  if (k === 4 && l0 === 1 && l1 === 3 && c.groupLength(3) === 4) {
    const d = c.digits()
    if (d.charCodeAt(0) === 49 && nanpValid(d.slice(1))) return added(p, c, 'phone-nanp', 0.75)
  }
  if (k === 1 || c.ssnShaped || c.neg || nd < 8) return false
  if (c.zeroFirst) {
    const d = c.digits()
    if (d.charCodeAt(1) === 48) return internationalValid(d.slice(2)) && added(p, c, 'phone-e164', 0.75)
    // The trunk 0 may stand alone before the groups (`0 831 17 10 74`).
    return (l0 >= 2 || k >= 3) && !cardLike(c) && trunkNationalValid(d) && added(p, c, 'phone-national', 0.65)
  }
  if (!c.uniform || c.s1 !== 32 || nd > 10 || !writtenAsNational(c)) return false
  return noTrunkNationalValid(c.digits()) && added(p, c, 'phone-national', 0.6)
}

/**
 * Groups of four digits, three or more of them read (a card's or an IBAN's digit groups, `0102 0000 0012 …`), or
 * two that continue a run of four-digit groups (`4119 0922 7716 9804` read from its second group): not a phone.
 */
function cardLike(c: NumberCandidate): boolean {
  if (c.count < 2 || (c.count < 3 && !c.afterGroupOfFour)) return false
  for (let g = 0; g < c.count; g++) if (c.groupLength(g) !== 4) return false
  return true
}

/** One group of digits: a Chinese mobile, a NANP number, a compact national number (`0688137401`), `0049…`. */
function singleGroupPhone(p: Pass, c: NumberCandidate): boolean {
  const nd = c.nd
  if (nd < 10 || nd > 14 || (nd > 11 && !c.zeroFirst)) return false
  const d = c.digits()
  if (nd === 11 && d.charCodeAt(0) === 49 && d.charCodeAt(1) >= 51) return added(p, c, 'phone-cn-mobile', 0.5)
  if (nd === 10 && nanpValid(d)) return added(p, c, 'phone-nanp', 0.5)
  if (!c.zeroFirst || nd < 10) return false
  if (d.charCodeAt(1) === 48) return internationalValid(d.slice(2)) && added(p, c, 'phone-e164', 0.6)
  return trunkNationalValid(d) && added(p, c, 'phone-national', 0.55)
}

/** Three or more groups of 2–4 digits (`650 090 232`, `93 583 38 42`, `55 1117 1024`), not all of four. */
function writtenAsNational(c: NumberCandidate): boolean {
  for (let g = 0; g < c.k; g++) {
    const len = c.groupLength(g)
    if (len < 2 || len > 4) return false
  }
  return c.k >= 3 && !cardLike(c)
}

/**
 * A bare number right after a key naming a phone (`"msisdn":"4915112345678"`, `phone=4915112345678`,
 * `tel: 0612345678`): valid as an international number without its `+`, or as a national one.
 */
export const phoneByKey: NumberMatcher = (p: Pass, c: NumberCandidate): boolean => {
  if (c.start - p.phoneAt > 4 || c.start < p.phoneAt || c.k !== 1 || !c.plain || c.nd < 8 || !p.on.phone) return false
  const d = c.digits()
  const valid = c.zeroFirst ? trunkNationalValid(d) || internationalValid(d.slice(2)) : internationalValid(d)
  return valid && added(p, c, 'phone-by-key', 0.8)
}

/**
 * The end of an extension written after a phone number at `end` (`x123`, ` x 123`, ` ext. 12`, `ext12`, ` #204`),
 * or 0.
 */
export function extensionEnd(t: string, end: number): number {
  let j = end
  if (t.charCodeAt(j) === 32) j++
  const c = t.charCodeAt(j) | 32
  if (c === 120) j++
  else if (c === 101 && (t.charCodeAt(j + 1) | 32) === 120 && (t.charCodeAt(j + 2) | 32) === 116) {
    j += 3
    if (t.charCodeAt(j) === 46) j++
  } else if (t.charCodeAt(j) === 35) j++
  else return 0
  if (t.charCodeAt(j) === 32) j++
  const ds = j
  while (j - ds < 7 && isDigit(t.charCodeAt(j))) j++
  if (j === ds || j - ds > 6 || wordLike(t.charCodeAt(j))) return 0
  return j
}

function added(p: Pass, c: NumberCandidate, detector: string, confidence: number): true {
  p.add(c.start, c.end, 'phone', detector, confidence)
  return true
}

/** An email address around the `@` at `a`. Returns its end, or `a + 1`. */
export function email(p: Pass, a: number): number {
  const t = p.t
  if (!p.on.email) return a + 1
  let s = a
  while (s > 0 && a - s < 64 && isLocalPart(t.charCodeAt(s - 1))) s--
  while (s < a && t.charCodeAt(s) === 46) s++
  if (s === a) return a + 1
  let j = a + 1
  let labels = 0
  let lastStart = j
  while (j - a <= 254) {
    const ls = j
    while (j < p.n && j - a <= 254 && (isAddressLetter(t.charCodeAt(j)) || t.charCodeAt(j) === 45)) j++
    if (j === ls) break
    labels++
    lastStart = ls
    if (t.charCodeAt(j) === 46 && isAddressLetter(t.charCodeAt(j + 1))) j++
    else break
  }
  if (labels < 2 || j - a > 254 || wordLike(t.charCodeAt(j))) return a + 1
  const tld = t.slice(lastStart, j)
  if (!(/^[A-Za-z]{2,63}$/.test(tld) || /^xn--[a-z0-9-]{2,59}$/i.test(tld) || /^\p{L}{2,63}$/u.test(tld))) return a + 1
  p.add(s, j, 'email', 'email', 0.95)
  return j
}

// Internationalised addresses (RFC 6531): non-ASCII letters may stand in the local part and the domain.
const isAddressLetter = (c: number): boolean => (c < 128 ? (cls(c) & ALNUM) !== 0 : wordLike(c))
const isLocalPart = (c: number): boolean => (c < 128 ? (cls(c) & (ALNUM | LOCAL)) !== 0 : wordLike(c))
