// National IDs: US SSN, UK NINO, Spanish NIF/NIE, Dutch BSN, Polish PESEL, German tax ID, Indian Aadhaar — each
// by its shape and its checksum or allocation rules.
import { cls, DIGIT, isDigit, LETTER, UPPER, wordLike } from '../chars'
import { aadhaarValid, deTaxIdValid, esNifValid, ninoPrefixValid, nlBsnValid, peselValid, ssnValid } from '../checksums'
import type { NumberCandidate, NumberMatcher, Pass } from '../pass'

const ssnOf = (d: string): boolean => ssnValid(Number(d.slice(0, 3)), Number(d.slice(3, 5)), Number(d.slice(5)))

/** A US SSN grouped 3-2-4 (`123-45-6789`, `123 45 6789`) with a valid area, group and serial. */
export const ssnGrouped: NumberMatcher = (p: Pass, c: NumberCandidate): boolean => {
  if (!c.ssnShaped || !c.uniform || c.slash || !p.on.us_ssn || !ssnOf(c.digits())) return false
  p.add(c.start, c.end, 'us_ssn', 'us-ssn', p.near(p.ssnAt, c.start) ? 0.95 : 0.85)
  return true
}

/**
 * An Aadhaar number: 12 digits, plain or 4-4-4, standing alone (no digit group before or after it: the first 12
 * digits of a Luhn-failing 16-digit card number are none), Verhoeff-valid, away from `order`/`invoice` words.
 */
export const aadhaar: NumberMatcher = (p: Pass, c: NumberCandidate): boolean => {
  if (!c.plain || c.slash || c.nd !== 12 || !p.on.in_aadhaar || c.neg) return false
  // One group of 12 may be followed by another value after a space (`aadhaar=… 2021-06-10T…`); groups of four may not.
  if ((c.k === 1 ? c.count !== 1 && c.s1 !== 32 : c.count !== c.k) || c.afterGroupOfFour) return false
  const shaped = c.k === 1 || (c.k === 3 && c.uniform && c.s1 !== 46 && c.l0 === 4 && c.l1 === 4)
  if (!shaped || !aadhaarValid(c.digits())) return false
  p.add(c.start, c.end, 'in_aadhaar', 'in-aadhaar-verhoeff', 0.7)
  return true
}

/** One group of 11 digits (PESEL, German tax ID) or 9 digits (BSN, bare SSN), by checksum and context word. */
export const singleGroupId: NumberMatcher = (p: Pass, c: NumberCandidate): boolean => {
  if (!c.plain || c.k !== 1 || c.neg || c.slash) return false
  const { start, end, nd } = c
  if (nd === 11) {
    const d = c.digits()
    if (p.on.de_tax_id && p.near(p.taxAt, start) && deTaxIdValid(d)) {
      p.add(start, end, 'de_tax_id', 'de-tax-id', 0.8)
      return true
    }
    if (p.on.pl_pesel && peselValid(d)) {
      p.add(start, end, 'pl_pesel', 'pl-pesel', 0.6)
      return true
    }
    if (p.on.de_tax_id && deTaxIdValid(d)) {
      p.add(start, end, 'de_tax_id', 'de-tax-id', 0.6)
      return true
    }
  } else if (nd === 9) {
    const d = c.digits()
    if (p.on.nl_bsn && nlBsnValid(d) && !p.near(p.ssnAt, start)) {
      p.add(start, end, 'nl_bsn', 'nl-bsn', p.near(p.bsnAt, start) ? 0.9 : 0.5)
      return true
    }
    if (p.on.us_ssn && ssnOf(d) && !p.near(p.bsnAt, start)) {
      p.add(start, end, 'us_ssn', 'us-ssn', p.near(p.ssnAt, start) ? 0.9 : 0.4)
      return true
    }
  }
  return false
}

/** A Spanish NIF: 7–8 digits and its check letter, right after the digits or after a hyphen. Returns its end or 0. */
export function nifAfterDigits(p: Pass, s: number, e: number, letterAt: number): number {
  const t = p.t
  const len = e - s
  if ((len !== 7 && len !== 8) || !p.on.es_nif || wordLike(t.charCodeAt(letterAt + 1))) return 0
  if (!esNifValid(t.slice(s, e), t.charAt(letterAt))) return 0
  p.add(s, letterAt + 1, 'es_nif', 'es-nif', 0.75)
  return letterAt + 1
}

/**
 * A Spanish NIE at a word: `X`, `Y` or `Z`, seven digits and the check letter, joined or after a hyphen or a space
 * (`Y8063915-Z`, `Y8063915 Z`). Returns its end or 0.
 */
export function nieAt(p: Pass, s: number, e: number): number {
  const t = p.t
  const c0 = t.charCodeAt(s) | 32
  if (!p.on.es_nif || c0 < 120 || c0 > 122) return 0
  let letterAt = s + 8
  if (e - s === 8) {
    letterAt = checkLetterAt(t, e)
    if (letterAt < 0) return 0
  } else if (e - s !== 9) return 0
  const body = t.slice(s, s + 8).toUpperCase()
  if (!/^[XYZ]\d{7}$/.test(body) || !esNifValid(body, t.charAt(letterAt))) return 0
  p.add(s, letterAt + 1, 'es_nif', 'es-nie', 0.75)
  return letterAt + 1
}

/** Where a NIF/NIE check letter written apart stands: after `-` (any case) or a space (a capital), alone; or -1. */
export function checkLetterAt(t: string, e: number): number {
  const sep = t.charCodeAt(e)
  const letter = t.charCodeAt(e + 1)
  if (wordLike(t.charCodeAt(e + 2))) return -1
  if (sep === 45 && (cls(letter) & LETTER) !== 0) return e + 1
  if (sep === 32 && (cls(letter) & UPPER) !== 0) return e + 1
  return -1
}

/** A UK National Insurance number at a word: two letters, three digit pairs, a suffix A–D. Returns its end or 0. */
export function ninoAt(p: Pass, s: number, e: number): number {
  const t = p.t
  const len = e - s
  if (!p.on.uk_nino || !(cls(t.charCodeAt(s + 1)) & LETTER) || len > 9) return 0
  if (!(len === 2 || cls(t.charCodeAt(s + 2)) & DIGIT)) return 0
  return nino(p, s)
}

function nino(p: Pass, s: number): number {
  const t = p.t
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
  p.add(s, j + 1, 'uk_nino', 'uk-nino', 0.8)
  return j + 1
}
