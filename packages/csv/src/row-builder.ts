import type { ValueIssue } from './values'

/** What a compiled row builder needs to know about one column. */
export interface BuilderColumn {
  index: number
  key: string
  /** Reads a non-null cell; absent for text columns. Returns the value or a {@link ValueIssue}. */
  read: ((text: string) => unknown) | undefined
  /** The value for a null token: `null`, or `undefined` when the schema takes a missing key but not null. */
  nullValue: null | undefined
}

/** A failed cell: the column index and the issue. */
export interface CellIssue {
  index: number
  issue: ValueIssue
}

export type RowBuilder = (fields: string[], issues: CellIssue[]) => Record<string, unknown>

/**
 * Above this many columns the row builder is a plain loop. A compiled builder keeps one local per column, and V8
 * runs out of stack compiling a function with ~100,000 locals (150,000 columns threw an untyped RangeError);
 * well before that, compiling stops paying: V8 does not optimise functions that large, and a row that wide spends
 * its time in the tokenizer, not in building the object.
 */
export const COMPILED_COLUMNS_LIMIT = 1000

/**
 * Compiles the per-row work (trim, null tokens, typed reads, the object) into one function with the keys written
 * as literals, so every row gets the same object shape instead of a property-by-property dictionary build.
 * Files wider than {@link COMPILED_COLUMNS_LIMIT} columns, and keys a literal must not hold, get a plain loop.
 */
export function compileRowBuilder(columns: BuilderColumn[], trim: boolean, nullTokens: readonly string[]): RowBuilder {
  const isNull = nullMatcher(nullTokens)
  const unsafe = columns.some((c) => c.key === '__proto__' || c.key === 'constructor' || c.key === 'prototype')
  if (unsafe || columns.length > COMPILED_COLUMNS_LIMIT) return generic(columns, trim, isNull)
  const lines: string[] = ['let v, x']
  columns.forEach((c, i) => {
    lines.push(`v = f[${c.index}]`)
    if (trim)
      lines.push(
        'if (v.length > 0 && (v.charCodeAt(0) <= 32 || v.charCodeAt(v.length - 1) <= 32 || v.charCodeAt(0) === 160 || v.charCodeAt(v.length - 1) === 160)) v = v.trim()',
      )
    if (c.read === undefined) lines.push(`const c${i} = isNull(v) ? nulls[${i}] : v`)
    else
      lines.push(
        `let c${i}`,
        `if (isNull(v)) c${i} = nulls[${i}]`,
        `else { x = reads[${i}](v); if (x !== null && typeof x === 'object' && !(x instanceof Date)) issues.push({ index: ${i}, issue: x }); else c${i} = x }`,
      )
  })
  lines.push(`return { ${columns.map((c, i) => `${JSON.stringify(c.key)}: c${i}`).join(', ')} }`)
  const factory = new Function(
    'isNull',
    'nulls',
    'reads',
    `return function buildRow(f, issues) {\n${lines.join('\n')}\n}`,
  ) as (
    isNull: (v: string) => boolean,
    nulls: (null | undefined)[],
    reads: (((text: string) => unknown) | undefined)[],
  ) => RowBuilder
  return factory(
    isNull,
    columns.map((c) => c.nullValue),
    columns.map((c) => c.read),
  )
}

function generic(columns: BuilderColumn[], trim: boolean, isNull: (v: string) => boolean): RowBuilder {
  const unsafe = columns.some((c) => c.key === '__proto__')
  return (f, issues) => {
    // a plain object unless a key is `__proto__`, which only a null-prototype object holds as data
    const out: Record<string, unknown> = unsafe ? Object.create(null) : {}
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i] as BuilderColumn
      let v = f[c.index] as string
      if (trim) v = v.trim()
      if (isNull(v)) {
        out[c.key] = c.nullValue
        continue
      }
      const x = c.read === undefined ? v : c.read(v)
      if (x !== null && typeof x === 'object' && !(x instanceof Date)) issues.push({ index: i, issue: x as ValueIssue })
      else out[c.key] = x
    }
    return unsafe ? { ...out } : out
  }
}

/** A null-token test without lower-casing every short cell: the case variants of short tokens are precomputed. */
function nullMatcher(tokens: readonly string[]): (v: string) => boolean {
  const exact = new Set<string>()
  const lower = new Set<string>()
  let max = 0
  for (const t of tokens) {
    const token = t.trim()
    max = Math.max(max, token.length)
    if (token.length <= 6) for (const variant of caseVariants(token)) exact.add(variant)
    else lower.add(token.toLowerCase())
  }
  const empty = exact.has('')
  // the first characters the exact variants start with: most short cells (`40`, `GB`) are refused by one lookup
  // instead of hashing the string for the set
  const starts = new Uint8Array(128)
  let startsHigh = false
  for (const variant of exact)
    if (variant.length > 0) {
      const c = variant.charCodeAt(0)
      if (c < 128) starts[c] = 1
      else startsHigh = true
    }
  if (lower.size === 0)
    return (v) => {
      const n = v.length
      if (n === 0) return empty
      if (n > max) return false
      const c = v.charCodeAt(0)
      return (c < 128 ? starts[c] === 1 : startsHigh) && exact.has(v)
    }
  return (v) => v.length <= max && (v.length === 0 ? empty : exact.has(v) || lower.has(v.toLowerCase()))
}

function caseVariants(token: string): string[] {
  let out = ['']
  for (const ch of token) {
    const lo = ch.toLowerCase()
    const up = ch.toUpperCase()
    out = out.flatMap((p) => (lo === up ? [p + ch] : [p + lo, p + up]))
  }
  return out
}
