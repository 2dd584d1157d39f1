// What the single pass (`scanner.ts`) and the detector families (`detectors/*.ts`) share. This module imports only
// types, and no detector imports the scanner: the pass drives the families, never the other way round.
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

/**
 * Where the last context words (`born`, `ssn`, `bsn`, `order`, …) ended, relative to the start of the next text:
 * a stream carries them from one piece to the next, so a context word just before a cut still counts after it.
 */
export interface ScanContext {
  dobAt: number
  ssnAt: number
  bsnAt: number
  negAt: number
  /** A key or word naming a phone number (`msisdn`, `phone`, `tel`): a bare number right after it is read as one. */
  phoneAt: number
  /** A word naming a German tax ID (`Steuer-ID`, `IdNr`, `tax_id`). */
  taxAt: number
}

/** Far before any text: no context word seen. */
export const FAR = -1_000_000

/** No context word seen yet. */
export const noContext = (): ScanContext => ({
  dobAt: FAR,
  ssnAt: FAR,
  bsnAt: FAR,
  negAt: FAR,
  phoneAt: FAR,
  taxAt: FAR,
})

/** Characters a context word reaches forward (`born on 5 May 1990`). */
export const CONTEXT_WINDOW = 40

/** The state of one pass over one text, as the detectors see it. */
export interface Pass extends ScanContext {
  readonly t: string
  readonly n: number
  readonly on: Enabled
  /** Records a finding; an overlapping earlier one is kept if it is at least as long. */
  add(start: number, end: number, kind: DetectorKind, detector: string, confidence: number): void
  /** True when `start` lies within the context window after a context word that ended at `at`. */
  near(at: number, start: number): boolean
  /** Tells passes apart (state a family keeps between its calls belongs to one pass). */
  readonly id: number
  /** End of the last run of groups after an IBAN-like code that is not an IBAN (numbers before it: cards only). */
  ibanRunEnd: number
  /** The last unquoted value read after a key: `[runFrom, runTo)` holds no character that ends a value. */
  runFrom: number
  runTo: number
  /** No `-----END ` follows: a later PEM header reads its body only. */
  noPemEnd: boolean
}

/**
 * A number candidate as the number detectors see it: the first `k` of the digit groups the pass read, and their
 * shape. `digits()` reads the digits of those `k` groups only when a detector's shape fits.
 */
export interface NumberCandidate {
  /** Where the candidate starts (a `+`, a `(`, or its first digit) and where its `k`-th group ends. */
  start: number
  end: number
  /** Groups held by this reading, of `count` read; total digits of those `k`. */
  k: number
  count: number
  nd: number
  /** No `+` before it and no parenthesis around its first group. */
  plain: boolean
  /** Starts with `+`. */
  plus: boolean
  /** The first group is in parentheses: `(898)666-3621`. */
  paren0: boolean
  /** All separators up to group `k` are the first one. */
  uniform: boolean
  /** A `/` separates some group up to group `k`. */
  slash: boolean
  /** The separator before the second group (a char code; 41 for `)`). */
  s1: number
  /** Digits in the first three groups. */
  l0: number
  l1: number
  l2: number
  /** The first group that is not of card size (3–6 digits), or `count`. */
  badGroup: number
  /** A negative context word (`order`, `invoice`, …) stands just before, or the number is in a broken IBAN run. */
  neg: boolean
  /** Three groups, 3-2-4 like a US SSN. */
  ssnShaped: boolean
  /** The first digit is 0. */
  zeroFirst: boolean
  /** A group of four digits and a space or dash stand right before the candidate (it continues a card's groups). */
  afterGroupOfFour: boolean
  /** Index in `digits()` of a `(0)` group after the country code (`+44 (0)20 …`), or -1. */
  trunkDigit: number
  /** Digit count of group `g`. */
  groupLength(g: number): number
  /** The digits of the first `k` groups, without separators. */
  digits(): string
}

/** A detector of number candidates: adds a finding and returns true, or returns false. */
export type NumberMatcher = (p: Pass, c: NumberCandidate) => boolean
