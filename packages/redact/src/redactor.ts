import type { Transform } from 'node:stream'
import { expected, resolveLogger, type TextRedactor } from '@fieldkit/core'
import { ACTIONS, type Action, replacement } from './actions'
import type { Engine, Finding, RedactorOptions } from './engine'
import { RedactError } from './errors'
import { type KeyPath, parseKeyPath } from './key-paths'
import { type DetectorKind, KINDS, type Kind } from './kinds'
import { redactValue } from './object'
import { type Enabled, type RawFinding, type ScanContext, scan, secretKindOfKey } from './scanner'
import { createRedactStream, type RedactStreamOptions } from './stream'

export type { Finding, RedactorOptions } from './engine'

/** A configured redactor: strings, deep objects, streams. It also fits `TextRedactor` from `@fieldkit/core`. */
export interface Redactor extends TextRedactor {
  /** Finds and replaces values in a string. */
  redactString(text: string): { text: string; findings: Finding[] }
  /** Returns a redacted deep copy (the input is never mutated) and the findings with their paths. */
  redactObject<T>(value: T): { value: T; findings: Finding[] }
  /** A Transform of text: a value split across chunks is still found. Findings are emitted as `finding` events. */
  redactStream(options?: RedactStreamOptions): Transform
}

const DEFAULT_MIN_CONFIDENCE = 0.3

/**
 * Creates a redactor: detectors with checksums for personal data and secrets, actions per kind, key paths for
 * objects, allow and deny lists.
 *
 * @example
 * ```ts
 * const redactor = createRedactor({ actions: { card: 'mask', email: 'hash' }, secret: process.env.REDACT_KEY })
 * redactor.redactString('card 4111 1111 1111 1111 from ann@example.com').text
 * // 'card **** **** **** 1111 from [EMAIL:9c1f…]'
 * ```
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const engine = buildEngine(options)
  const log = resolveLogger(options.logger, 'redact')
  const redactor: Redactor = {
    redactString(text: string) {
      const findings: Finding[] = []
      const out = engine.text(text, findings, undefined)
      if (findings.length > 0) log.debug({ findings: findings.length }, 'redacted string')
      return { text: out, findings }
    },
    redactObject<T>(value: T) {
      const findings: Finding[] = []
      const out = redactValue(engine, value, findings, undefined)
      if (findings.length > 0) log.debug({ findings: findings.length }, 'redacted object')
      return { value: out as T, findings }
    },
    redactStream(streamOptions?: RedactStreamOptions) {
      return createRedactStream(engine, streamOptions)
    },
  }
  ENGINES.set(redactor, engine)
  return redactor
}

const ENGINES = new WeakMap<object, Engine>()

/** The engine behind a redactor made by {@link createRedactor}. */
export function engineOf(redactor: Redactor): Engine {
  const engine = ENGINES.get(redactor)
  if (engine === undefined) {
    throw new RedactError({
      code: 'FK_REDACT_INVALID_OPTION',
      message: '[fieldkit/redact] Expected a redactor made by createRedactor()',
      hint: 'Pass the object createRedactor() returned, not a copy or a hand-made redactor',
    })
  }
  return engine
}

function invalid(message: string): RedactError {
  return new RedactError({
    code: 'FK_REDACT_INVALID_OPTION',
    message: `[fieldkit/redact] ${message}`,
    hint: 'Check the options passed to createRedactor(); the README lists each one with its type',
  })
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: not yet split (issue 20 point 8, open)
function buildEngine(options: RedactorOptions): Engine {
  const on = Object.fromEntries(KINDS.map((k) => [k, options.detectors === undefined])) as Record<DetectorKind, boolean>
  if (options.detectors !== undefined) {
    if (!Array.isArray(options.detectors)) throw invalid(expected('detectors', 'an array of kinds', options.detectors))
    for (const d of options.detectors as readonly DetectorKind[]) {
      if (!(KINDS as readonly string[]).includes(d))
        throw invalid(expected('detectors', `kinds among ${KINDS.join(', ')}`, d))
      on[d] = true
    }
  }
  const anyDetector = Object.values(on).some(Boolean)
  const actions: Partial<Record<Kind | 'default', Action>> = { ...options.actions }
  for (const [kind, action] of Object.entries(actions)) {
    if (kind !== 'default' && kind !== 'denied' && kind !== 'key' && !(KINDS as readonly string[]).includes(kind)) {
      throw invalid(expected('actions', 'keyed by kinds or "default"', kind))
    }
    if (!ACTIONS.includes(action as Action))
      throw invalid(expected(`actions.${kind}`, `one of ${ACTIONS.join(', ')}`, action))
  }
  const defaultAction = actions.default ?? 'redact'
  const actionOf = (kind: Kind): Action => actions[kind] ?? defaultAction
  const usesSecret = Object.values(actions).some((a) => a === 'hash' || a === 'tokenise')
  let secret: Uint8Array | undefined
  if (options.secret !== undefined) {
    secret = typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : options.secret
    if (!(secret instanceof Uint8Array) || secret.length < 16) {
      throw new RedactError({
        code: 'FK_REDACT_SECRET_REQUIRED',
        message: `[fieldkit/redact] Expected \`secret\` to be a string or bytes of at least 16 bytes, got ${secret instanceof Uint8Array ? `${secret.length} bytes` : typeof options.secret}`,
        hint: 'Use 32 random bytes kept in your secret store (openssl rand -base64 32); the README explains how to choose it',
      })
    }
  } else if (usesSecret) {
    throw new RedactError({
      code: 'FK_REDACT_SECRET_REQUIRED',
      message: '[fieldkit/redact] The `hash` and `tokenise` actions need a `secret`, and none was given',
      hint: 'Pass `secret` (32 random bytes from your secret store) or choose `redact` or `mask` for those kinds',
    })
  }
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE
  if (typeof minConfidence !== 'number' || !(minConfidence >= 0 && minConfidence <= 1)) {
    throw invalid(expected('minConfidence', 'a number from 0 to 1', minConfidence))
  }
  const keyPaths: KeyPath[] = []
  for (const k of options.keys ?? []) {
    const parsed = typeof k === 'string' ? parseKeyPath(k) : undefined
    if (parsed === undefined) throw invalid(expected('keys', 'paths like "user.password" or "**.token"', k))
    keyPaths.push(parsed)
  }
  const allowStrings = new Set<string>()
  const allowPatterns: RegExp[] = []
  const denyStrings: string[] = []
  const denyPatterns: RegExp[] = []
  for (const [name, list, strings, patterns] of [
    ['allow', options.allow, allowStrings, allowPatterns],
    ['deny', options.deny, denyStrings, denyPatterns],
  ] as const) {
    for (const entry of list ?? []) {
      if (typeof entry === 'string' && entry !== '') {
        if (strings instanceof Set) strings.add(entry)
        else strings.push(entry)
      } else if (entry instanceof RegExp) {
        patterns.push(new RegExp(entry.source, entry.flags.replace(/[gy]/g, '') + (name === 'deny' ? 'g' : '')))
      } else throw invalid(expected(name, 'a list of non-empty strings or RegExps', entry))
    }
  }
  const hasAllow = allowStrings.size > 0 || allowPatterns.length > 0
  const hasDeny = denyStrings.length > 0 || denyPatterns.length > 0

  const spans = (text: string, context?: ScanContext): RawFinding[] => {
    const raw: RawFinding[] = []
    if (anyDetector) scan(text, on as Enabled, raw, context)
    if (hasDeny) addDenied(text, raw, denyStrings, denyPatterns)
    return raw
  }

  const engine: Engine = {
    options,
    keyPaths,
    keyAction: actionOf('key'),
    scansValues: anyDetector || hasDeny,
    spans,
    text(text, out, path, context) {
      const raw = spans(text, context)
      if (raw.length === 0) return text
      let result = ''
      let last = 0
      for (const f of raw) {
        if (f.confidence < minConfidence) continue
        const action = actionOf(f.kind)
        // `redact` and `drop` never read the value: it is cut out only to be allowed, masked, hashed or tokenised.
        const value = hasAllow || (action !== 'redact' && action !== 'drop') ? text.slice(f.start, f.end) : ''
        if (hasAllow && (allowStrings.has(value) || allowPatterns.some((p) => p.test(value)))) continue
        result += text.slice(last, f.start) + replacement(action, f.kind, value, secret)
        last = f.end
        if (out !== undefined) {
          const finding: Finding = {
            kind: f.kind,
            offset: f.start,
            length: f.end - f.start,
            detector: f.detector,
            confidence: f.confidence,
          }
          if (path !== undefined) finding.path = path.join('.')
          out.push(finding)
        }
      }
      return last === 0 ? text : result + text.slice(last)
    },
    keyReplacement(value) {
      return replacement(actionOf('key'), 'key', value, secret)
    },
    secretUnderKey(key, value) {
      const kind = secretKindOfKey(key)
      if (kind === undefined || !on[kind] || value === '' || value.startsWith('[')) return undefined
      return { kind, text: replacement(actionOf(kind), kind, value, secret) }
    },
  }
  return engine
}

function addDenied(text: string, raw: RawFinding[], strings: readonly string[], patterns: readonly RegExp[]): void {
  const denied: RawFinding[] = []
  for (const s of strings) {
    for (let at = text.indexOf(s); at >= 0; at = text.indexOf(s, at + s.length)) {
      denied.push({ start: at, end: at + s.length, kind: 'denied', detector: 'deny-list', confidence: 1 })
    }
  }
  for (const p of patterns) {
    p.lastIndex = 0
    for (let m = p.exec(text); m !== null; m = p.exec(text)) {
      if (m[0] === '') {
        p.lastIndex++
        continue
      }
      denied.push({ start: m.index, end: m.index + m[0].length, kind: 'denied', detector: 'deny-list', confidence: 1 })
    }
  }
  if (denied.length === 0) return
  const all = [...raw, ...denied].sort((a, b) => a.start - b.start || b.end - a.end)
  raw.length = 0
  for (const f of all) {
    const last = raw[raw.length - 1]
    if (last !== undefined && f.start < last.end) {
      if (f.end > last.end) last.end = f.end
      continue
    }
    raw.push({ ...f })
  }
}
