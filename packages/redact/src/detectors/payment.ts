// Payment: card numbers (13–19 digits, Luhn and issuer prefix) and IBANs (mod 97), as printed and as typed.
import { ALNUM, cls, DIGIT, isDigit, LETTER, wordLike } from '../chars'
import { cardIssuerValid, IBAN_LENGTHS, luhnValid } from '../checksums'
import type { NumberCandidate, NumberMatcher, Pass } from '../pass'

/** A payment card: 13–19 digits, plain or grouped by spaces or dashes in groups of 3–6, Luhn and issuer prefix. */
export const card: NumberMatcher = (p: Pass, c: NumberCandidate): boolean => {
  if (!c.plain || c.slash || c.nd < 13 || c.nd > 19 || !p.on.card) return false
  if (c.k !== 1 && !(c.uniform && (c.s1 === 32 || c.s1 === 45) && c.badGroup >= c.k - 1)) return false
  const d = c.digits()
  if (!luhnValid(d) || !cardIssuerValid(d)) return false
  p.add(c.start, c.end, 'card', 'card-luhn', 0.95)
  return true
}

/**
 * An IBAN at a word that starts with two capitals and two digits: compact, or in groups of four. Returns the end
 * of what was read (the IBAN, or a run of groups that is none and must not be read again), or 0.
 */
export function ibanAt(p: Pass, s: number, e: number): number {
  const t = p.t
  if (!(p.on.iban || p.on.phone) || e - s < 4) return 0
  if (!(cls(t.charCodeAt(s)) & LETTER && cls(t.charCodeAt(s + 1)) & LETTER)) return 0
  if (!(cls(t.charCodeAt(s + 2)) & DIGIT && cls(t.charCodeAt(s + 3)) & DIGIT)) return 0
  return Math.abs(iban(p, s, e))
}

/** IBAN length by country code, indexed by its two letters in any case (`(a - 97) * 26 + (b - 97)`); 0 for none. */
const IBAN_LENGTH_BY_CODE = new Uint8Array(26 * 26)
for (const [cc, len] of Object.entries(IBAN_LENGTHS)) {
  IBAN_LENGTH_BY_CODE[((cc.charCodeAt(0) | 32) - 97) * 26 + ((cc.charCodeAt(1) | 32) - 97)] = len
}

function iban(p: Pass, s: number, wordEnd: number): number {
  const t = p.t
  // Both are letters (ibanAt checked): no string is made for the many words that are no country code.
  const len = IBAN_LENGTH_BY_CODE[((t.charCodeAt(s) | 32) - 97) * 26 + ((t.charCodeAt(s + 1) | 32) - 97)] as number
  if (len === 0) return 0
  const first = wordEnd - s
  let end = wordEnd
  let sepc = -1 // the separator between groups, skipped when the characters are read
  if (first === len) {
    end = wordEnd
  } else if (first === 4) {
    sepc = t.charCodeAt(wordEnd)
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
      while (ge < p.n && ge - gs < 5 && (cls(t.charCodeAt(ge)) & ALNUM) !== 0) ge++
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
      p.ibanRunEnd = j
      return 0
    }
    if (wordLike(t.charCodeAt(j))) return -j
    end = j
  } else return 0
  if (wordLike(t.charCodeAt(end)) || !ibanValidAt(t, s, end, sepc)) return first === 4 ? -end : 0
  // With the IBAN detector off, an IBAN is still read whole, so that its digit groups are not taken for a phone.
  if (p.on.iban) p.add(s, end, 'iban', 'iban-mod97', 0.95)
  return end
}

/**
 * The IBAN written in `t[s, end)`, separators `sepc` left out, read once by char codes (no string is made): letters
 * and digits only; typed in lower case (`de89 3704 …`, `gb29 nwbk …`) it counts, a case mixed inside the account
 * part (`LV80 bANK …`, a mutation in Presidio's vectors) does not; mod 97 holds once upper-cased (ISO 13616: the
 * first four characters moved to the end, letters as 10–35).
 */
function ibanValidAt(t: string, s: number, end: number, sepc: number): boolean {
  let rem = 0
  let cases = 0 // bit UPPER: an upper-case letter in the account part; bit LOWER: a lower-case one
  for (let i = s + 4; i < end; i++) {
    const c = t.charCodeAt(i)
    if (c === sepc) continue
    const k = cls(c)
    if ((k & ALNUM) === 0) return false
    cases |= k
    rem = (k & DIGIT) !== 0 ? (rem * 10 + (c - 48)) % 97 : (rem * 100 + ((c & ~32) - 55)) % 97
  }
  if ((cases & LETTER) === LETTER) return false
  for (let i = s; i < s + 4; i++) {
    const c = t.charCodeAt(i)
    const k = cls(c)
    if ((k & ALNUM) === 0) return false
    rem = (k & DIGIT) !== 0 ? (rem * 10 + (c - 48)) % 97 : (rem * 100 + ((c & ~32) - 55)) % 97
  }
  return rem === 1
}
