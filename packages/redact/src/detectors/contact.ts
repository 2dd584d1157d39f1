// Contact: email addresses (internationalised too) and phone numbers (E.164, NANP, national forms).
import { ALNUM, cls, LOCAL, wordLike } from '../chars'
import { e164Valid, nanpValid } from '../checksums'
import type { NumberCandidate, NumberMatcher, Pass } from '../pass'

/** A phone number: E.164 after `+`, NANP (plain 10 digits, 3-3-4, `1 3 3 4`), national numbers starting with 0. */
export const phone: NumberMatcher = (p: Pass, c: NumberCandidate): boolean => {
  if (!p.on.phone || c.slash) return false
  const { start, end, k, nd } = c
  if (c.plain && k === 1) {
    if (c.neg) return false
    const d = c.digits()
    if (nd === 11 && d.charCodeAt(0) === 49 && d.charCodeAt(1) >= 51) {
      p.add(start, end, 'phone', 'phone-cn-mobile', 0.5)
      return true
    }
    if (nd === 10 && nanpValid(d)) {
      p.add(start, end, 'phone', 'phone-nanp', 0.5)
      return true
    }
    return false
  }
  if (c.plus) {
    if (nd < 8 || !e164Valid(c.digits())) return false
    p.add(start, end, 'phone', 'phone-e164', 0.85)
    return true
  }
  if (k === 1) return false
  const { l0, l1, l2 } = c
  if (k === 3 && l0 === 3 && l1 === 3 && l2 === 4 && (c.uniform || c.paren0) && nanpValid(c.digits())) {
    p.add(start, end, 'phone', 'phone-nanp', 0.75)
    return true
  }
  if (k === 4 && l0 === 1 && l1 === 3 && c.groupLength(3) === 4) {
    const d = c.digits()
    if (d.charCodeAt(0) === 49 && nanpValid(d.slice(1))) {
      p.add(start, end, 'phone', 'phone-nanp', 0.75)
      return true
    }
  }
  if (!c.zeroFirst || c.ssnShaped || c.neg || nd < 9) return false
  const d = c.digits()
  if (d.charCodeAt(1) === 48) {
    if (!e164Valid(d.slice(2))) return false
    p.add(start, end, 'phone', 'phone-e164', 0.75)
    return true
  }
  if (nd <= 11 && l0 >= 2) {
    p.add(start, end, 'phone', 'phone-national', 0.65)
    return true
  }
  return false
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
