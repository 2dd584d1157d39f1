// Types the redactor, the object walker, the stream and the pino hooks share. This module imports only types from
// modules below it, and nothing imports it back in a loop: `redactor.ts` builds an `Engine`, `object.ts` and
// `stream.ts` use one, and neither of those imports `redactor.ts`.

import type { Logger } from '@fieldkit/core'
import type { Action } from './actions'
import type { KeyPath } from './key-paths'
import type { DetectorKind, Kind } from './kinds'
import type { RawFinding, ScanContext } from './scanner'

/** Options of {@link createRedactor}; every one is optional and checked once, when the redactor is created. */
export interface RedactorOptions {
  /** Detectors to run, by kind (default: all of them). `[]` runs none: only `keys` and `deny` apply. */
  detectors?: readonly DetectorKind[]
  /** Action per kind, and `default` for the rest (default `redact` everywhere). */
  actions?: Partial<Record<Kind | 'default', Action>>
  /** Key paths whose values are replaced whole in objects: `password`, `req.headers.authorization`, `*.token`, `**.secret`. */
  keys?: readonly string[]
  /** The HMAC key for `hash` and `tokenise` (at least 16 bytes); required when either action is used. */
  secret?: string | Uint8Array
  /** Values never redacted: exact strings (a support address, a test card) or regular expressions tested on the value. */
  allow?: readonly (string | RegExp)[]
  /** Values always redacted wherever they occur (kind `denied`): exact strings or regular expressions. */
  deny?: readonly (string | RegExp)[]
  /** Findings below this confidence are ignored (default 0.3; bare 9-digit SSNs score 0.4, grouped ones 0.85). */
  minConfidence?: number
  /** A pino logger for a debug line per call with counts by kind (never values); silent by default. */
  logger?: Logger
}

/**
 * What was found, without the value: its kind, where (`offset` in the string; `path` too inside an object),
 * its length, the detector and its confidence.
 */
export interface Finding {
  kind: Kind
  /** Dotted path of the value inside an object (`user.emails.0`); absent for plain strings. */
  path?: string
  /** Offset of the value in the string (in the string at `path` for objects); absent for a whole value under a key path. */
  offset?: number
  length: number
  detector: string
  confidence: number
}

/** Internal surface the object walker, the stream and the pino hooks use. */
export interface Engine {
  readonly options: RedactorOptions
  readonly keyPaths: readonly KeyPath[]
  readonly keyAction: Action
  /** False when no detector runs and nothing is denied: strings pass unchanged, only key paths apply. */
  readonly scansValues: boolean
  /**
   * Redacts a string; pushes findings (offsets in `text`) to `out` when given. A stream passes the `context`
   * words carried from its previous piece.
   */
  text(
    text: string,
    out: Finding[] | undefined,
    path: readonly (string | number)[] | undefined,
    context?: ScanContext,
  ): string
  /** Scans only, returning raw spans (for the stream's cut points); `context` is updated as by `text`. */
  spans(text: string, context?: ScanContext): RawFinding[]
  /** The replacement of a whole value under a key path. */
  keyReplacement(value: string): string
  /** For a string under a key that names a secret (`authorization`, `password`): its kind and replacement. */
  secretUnderKey(key: string, value: string): { kind: DetectorKind; text: string } | undefined
}
