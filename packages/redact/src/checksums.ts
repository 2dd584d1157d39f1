// Checksums and format rules the detectors validate candidates with. Every function takes the candidate's
// characters without separators and runs in time linear in its (bounded) length.

/** True when the digit string passes the Luhn (mod 10) check. */
export function luhnValid(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

/**
 * True when the digits start with a prefix some card network issues at this length: Visa, Mastercard (51–55 and
 * 2221–2720), Mir, Amex, Diners, JCB, Discover, UnionPay, Maestro, RuPay, UATP.
 */
export function cardIssuerValid(digits: string): boolean {
  const n = digits.length
  if (n < 12 || n > 19) return false
  const d1 = digits.charCodeAt(0) - 48
  const d2 = Number(digits.slice(0, 2))
  const d4 = Number(digits.slice(0, 4))
  switch (d1) {
    case 1: // UATP, JCB's 15-digit 1800 range
      return n === 15
    case 2: // Mastercard 2-series (16–19), Mir, JCB's 15-digit 2131 range
      return (d4 >= 2221 && d4 <= 2720 && n >= 16) || (d4 >= 2200 && d4 <= 2204 && n >= 16) || (d4 === 2131 && n === 15)
    case 3:
      if (d2 === 34 || d2 === 37) return n === 15 // Amex
      if (d2 === 35) return d4 >= 3528 && d4 <= 3589 && n >= 16 // JCB
      return (d2 === 30 || d2 === 36 || d2 === 38 || d2 === 39) && n >= 14 // Diners
    case 4: // Visa (and Electron): 13 to 19
      return n >= 13
    case 5:
      if (d2 >= 51 && d2 <= 55) return n >= 16 // Mastercard, 16 to 19
      return n >= 12 // Maestro 50, 56–59
    case 6: // Discover, UnionPay, Maestro, RuPay, BCcard
      return n >= 12
    case 8: // RuPay 81, 82
      return (d2 === 81 || d2 === 82) && n === 16
    default:
      return false
  }
}

/** IBAN length per country (SWIFT IBAN registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HN: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
}

/** ISO 13616 mod-97 over an uppercase compact IBAN (country, check digits, BBAN); true when the remainder is 1. */
export function ibanChecksumValid(iban: string): boolean {
  let rem = 0
  const n = iban.length
  for (let k = 0; k < n; k++) {
    const c = iban.charCodeAt((k + 4) % n)
    if (c >= 48 && c <= 57) rem = (rem * 10 + (c - 48)) % 97
    else if (c >= 65 && c <= 90) rem = (rem * 100 + (c - 55)) % 97
    else return false
  }
  return rem === 1
}

/**
 * US SSN rules: area 000, 666 and 900–999, group 00 and serial 0000 are never issued; the Woolworth wallet number
 * (078-05-1120), the 219-09-9999 advertisement and the 123-45-6789 sample are refused too.
 */
export function ssnValid(area: number, group: number, serial: number): boolean {
  if (area === 0 || area === 666 || area >= 900 || group === 0 || serial === 0) return false
  if (area === 78 && group === 5 && serial === 1120) return false
  if (area === 219 && group === 9 && serial === 9999) return false
  if (area === 123 && group === 45 && serial === 6789) return false
  return true
}

const NINO_NEVER = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'])

/** UK National Insurance number prefix: no D, F, I, Q, U, V; no O second; BG, GB, NK, KN, TN, NT, ZZ unallocated. */
export function ninoPrefixValid(prefix: string): boolean {
  const a = prefix[0] ?? ''
  const b = prefix[1] ?? ''
  if ('DFIQUV'.includes(a) || 'DFIQUVO'.includes(b)) return false
  return !NINO_NEVER.has(prefix)
}

/**
 * German tax ID (Steuerliche Identifikationsnummer): 11 digits, no leading zero, ISO 7064 MOD 11,10 check digit,
 * and in the first ten digits at most one digit repeats, at most three times.
 */
export function deTaxIdValid(d: string): boolean {
  if (d.length !== 11 || d[0] === '0') return false
  const counts = new Array<number>(10).fill(0)
  for (let i = 0; i < 10; i++) counts[d.charCodeAt(i) - 48] = (counts[d.charCodeAt(i) - 48] ?? 0) + 1
  let repeated = 0
  for (const c of counts) {
    if (c > 3) return false
    if (c >= 2) repeated++
  }
  if (repeated > 1) return false
  let product = 10
  for (let i = 0; i < 10; i++) {
    let sum = (d.charCodeAt(i) - 48 + product) % 10
    if (sum === 0) sum = 10
    product = (sum * 2) % 11
  }
  let check = 11 - product
  if (check === 10) check = 0
  return check === d.charCodeAt(10) - 48
}

const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE'

/** Spanish DNI/NIF (7–8 digits) and NIE (X, Y or Z and 7 digits): the mod-23 control letter. */
export function esNifValid(body: string, letter: string): boolean {
  let n = body
  const first = body[0]
  if (first === 'X' || first === 'Y' || first === 'Z') n = String('XYZ'.indexOf(first)) + body.slice(1)
  return NIF_LETTERS[Number(n) % 23] === letter.toUpperCase()
}

/** Polish PESEL: weights 1-3-7-9, and the encoded birth date must exist (month offset by century). */
export function peselValid(d: string): boolean {
  if (d.length !== 11) return false
  const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
  let sum = 0
  for (let i = 0; i < 10; i++) sum += (d.charCodeAt(i) - 48) * (w[i] as number)
  if ((10 - (sum % 10)) % 10 !== d.charCodeAt(10) - 48) return false
  const month = Number(d.slice(2, 4)) % 20
  const day = Number(d.slice(4, 6))
  return month >= 1 && month <= 12 && day >= 1 && day <= 31
}

/** Dutch BSN: 9 digits, the "elfproef" (weights 9…2 and −1) divisible by 11, not all zero. */
export function nlBsnValid(d: string): boolean {
  if (d.length !== 9) return false
  let sum = 0
  for (let i = 0; i < 8; i++) sum += (d.charCodeAt(i) - 48) * (9 - i)
  sum -= d.charCodeAt(8) - 48
  return sum !== 0 && sum % 11 === 0
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]

/** Indian Aadhaar: 12 digits, first digit 2–9, Verhoeff check digit. */
export function aadhaarValid(d: string): boolean {
  if (d.length !== 12 || d[0] === '0' || d[0] === '1') return false
  let c = 0
  for (let i = 0; i < 12; i++) {
    const digit = d.charCodeAt(11 - i) - 48
    c = (VERHOEFF_D[c] as number[])[(VERHOEFF_P[i % 8] as number[])[digit] as number] as number
  }
  return c === 0
}

/** North American number (10 digits): area and exchange codes start with 2–9. */
export function nanpValid(d: string): boolean {
  return d.length === 10 && d.charCodeAt(0) >= 50 && d.charCodeAt(3) >= 50
}
