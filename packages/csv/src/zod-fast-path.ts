/**
 * A row check that answers "zod would accept this row and return this object" without calling zod, for the rows it
 * can prove that of, and otherwise answers `undefined` so the caller asks zod. Rows it refuses go through zod, so
 * quarantine reasons are zod's own; rows it accepts are exactly what zod returns.
 *
 * It is compiled only for a zod 4 object schema (strip mode, no object-level checks) whose every key is a column of
 * the file and whose every value schema is built from the pieces below, each re-stated from zod 4's core
 * (`v4/core/schemas.js`, `checks.js`):
 *
 * - `string` (`typeof v === 'string'`) with `regex`, `min`, `max`, `length` checks;
 * - `number` (a finite number) with `int()`/`z.int()` (a safe integer), `min`/`max`/`positive`/… (`>`, `>=`, `<`, `<=`);
 * - `boolean`; `date` (a `Date` whose time is not NaN) with `min`/`max`;
 * - `.nullable()` and `.optional()` around those.
 *
 * Anything else — `coerce`, transforms, refinements, defaults, catches, enums, string formats other than `regex`,
 * strict or loose objects, zod 3, valibot — gets no fast path: every row goes to the schema, as before.
 * A schema piece is recognised by its `_zod.traits` (the names of the constructors that built it), so a subclass
 * with behaviour of its own is not mistaken for a plain one. Length checks pass here only when both the UTF-16
 * length (zod 4.0) and the code-point length (later zod 4) pass, so the answer holds for either reading.
 */
export type ZodFastPath = (row: Record<string, unknown>) => Record<string, unknown> | undefined

const TYPE = ['$ZodType', 'ZodType', 'ZodMiniType']
const traitsOf = (kind: string, extra: string[] = []) =>
  new Set([...TYPE, `$Zod${kind}`, `Zod${kind}`, `ZodMini${kind}`, `_Zod${kind}`, ...extra])
const NUMBER_FORMAT = [
  '$ZodNumberFormat',
  'ZodNumberFormat',
  'ZodMiniNumberFormat',
  '$ZodCheckNumberFormat',
  '$ZodCheck',
]
const NODE_TRAITS: Record<string, Set<string>> = {
  string: traitsOf('String'),
  number: traitsOf('Number', NUMBER_FORMAT),
  boolean: traitsOf('Boolean'),
  date: traitsOf('Date'),
  nullable: traitsOf('Nullable'),
  optional: traitsOf('Optional'),
  object: traitsOf('Object', ['$ZodObjectJIT']),
}

/** Integer formats and their ranges (zod's NUMBER_FORMAT_RANGES); `float64` is every finite number. */
const INT_RANGES: Record<string, [number, number]> = {
  safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
}

interface ZodInternals {
  def: Record<string, unknown>
  traits?: Set<string>
  version?: { major?: number }
}

/** The compiled function's constants: patterns and bounds, referenced by index from the generated code. */
interface Constants {
  values: unknown[]
}

function internals(schema: unknown): ZodInternals | undefined {
  const z = (schema as { _zod?: ZodInternals } | null | undefined)?._zod
  return z !== undefined && typeof z.def === 'object' && z.def !== null && z.traits instanceof Set ? z : undefined
}

function only(traits: Set<string> | undefined, allowed: Set<string> | undefined): boolean {
  if (traits === undefined || allowed === undefined) return false
  for (const t of traits) if (!allowed.has(t)) return false
  return true
}

function constant(k: Constants, value: unknown): string {
  k.values.push(value)
  return `K[${k.values.length - 1}]`
}

/**
 * The code of one check on `v` (a value already of the node's type), or undefined for a check not re-stated here.
 * `node` says what the bounds of `greater_than`/`less_than` must be: numbers for a number node, dates for a date.
 */
function checkCode(check: unknown, node: 'string' | 'number' | 'date', k: Constants): string | undefined {
  const z = internals(check)
  if (z === undefined) return undefined
  const def = z.def
  const traits = z.traits as Set<string>
  const is = (name: string) => traits.has(name) && only(traits, new Set(['$ZodCheck', name]))
  if (node === 'string') {
    if (
      traits.has('$ZodCheckRegex') &&
      only(traits, new Set(['$ZodCheck', '$ZodCheckStringFormat', '$ZodCheckRegex']))
    ) {
      if (!(def.pattern instanceof RegExp)) return undefined
      const pattern = constant(k, def.pattern)
      return `(${pattern}.lastIndex = 0, ${pattern}.test(v))` // as zod runs it
    }
    const n = def.minimum ?? def.maximum ?? def.length
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return undefined
    // the UTF-16 length and the code-point length both pass (a code point is one or two UTF-16 units)
    if (is('$ZodCheckMaxLength')) return `v.length <= ${n}`
    if (is('$ZodCheckMinLength')) return `(v.length >= ${2 * n} || (v.length >= ${n} && codePoints(v) >= ${n}))`
    if (is('$ZodCheckLengthEquals')) return `(v.length === ${n} && codePoints(v) === ${n})`
    return undefined
  }
  if (node === 'number' && traits.has('$ZodCheckNumberFormat'))
    return only(traits, NODE_TRAITS.number) ? formatCode(def.format) : undefined
  const bound = def.value
  const bounded = node === 'number' ? typeof bound === 'number' : bound instanceof Date
  if (!bounded || typeof def.inclusive !== 'boolean') return undefined
  // the same comparison zod makes (a Date compares by its time)
  if (is('$ZodCheckGreaterThan')) return `v ${def.inclusive ? '>=' : '>'} ${constant(k, bound)}`
  if (is('$ZodCheckLessThan')) return `v ${def.inclusive ? '<=' : '<'} ${constant(k, bound)}`
  return undefined
}

/** `int()`, `z.int()`, `z.int32()`…: the number format's test, or undefined for a format not re-stated here. */
function formatCode(format: unknown): string | undefined {
  if (format === undefined || format === 'float64') return 'true'
  const range = INT_RANGES[format as string]
  return range === undefined ? undefined : `(Number.isInteger(v) && v >= ${range[0]} && v <= ${range[1]})`
}

/** The code of one value schema's test on `v`, or undefined when the schema has a piece not re-stated here. */
function nodeCode(schema: unknown, k: Constants, depth: number): string | undefined {
  const z = internals(schema)
  if (z === undefined || depth > 10) return undefined
  const def = z.def
  const type = def.type as string
  if (def.coerce === true || !only(z.traits, NODE_TRAITS[type])) return undefined
  const checks = (def.checks ?? []) as unknown[]
  if (!Array.isArray(checks)) return undefined
  if (type === 'nullable' || type === 'optional') {
    if (checks.length > 0) return undefined
    const inner = nodeCode(def.innerType, k, depth + 1)
    return inner === undefined ? undefined : `(v === ${type === 'nullable' ? 'null' : 'undefined'} || ${inner})`
  }
  const base =
    type === 'string'
      ? "typeof v === 'string'"
      : type === 'number'
        ? "typeof v === 'number' && v - v === 0"
        : type === 'boolean'
          ? "typeof v === 'boolean'"
          : type === 'date'
            ? 'v instanceof Date && v.getTime() === v.getTime()'
            : undefined
  if (base === undefined) return undefined
  const parts = [base]
  // z.int() is a number schema that is its own format check
  if (type === 'number' && z.traits?.has('$ZodCheckNumberFormat')) {
    const own = formatCode(def.format)
    if (own === undefined) return undefined
    parts.push(own)
  }
  for (const check of checks) {
    if (type === 'boolean') return undefined
    const code = checkCode(check, type as 'string' | 'number' | 'date', k)
    if (code === undefined) return undefined
    parts.push(code)
  }
  return `(${parts.join(' && ')})`
}

/** zod's code-point count (a high surrogate followed by a low one is one code point). */
function codePoints(s: string): number {
  let count = s.length
  for (let i = 0; i < s.length - 1; i++)
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--
      i++
    }
  return count
}

/**
 * Compiles the fast path for `schema` over rows whose keys are `rowKeys` (in the row objects' order), or returns
 * undefined when the schema has any piece the fast path does not re-state (then zod checks every row).
 *
 * @example
 * ```ts
 * const fast = compileZodFastPath(z.object({ id: z.string(), n: z.number().int() }), ['id', 'n'])
 * fast?.({ id: 'a', n: 1 }) // { id: 'a', n: 1 } — what zod returns
 * fast?.({ id: 'a', n: 1.5 }) // undefined — ask zod (which gives the issue)
 * ```
 */
export function compileZodFastPath(schema: unknown, rowKeys: readonly string[]): ZodFastPath | undefined {
  const root = internals(schema)
  if (root === undefined || root.version?.major !== 4) return undefined
  if ((schema as { '~standard'?: { vendor?: unknown } })['~standard']?.vendor !== 'zod') return undefined
  const def = root.def
  if (def.type !== 'object' || def.catchall !== undefined || !only(root.traits, NODE_TRAITS.object)) return undefined
  if (Array.isArray(def.checks) && def.checks.length > 0) return undefined
  const shape = def.shape as Record<string, unknown> | undefined
  if (typeof shape !== 'object' || shape === null || Object.getOwnPropertySymbols(shape).length > 0) return undefined
  const keys = Object.keys(shape)
  const present = new Set(rowKeys)
  if (keys.some((key) => key === '__proto__' || !present.has(key))) return undefined
  const k: Constants = { values: [] }
  const lines: string[] = ['let v']
  for (const key of keys) {
    const code = nodeCode(shape[key], k, 0)
    if (code === undefined) return undefined
    lines.push(`v = r[${JSON.stringify(key)}]`, `if (!${code}) return undefined`)
  }
  // zod returns a new object of the shape's keys in the shape's order: the row itself when it is exactly that
  const same = keys.length === rowKeys.length && keys.every((key, i) => key === rowKeys[i])
  lines.push(
    same
      ? 'return r'
      : `return { ${keys.map((key) => `${JSON.stringify(key)}: r[${JSON.stringify(key)}]`).join(', ')} }`,
  )
  const factory = new Function('K', 'codePoints', `return function zodFastPath(r) {\n${lines.join('\n')}\n}`) as (
    constants: unknown[],
    codePoints: (s: string) => number,
  ) => ZodFastPath
  return factory(k.values, codePoints)
}
