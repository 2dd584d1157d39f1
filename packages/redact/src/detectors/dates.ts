// Dates of birth, near a context word (`born`, `DOB`, `geboren`, …): numeric (`05/01/1990`, `1990-05-01`), day and
// month name (`5 May 1990`), month name first (`May 5, 1990`). ISO timestamps away from such a word are skipped whole.
import { cls, isDigit, LETTER, wordLike } from '../chars'
import { monthNumber } from '../context-words'
import type { NumberCandidate, NumberMatcher, Pass } from '../pass'

/** A numeric date of three groups, not separated by spaces, near a date-of-birth word. */
export const numericDob: NumberMatcher = (p: Pass, c: NumberCandidate): boolean => {
  if (!c.plain || c.k !== 3 || !c.uniform || c.s1 === 32 || c.neg || !p.on.dob || !p.near(p.dobAt, c.start))
    return false
  const d = c.digits()
  const { l0, l1, l2 } = c
  if (!numericDate(l0, l1, l2, d.slice(0, l0), d.slice(l0, l0 + l1), d.slice(l0 + l1))) return false
  p.add(c.start, c.end, 'dob', 'date-of-birth', 0.8)
  return true
}

/** "5 May 1990", "5-MAY-2021": a day, a month name and a year, near a date-of-birth context word. */
export function dayMonthName(p: Pass, s: number, e: number): number {
  const t = p.t
  const day = Number(t.slice(s, e))
  const sepc = t.charCodeAt(e)
  if (day < 1 || day > 31 || !(sepc === 32 || sepc === 45 || sepc === 46 || sepc === 47)) return 0
  let j = e + 1
  const ms = j
  while (j < p.n && (cls(t.charCodeAt(j)) & LETTER) !== 0 && j - ms < 10) j++
  if (j - ms < 3 || monthNumber(t.slice(ms, j)) === 0) return 0
  if (t.charCodeAt(j) === 46) j++
  if (t.charCodeAt(j) !== sepc && !(sepc === 46 && t.charCodeAt(j) === 32)) return 0
  j++
  const ys = j
  while (j < p.n && isDigit(t.charCodeAt(j))) j++
  if ((j - ys !== 4 && j - ys !== 2) || wordLike(t.charCodeAt(j))) return 0
  p.add(s, j, 'dob', 'date-of-birth', 0.8)
  return j
}

/** "May-2021", "May 1990", "May 5, 1990" after a month name, near a date-of-birth context word. */
export function monthFirst(p: Pass, s: number, e: number): number {
  const t = p.t
  const sepc = t.charCodeAt(e)
  if (!(sepc === 32 || sepc === 45)) return 0
  let j = e + 1
  const ds = j
  while (j < p.n && isDigit(t.charCodeAt(j))) j++
  const len = j - ds
  if (len === 4 && !wordLike(t.charCodeAt(j))) {
    p.add(s, j, 'dob', 'date-of-birth', 0.7)
    return j
  }
  if (len < 1 || len > 2 || Number(t.slice(ds, j)) > 31) return 0
  if (t.charCodeAt(j) === 44) j++
  if (t.charCodeAt(j) !== 32 && t.charCodeAt(j) !== 45) return 0
  j++
  const ys = j
  while (j < p.n && isDigit(t.charCodeAt(j))) j++
  if (j - ys !== 4 || wordLike(t.charCodeAt(j))) return 0
  p.add(s, j, 'dob', 'date-of-birth', 0.8)
  return j
}

/**
 * The end of an ISO 8601 timestamp starting at `s` (`2024-05-01T00:00:01.234Z`, `2024-05-01 12:00:00+02:00`),
 * or 0. Log lines open with one; it is never personal data away from a date-of-birth word, so it is skipped whole.
 */
export function isoTimestampEnd(t: string, s: number): number {
  // Digits at 5, 6, 8, 9, 11, 12, 14, 15; `-` at 7; `T` or space at 10; `:` at 13.
  if (!isDigit(t.charCodeAt(s + 5)) || !isDigit(t.charCodeAt(s + 6)) || !isDigit(t.charCodeAt(s + 8))) return 0
  if (!isDigit(t.charCodeAt(s + 9)) || !isDigit(t.charCodeAt(s + 11)) || !isDigit(t.charCodeAt(s + 12))) return 0
  if (!isDigit(t.charCodeAt(s + 14)) || !isDigit(t.charCodeAt(s + 15))) return 0
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
