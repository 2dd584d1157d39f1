import { type CsvEncoding, ENCODINGS, type EncodingGuess, WEAK_CONFIDENCE } from './encoding'
import { invalidOption } from './errors'
import { EscapeTokenizer } from './escape-tokenizer'
import { type CsvInput, openInput } from './input'
import { openText } from './source'
import { type RawRecord, Tokenizer } from './tokenizer'

/** Field delimiters the sniffer chooses among. */
export type CsvDelimiter = ',' | ';' | '\t' | '|'

/** Everything about a file's shape that is not its data; `sniffCsv` finds it, `normalizeCsv` reports it. */
export interface CsvDialect {
  encoding: CsvEncoding
  /** A byte order mark was present. */
  bom: boolean
  /** Why that encoding: `bom`, `valid-utf8`, `scored`, `zero-bytes`, `declared` or `text-input`. */
  encodingReason: EncodingGuess['reason']
  /** 0–1: how sure the encoding is; below 0.5 `warnings` says the guess is weak. */
  encodingConfidence: number
  /** Things a maintainer should check, in words (a weak encoding guess). */
  warnings: string[]
  delimiter: CsvDelimiter
  /** Quote character (`"`), or `''` for none. */
  quote: '"' | "'" | ''
  /** How a quote (or delimiter) inside a field is escaped: by doubling the quote, or with a backslash (`\\`). */
  escape: '"' | "'" | '' | '\\'
  /** The first line ending seen; CRLF, LF and CR are all read wherever they appear. */
  lineEnding: '\r\n' | '\n' | '\r'
  /** Records before the header row that are not blank (report titles, export dates). */
  preambleRecords: number
  /** 1-based physical line of the header row; 0 when the file has none. */
  headerLine: number
  /** Whether the table starts with a header row (`headers.row` decides, or the evidence when it is `auto`). */
  hasHeader: boolean
  /** Why there is (or is not) a header row, in words: the evidence `auto` used, or the option that said so. */
  headerReason: string
  /** Decimal separator seen in the numbers of the sample, if any. */
  decimal: ',' | '.' | undefined
  /** Fields in the header row. */
  columns: number
}

/** What `sniffCsv` returns: the dialect plus what it saw in the sample. */
export interface CsvSniffResult extends CsvDialect {
  /** Raw text of the preamble records. */
  preamble: string[]
  /** The header row's fields, as written in the file. */
  header: string[]
  /** Trailing summary/total lines found in the sample (only when the whole input fitted in it). */
  summaryLines: number[]
  /** Trailing footnote lines (one cell of prose, the rest empty) found in the sample (only when it is complete). */
  footerLines: number[]
  /** The sample covered the whole input. */
  complete: boolean
}

const DELIMITERS: CsvDelimiter[] = [',', ';', '\t', '|']
const SAMPLE_RECORDS = 400

/**
 * A trailing line whose first non-empty cell starts with one of these words is a totals line, not a row: English,
 * German, Dutch, French, Spanish, Portuguese, Italian, the Nordic languages, Polish, Czech, Greek and Russian
 * (the languages of the encodings the package reads).
 */
export const SUMMARY_WORDS =
  /^\s*(grand\s+total|sub-?total|totals?|sum|summe|gesamt(summe)?|zwischensumme|total\s+general|totaal|subtotaal|somme|sous-total|suma|subtotal|totale|totalt|summa|yhteensä|razem|suma\s+celkem|celkem|σύνολο|итого|всего|anzahl|count)(?=$|[\s:.;,])/iu

/** How the header row is declared: found from evidence (`auto`), a 1-based line number, none, or the column names. */
export type HeaderRow = 'auto' | 'none' | number | readonly string[]

export interface SniffOptions {
  encoding?: CsvEncoding | undefined
  delimiter?: CsvDelimiter | undefined
  quote?: '"' | "'" | '' | undefined
  /** The escape character: `\\` for a backslash, or the quote character (doubled quotes; the default). */
  escape?: '"' | "'" | '' | '\\' | undefined
  /** Where the header row is (default `auto`); see {@link HeaderRow}. */
  header?: HeaderRow | undefined
}

/** @internal Sniffs decoded head text. */
export function sniffText(
  head: string,
  complete: boolean,
  guess: EncodingGuess,
  options: SniffOptions = {},
): { dialect: CsvSniffResult; sample: RawRecord[] } {
  const quote = options.quote ?? quoteOf(head)
  const candidates = options.delimiter ? [options.delimiter] : DELIMITERS
  let best: Candidate | undefined
  for (const delimiter of candidates) {
    let c = score(head, complete, delimiter, quote === '' ? '"' : quote)
    if (options.escape === undefined && backslashes(head, delimiter, quote) >= 2) {
      // the file escapes with `\`: read that way, more records share one width
      const escaped = score(head, complete, delimiter, quote === '' ? '"' : quote, '\\')
      if (escaped.score > c.score) c = escaped
    } else if (options.escape === '\\') c = score(head, complete, delimiter, quote === '' ? '"' : quote, '\\')
    if (
      best === undefined ||
      c.score > best.score ||
      (c.score === best.score && c.fragments < best.fragments) ||
      // a delimiter that cuts quoted fields leaves quote characters inside unquoted ones
      (c.score === best.score && c.fragments === best.fragments && c.strays < best.strays) ||
      // as many consistent records either way (`4711\tMüller\t1.200,00` splits on the comma too): the wider table
      (c.score === best.score && c.fragments === best.fragments && c.strays === best.strays && c.width > best.width)
    )
      best = c
  }
  const c = best as Candidate
  const escapeChar = options.escape ?? (c.escaped ? '\\' : quote)
  const declared = options.header ?? 'auto'
  const startIndex =
    typeof declared === 'number'
      ? c.records.findIndex((r) => r.line >= declared && !isBlank(r))
      : findTableStart(c.records, c.width)
  const start = startIndex >= 0 ? (c.records[startIndex] as RawRecord) : undefined
  const decision = decideHeader(declared, start, c.records.slice(startIndex + 1), c.width)
  const header = decision.header ? start : undefined
  const preamble = c.records.slice(0, Math.max(0, startIndex)).filter((r) => !isBlank(r))
  const body = startIndex >= 0 ? c.records.slice(decision.header ? startIndex + 1 : startIndex) : []
  const { summaryLines, footerLines } = complete ? trailers(body, c.width) : { summaryLines: [], footerLines: [] }
  const firstEol = /\r\n|\n|\r/.exec(head)?.[0] ?? '\r\n'
  return {
    dialect: {
      encoding: guess.encoding,
      bom: guess.bom,
      encodingReason: guess.reason,
      encodingConfidence: guess.confidence,
      warnings:
        guess.confidence < WEAK_CONFIDENCE
          ? [
              `The encoding ${guess.encoding} is a weak guess (confidence ${guess.confidence}); if letters look wrong, pass \`encoding\``,
            ]
          : [],
      delimiter: c.delimiter,
      quote,
      escape: escapeChar,
      lineEnding: firstEol as CsvDialect['lineEnding'],
      preambleRecords: preamble.length,
      headerLine: header?.line ?? 0,
      hasHeader: decision.header,
      headerReason: decision.reason,
      decimal: decimalOf(body),
      columns: header?.fields.length ?? c.width,
      preamble: preamble.map((r) => r.raw),
      header: header?.fields ?? [],
      summaryLines,
      footerLines,
      complete,
    },
    sample: body,
  }
}

/** How often the sample has a backslash before the delimiter or the quote (`Seltsam\\, oder`, `\\"Pate\\"`). */
function backslashes(head: string, delimiter: string, quote: string): number {
  const q = quote === '' ? '"' : quote
  let seen = 0
  for (let i = head.indexOf('\\'); i >= 0 && seen < 2; i = head.indexOf('\\', i + 1)) {
    const next = head[i + 1]
    if (next === delimiter || next === q) seen++
  }
  return seen
}

/** The quote character the sample uses around fields: `"`, `'`, or none (`''`) when it shows neither. */
function quoteOf(head: string): '"' | "'" | '' {
  const around = (q: string) => {
    const e = q === '"' ? '"' : "'"
    const re = new RegExp(`(?:^|[,;\\t|])${e}[^${e}\\r\\n]+${e}(?=[,;\\t|]|\\r|\\n|$)`, 'gm')
    return (head.slice(0, 65536).match(re) ?? []).length
  }
  const dq = around('"')
  const sq = around("'")
  if (dq === 0 && sq === 0) return head.includes('"') ? '"' : ''
  // single quotes need more evidence: an apostrophe-quoted value or two (`'n'`) is data, not a dialect
  return sq >= 3 && sq > dq * 2 ? "'" : '"'
}

/**
 * Trailing totals and footnote lines of a complete sample. A totals line needs evidence: a totals word in its first
 * filled cell, or numbers that equal the sums of their columns. A footnote has one filled cell of prose (three
 * words or more) and the rest of its cells empty, as Excel pads it. Anything else at the end is a row.
 */
function trailers(body: RawRecord[], width: number): { summaryLines: number[]; footerLines: number[] } {
  const summaryLines: number[] = []
  const footerLines: number[] = []
  let end = body.length
  for (let i = body.length - 1; i >= 0; i--) {
    const r = body[i] as RawRecord
    if (isBlank(r) || isEmpty(r)) continue
    if (isFootnote(r, width)) footerLines.unshift(r.line)
    else if (isSummary(r, width)) summaryLines.unshift(r.line)
    else {
      end = i + 1
      break
    }
  }
  // numbers equal to the column sums above: only the trailing lines just checked can be such totals
  const rows = body.slice(0, end).filter((r) => !isBlank(r) && r.fields.length === width)
  for (let i = rows.length - 1; i >= Math.max(0, rows.length - 3) && rows.length > 2; i--) {
    const candidate = rows[i] as RawRecord
    if (!sumsAbove(candidate, rows.slice(0, i))) break
    summaryLines.unshift(candidate.line)
  }
  summaryLines.sort((a, b) => a - b)
  return { summaryLines, footerLines }
}

/** True when every number in `r` (at least one) equals the sum of its column in `above`, and its other cells are empty. */
function sumsAbove(r: RawRecord, above: RawRecord[]): boolean {
  let matched = 0
  let empty = 0
  for (let j = 0; j < r.fields.length; j++) {
    const v = plainNumber(r.fields[j] as string)
    if (v === undefined) {
      if ((r.fields[j] as string).trim() !== '') return false // a label that is not a totals word: a row
      empty++
      continue
    }
    let sum = 0
    for (const a of above) {
      const x = plainNumber(a.fields[j] as string)
      if (x === undefined) return false
      sum += x
    }
    if (Math.abs(sum - v) > 1e-6 * Math.max(1, Math.abs(v))) return false
    matched++
  }
  return matched > 0 && empty > 0 && above.length >= 2
}

function plainNumber(text: string): number | undefined {
  const t = text.trim()
  if (!/^-?\d+(?:[.,]\d+)?$/.test(t)) return undefined
  return Number(t.replace(',', '.'))
}

/** One filled cell of prose (three words or more) in a record at least three cells wide, the rest empty. */
export function isFootnote(r: RawRecord, width: number): boolean {
  const f = r.fields
  if (width < 3 || f.length < 3) return false
  let filled: string | undefined
  for (let i = 0; i < f.length; i++) {
    const v = f[i] as string
    if (isBlankCell(v)) continue
    if (filled !== undefined) return false
    filled = v.trim()
  }
  return filled !== undefined && /\p{L}/u.test(filled) && filled.split(/\s+/).length >= 3
}

/**
 * `cell.trim() === ''` without trimming the usual cell: one that starts with a printable ASCII character is not
 * blank (every character `trim()` removes is a control character, a space, or at U+00A0 and above).
 */
export function isBlankCell(cell: string): boolean {
  if (cell.length === 0) return true
  const c = cell.charCodeAt(0)
  if (c > 32 && c < 127) return false
  return cell.trim() === ''
}

function isEmpty(r: RawRecord): boolean {
  return r.fields.every((f) => f.trim() === '')
}

/**
 * The record that starts the table: the first one whose width holds for the records below it (from their lower
 * median to the widest, so ragged rows around it do not move it) and whose cells are filled (one empty cell tolerated
 * from four columns on). Excel pads a title line with delimiters (`Report – 03.11.2026;;;;`): as wide as the table,
 * but mostly empty, so it is not the start, however many padded lines follow it.
 */
function findTableStart(records: RawRecord[], width: number): number {
  const filled = (r: RawRecord) => r.fields.reduce((n, f) => (f.trim() === '' ? n : n + 1), 0)
  for (let i = 0; i < records.length && i < 200; i++) {
    const record = records[i] as RawRecord
    if (isBlank(record)) continue
    const w = record.fields.length
    if (w < 2 && width >= 2) continue
    if (filled(record) < w - (w >= 4 ? Math.max(1, Math.floor(w / 8)) : 0)) continue
    const below: number[] = []
    for (let j = i + 1; j < records.length && below.length < 21; j++) {
      const next = records[j] as RawRecord
      if (!isBlank(next) && !isEmpty(next)) below.push(next.fields.length)
    }
    if (below.length === 0) {
      if (records.slice(0, i).every((r) => isBlank(r) || r.fields.length < 2)) return i // a one-record table
      break // the last record cannot start a table that has rows above it: take the fallback below
    }
    below.sort((a, b) => a - b)
    // at least as wide as the lower median of the records below (narrower: a title or note), at most the widest
    const lo = below[Math.floor((below.length - 1) / 2)] as number
    const hi = below[below.length - 1] as number
    if (w >= lo && w <= hi) return i
    if (w === width && below.filter((x) => x === w).length * 2 >= below.length) return i
  }
  // nothing held for the records below it (mostly ragged rows): the first full record as wide as the commonest width
  const full = records.findIndex(
    (r) => !isBlank(r) && r.fields.length === width && filled(r) >= width - (width >= 4 ? 1 : 0),
  )
  return full >= 0 ? full : records.findIndex((r) => !isBlank(r) && r.fields.length === width)
}

/** A number as exports write them: sign, currency symbol or code, grouping, decimal, percent, parentheses. */
const NUMBER_CELL =
  /^[-+(]?(?:[$€£¥₹₽¢₩₺]\s?|[A-Z]{3}\s)?[-+]?\d[\d.,'\u00a0\u202f ]*%?\)?(?:\s?[$€£¥₹₽¢₩₺%]|\s[A-Z]{3}|\s?kr|\s?zł|\s?Kč)?$/u

type CellKind = 'empty' | 'number' | 'date' | 'code' | 'text'

function kindOf(cell: string): CellKind {
  const v = cell.trim()
  if (v === '') return 'empty'
  if (/^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.test(v)) return 'date'
  if (NUMBER_CELL.test(v)) return 'number'
  if (/^[A-Za-z]{0,4}[-_/]?\d[\dA-Za-z-]*$/.test(v) && /\d/.test(v)) return 'code'
  return 'text'
}

/**
 * Header row or data, from evidence: a first row whose cells type like the data below them (a number over numbers,
 * a date over dates, a code over codes) is data; distinct labels over typed columns are a header. With nothing
 * typed to compare, distinct labels are taken as a header, as most exports have one; a repeated value is data.
 */
function decideHeader(
  declared: HeaderRow,
  first: RawRecord | undefined,
  below: RawRecord[],
  width: number,
): { header: boolean; reason: string } {
  if (declared === 'none') return { header: false, reason: 'headers.row is "none"' }
  if (Array.isArray(declared)) return { header: false, reason: 'headers.row gives the column names' }
  if (typeof declared === 'number') return { header: true, reason: `headers.row is line ${declared}` }
  if (first === undefined)
    return { header: true, reason: 'no whole record in the sample; the first record is read as the header' }
  const rows = below.filter((r) => !isBlank(r) && r.fields.length === first.fields.length).slice(0, 50)
  const kinds = first.fields.map(kindOf)
  if (rows.length === 0) {
    const typed = kinds.findIndex((k) => k === 'number' || k === 'date')
    return typed >= 0
      ? { header: false, reason: `the only row has a ${kinds[typed]} in column ${typed + 1}; a header holds labels` }
      : { header: true, reason: 'the only row holds labels' }
  }
  const like: string[] = []
  const over: string[] = []
  for (let j = 0; j < first.fields.length; j++) {
    const column = columnKind(rows, j)
    if (column === 'text' || column === 'empty') continue
    const same = column !== 'code' || sameShape(first.fields[j] as string, rows, j)
    if (kinds[j] === column && same) like.push(`column ${j + 1} is a ${column} like the ${column}s below it`)
    else if (kinds[j] === 'text' || (kinds[j] === 'code' && column !== 'code'))
      over.push(`column ${j + 1} is a label over ${column}s`)
  }
  if (like.length > 0 && like.length >= over.length)
    return { header: false, reason: `the first row types like the data below it: ${like.slice(0, 2).join('; ')}` }
  if (over.length > 0)
    return { header: true, reason: `distinct labels over typed columns: ${over.slice(0, 2).join('; ')}` }
  const values = first.fields.map((f) => f.trim()).filter((f) => f !== '')
  if (new Set(values).size < values.length)
    return { header: false, reason: 'the first row repeats a value; labels are distinct' }
  if (kinds.some((k) => k === 'number' || k === 'date'))
    return { header: false, reason: 'the first row holds numbers or dates; a header holds labels' }
  void width
  return { header: true, reason: 'no typed column to compare; the first row is distinct labels, read as the header' }
}

/** A code is only like the codes below it when it has their shape: `E1001` over `E1002`, not `Q1` over `-3e-323`. */
function sameShape(cell: string, rows: RawRecord[], j: number): boolean {
  const shape = (v: string) =>
    v
      .trim()
      .replace(/[A-Za-z]/g, 'A')
      .replace(/\d/g, '9')
  const want = shape(cell)
  let same = 0
  for (const r of rows) if (shape(r.fields[j] ?? '') === want) same++
  return same >= rows.length * 0.8
}

/** A column's kind in the sample: the kind of at least 80% of its filled cells, else text. */
function columnKind(rows: RawRecord[], j: number): CellKind {
  const counts = { number: 0, date: 0, code: 0, text: 0 }
  let filled = 0
  for (const r of rows) {
    const k = kindOf(r.fields[j] ?? '')
    if (k === 'empty') continue
    filled++
    counts[k]++
  }
  if (filled === 0) return 'empty'
  for (const k of ['number', 'date', 'code'] as const) if (counts[k] >= filled * 0.8) return k
  return 'text'
}

interface Candidate {
  delimiter: CsvDelimiter
  records: RawRecord[]
  width: number
  score: number
  fragments: number
  /** Read with `\\` as the escape character. */
  escaped: boolean
  /** Fields with a quote character left in them (the delimiter cut a quoted field). */
  strays: number
}

function score(
  head: string,
  complete: boolean,
  delimiter: CsvDelimiter,
  quote: '"' | "'" | '',
  escapeChar?: '\\',
): Candidate {
  const options = { delimiter, quote, maxRecordSize: Number.POSITIVE_INFINITY }
  const tokenizer =
    escapeChar === undefined ? new Tokenizer(options) : new EscapeTokenizer({ ...options, escape: escapeChar })
  const records: RawRecord[] = []
  tokenizer.push(head, records)
  if (complete) tokenizer.end(records)
  if (records.length > SAMPLE_RECORDS) records.length = SAMPLE_RECORDS
  const widths = new Map<number, number>()
  for (const r of records) if (!isBlank(r)) widths.set(r.fields.length, (widths.get(r.fields.length) ?? 0) + 1)
  let width = 1
  let count = 0
  for (const [w, n] of widths) if (w > 1 && (n > count || (n === count && w > width))) [width, count] = [w, n]
  // A comma that splits decimals leaves digit-only fragments after a field ending in a digit.
  let fragments = 0
  if (delimiter === ',')
    for (const r of records)
      for (let i = 1; i < r.fields.length; i++)
        if (/^\d{1,2}$/.test(r.fields[i] as string) && /\d$/.test(r.fields[i - 1] as string)) fragments++
  let strays = 0
  if (quote !== '') for (const r of records) for (const f of r.fields) if (f.includes(quote)) strays++
  return { delimiter, records, width, score: count, fragments, escaped: escapeChar !== undefined, strays }
}

function isBlank(r: RawRecord): boolean {
  return r.blank
}

/** @internal A trailing record that reads as a total rather than a row. */
export function isSummary(r: RawRecord, _width: number): boolean {
  const fields = r.fields
  let first = fields[0] as string
  // the usual row starts with a digit or a lower-case letter no summary word starts with: no regex needed
  const c = first.charCodeAt(0)
  if (c >= 48 && c <= 57) return false
  if (first.trim() === '') first = fields.find((f) => f.trim() !== '') ?? ''
  return SUMMARY_WORDS.test(first)
}

function decimalOf(records: RawRecord[]): ',' | '.' | undefined {
  let comma = 0
  let dot = 0
  for (const r of records)
    for (const f of r.fields) {
      const v = f.trim()
      if (v.length > 24 || !/^[-+(]?[^\d\s]{0,3}\s?\d/.test(v)) continue
      if (
        /^[-+(]?\D{0,3}\s?\d{1,3}([.\s\u00a0\u202f']\d{3})*,\d+\)?\D{0,3}$/.test(v) &&
        !/^\D*\d{1,3},\d{3}\D*$/.test(v)
      )
        comma++
      else if (
        /^[-+(]?\D{0,3}\s?\d{1,3}([,\s\u00a0\u202f']\d{3})*\.\d+\)?\D{0,3}$/.test(v) &&
        !/^\D*\d{1,3}\.\d{3}\D*$/.test(v)
      )
        dot++
      else if (/^[-+]?\d+\.\d+$/.test(v) && !/^\d{1,3}\.\d{3}$/.test(v)) dot++
    }
  if (comma === 0 && dot === 0) return undefined
  return comma > dot ? ',' : '.'
}

/**
 * Reads the first 64 KiB of `input` and tells its encoding, BOM, delimiter, quote, line ending, preamble, header
 * row and decimal separator (and its summary lines when the whole input fits in that sample). A stream is
 * consumed by sniffing; pass the result as `dialect` to `normalizeCsv` with a fresh stream.
 *
 * @example
 * ```ts
 * const dialect = await sniffCsv('Report 03/04/2026\nname;amount\nAnna;1,50\n')
 * dialect.delimiter // ';'
 * dialect.preambleRecords // 1
 * dialect.decimal // ','
 * ```
 */
export async function sniffCsv(input: CsvInput, options: SniffOptions = {}): Promise<CsvSniffResult> {
  if (options.delimiter !== undefined && !DELIMITERS.includes(options.delimiter))
    throw invalidOption('delimiter', 'one of "," ";" "\\t" "|"', options.delimiter)
  if (options.encoding !== undefined && !ENCODINGS.includes(options.encoding))
    throw invalidOption('encoding', `one of ${ENCODINGS.join(', ')}`, options.encoding)
  const text = await openText(openInput(input), options.encoding)
  try {
    return sniffText(text.head, text.complete, text.guess, options).dialect
  } finally {
    await text.close()
  }
}
