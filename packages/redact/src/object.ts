import type { Engine, Finding } from './engine'
import { initialStates, NO_STATES, type States, step } from './key-paths'

const DROP = Symbol('drop')

interface Walk {
  readonly engine: Engine
  readonly findings: Finding[] | undefined
  readonly seen: Map<object, unknown>
  readonly path: (string | number)[]
  readonly skipTop: ReadonlySet<string> | undefined
  /** Return untouched subtrees as they are (no key path can match below and no value is scanned). */
  readonly share: boolean
}

/**
 * A redacted deep copy of `value`: strings scanned, values under key paths replaced whole, circular references
 * kept circular, Dates, Maps, Sets, Buffers, typed arrays, errors (with their `cause` chain) and class instances
 * (same prototype) copied. The input is never changed. Keys in `skipTop` are left out of the copy's first level
 * (their values are handled elsewhere, as pino's serialisers do for `req` and `res`).
 */
export function redactValue(
  engine: Engine,
  value: unknown,
  findings: Finding[] | undefined,
  skipTop: ReadonlySet<string> | undefined,
  under?: string,
  share = false,
): unknown {
  const path: (string | number)[] = []
  const walk: Walk = {
    engine,
    findings,
    seen: new Map(),
    path,
    skipTop,
    share: share && !engine.scansValues,
  }
  let states = engine.keyPaths.length > 0 ? initialStates(engine.keyPaths) : NO_STATES
  if (under !== undefined) {
    // The value sits under the top-level key `under` (a serialised `req`): key paths start from there.
    const { next, matched } = step(engine.keyPaths, states, under)
    if (matched) return replaceWhole(walk, value)
    states = next
  }
  const out = visit(walk, value, states, 0)
  return out === DROP ? undefined : out
}

const pathString = (path: readonly (string | number)[]): string => path.join('.')

function visit(w: Walk, value: unknown, states: States, depth: number): unknown {
  if (w.share && states.length === 0) return value
  switch (typeof value) {
    case 'string':
      return value.length === 0 ? value : w.engine.text(value, w.findings, w.findings && w.path)
    case 'number':
      // Card numbers and phone numbers do arrive as JSON numbers.
      if (Number.isInteger(value) && Math.abs(value) >= 1e8) {
        const s = String(value)
        const r = w.engine.text(s, w.findings, w.findings && w.path)
        return r === s ? value : r
      }
      return value
    case 'object':
      break
    default:
      return value
  }
  if (value === null) return value
  const obj = value as object
  const prior = w.seen.get(obj)
  if (prior !== undefined) return prior
  if (value instanceof Date) return new Date(value.getTime())
  if (value instanceof RegExp) return value
  if (Buffer.isBuffer(value)) {
    const text = value.toString('latin1')
    const r = w.engine.text(text, w.findings, w.findings && w.path)
    return r === text ? Buffer.from(value) : Buffer.from(r, 'latin1')
  }
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): unknown }).slice()
  if (Array.isArray(value)) {
    const copy: unknown[] = []
    w.seen.set(obj, copy)
    for (let i = 0; i < value.length; i++) {
      const v = child(w, String(i), i, value[i], states, depth)
      if (v !== DROP) copy.push(v)
    }
    return copy
  }
  if (value instanceof Map) {
    const copy = new Map()
    w.seen.set(obj, copy)
    for (const [k, v] of value) {
      const name = typeof k === 'string' ? k : safeString(k)
      const r = child(w, name, name, v, states, depth)
      if (r !== DROP) copy.set(k, r)
    }
    return copy
  }
  if (value instanceof Set) {
    const copy = new Set()
    w.seen.set(obj, copy)
    let i = 0
    for (const v of value) {
      const r = child(w, String(i), i, v, states, depth)
      if (r !== DROP) copy.add(r)
      i++
    }
    return copy
  }
  const copy = Object.create(Object.getPrototypeOf(obj)) as Record<string, unknown>
  w.seen.set(obj, copy)
  if (value instanceof Error) {
    // message, stack and cause are own but not enumerable: copy them explicitly.
    for (const key of ['name', 'message', 'stack', 'cause'] as const) {
      if (!Object.hasOwn(value, key)) continue
      const r = child(w, key, key, (value as unknown as Record<string, unknown>)[key], states, depth)
      if (r !== DROP)
        Object.defineProperty(copy, key, { value: r, writable: true, configurable: true, enumerable: false })
    }
  }
  const skip = depth === 0 ? w.skipTop : undefined
  for (const key of Object.keys(obj)) {
    if (skip?.has(key)) {
      setOwn(copy, key, (obj as Record<string, unknown>)[key])
      continue
    }
    const r = child(w, key, key, (obj as Record<string, unknown>)[key], states, depth)
    if (r !== DROP) setOwn(copy, key, r)
  }
  return copy
}

/** String(value), or `[object Object]` for what String() refuses (a null-prototype object, a throwing toString). */
function safeString(value: unknown): string {
  try {
    return String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/** Sets an own property; an own `__proto__` key (as JSON.parse makes) stays a key instead of setting the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
  else target[key] = value
}

function child(w: Walk, key: string, segment: string | number, value: unknown, states: States, depth: number): unknown {
  const { next, matched } = step(w.engine.keyPaths, states, key)
  w.path.push(segment)
  let out: unknown
  if (matched) out = replaceWhole(w, value)
  else {
    // A string under a key that names a secret (`password`, `authorization`) is replaced whole.
    const secret = typeof value === 'string' && w.engine.scansValues ? secretUnderKey(w, key, value) : undefined
    out = secret ?? visit(w, value, next, depth + 1)
  }
  w.path.pop()
  return out
}

function secretUnderKey(w: Walk, key: string, value: string): string | undefined {
  const hit = w.engine.secretUnderKey(key, value)
  if (hit === undefined) return undefined
  w.findings?.push({
    kind: hit.kind,
    path: pathString(w.path),
    offset: 0,
    length: value.length,
    detector: 'secret-key-name',
    confidence: 0.9,
  })
  return hit.text
}

function replaceWhole(w: Walk, value: unknown): unknown {
  if (value === undefined || value === null) return value
  if (w.engine.keyAction === 'drop') {
    w.findings?.push({ kind: 'key', path: pathString(w.path), length: 0, detector: 'key-path', confidence: 1 })
    return DROP
  }
  let text: string
  if (typeof value === 'string') text = value
  else if (Buffer.isBuffer(value)) text = value.toString('utf8')
  else {
    try {
      text = JSON.stringify(value) ?? safeString(value)
    } catch {
      text = safeString(value)
    }
  }
  w.findings?.push({ kind: 'key', path: pathString(w.path), length: text.length, detector: 'key-path', confidence: 1 })
  return w.engine.keyReplacement(text)
}
