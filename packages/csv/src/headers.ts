/** The form header names are normalised to. */
export type HeaderCase = 'snake' | 'camel' | 'kebab' | 'lower' | 'keep'

/** How header names become row keys. */
export interface HeaderOptions {
  /** `snake` (default): `Email Address` → `email_address`; `camel` → `emailAddress`; `keep` only trims. */
  case?: HeaderCase
  /** Other names a column goes by: `{ email: ['E-mail', 'Email Address'] }`; compared after normalisation. */
  aliases?: Record<string, readonly string[]>
  /** Columns that must be present; defaults to the schema's required keys. */
  required?: readonly string[]
  /**
   * Where the header row is: `auto` (default) decides from evidence and the report says why
   * (`dialect.hasHeader`, `dialect.headerReason`); a 1-based line number; `none` (columns are `column_1`…); or the
   * column names, for a file without a header row.
   */
  row?: 'auto' | 'none' | number | readonly string[]
}

/** What became of one header cell. */
export interface HeaderMapping {
  /** 0-based column position. */
  index: number
  /** As written in the file. */
  original: string
  /** The row key. */
  key: string
  /** An alias matched. */
  alias?: string
  /** The name was seen before; the key got a `_2`, `_3`… suffix. */
  duplicateOf?: string
}

/** Splits words, drops accents and punctuation, and joins them in the chosen case. */
export function normalizeHeader(name: string, form: HeaderCase): string {
  const trimmed = name.trim().replace(/\s+/g, ' ')
  if (form === 'keep') return trimmed
  const words = trimmed
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
  if (form === 'camel') return words.map((w, i) => (i === 0 ? w : w[0]?.toUpperCase() + w.slice(1))).join('')
  if (form === 'kebab') return words.join('-')
  if (form === 'lower') return words.join(' ')
  return words.join('_')
}

/** Maps header cells to row keys: normalised, aliased, and made unique. */
export function mapHeaders(cells: readonly string[], options: HeaderOptions): HeaderMapping[] {
  const form = options.case ?? 'snake'
  const aliasTo = new Map<string, string>()
  for (const [key, names] of Object.entries(options.aliases ?? {})) {
    aliasTo.set(normalizeHeader(key, form), key)
    for (const n of names) aliasTo.set(normalizeHeader(n, form), key)
  }
  const seen = new Map<string, number>()
  return cells.map((original, index) => {
    let key = normalizeHeader(original, form)
    const mapping: HeaderMapping = { index, original, key }
    const aliased = aliasTo.get(key)
    if (aliased !== undefined) {
      if (aliased !== key) mapping.alias = original
      key = aliased
    }
    if (key === '')
      key = form === 'camel' ? `column${index + 1}` : form === 'kebab' ? `column-${index + 1}` : `column_${index + 1}`
    const n = seen.get(key) ?? 0
    seen.set(key, n + 1)
    if (n > 0) {
      mapping.duplicateOf = key
      let k = n + 1
      const sep = form === 'camel' ? '' : form === 'kebab' ? '-' : '_'
      while (seen.has(`${key}${sep}${k}`)) k++
      key = `${key}${sep}${k}`
      seen.set(key, 1)
    }
    mapping.key = key
    return mapping
  })
}

/** The existing names closest to `wanted` (edit distance), for "missing column" messages. */
export function nearest(wanted: string, names: readonly string[], limit = 3): string[] {
  return names
    .map((n) => ({ n, d: distance(wanted.toLowerCase(), n.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.ceil(wanted.length / 2)))
    .sort((a, b) => a.d - b.d)
    .slice(0, limit)
    .map((x) => x.n)
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length] as number
}
