import type { CsvEncoding, EncodingGuess } from './encoding'
import { invalidOption } from './errors'
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
  /** Why that encoding: `bom`, `valid-utf8`, `c1-bytes`, `latin1`, `zero-bytes`, `declared` or `text-input`. */
  encodingReason: EncodingGuess['reason']
  delimiter: CsvDelimiter
  /** Quote character (`"`), or `''` for none. */
  quote: '"' | "'" | ''
  /** Quotes inside quoted fields are escaped by doubling them. */
  escape: '"' | "'" | ''
  /** The first line ending seen; CRLF, LF and CR are all read wherever they appear. */
  lineEnding: '\r\n' | '\n' | '\r'
  /** Records before the header row that are not blank (report titles, export dates). */
  preambleRecords: number
  /** 1-based physical line of the header row. */
  headerLine: number
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
  /** The sample covered the whole input. */
  complete: boolean
}

const DELIMITERS: CsvDelimiter[] = [',', ';', '\t', '|']
const SAMPLE_RECORDS = 400

/** A trailing line whose first non-empty cell starts like this is a summary, not a row. */
export const SUMMARY_WORDS =
  /^\s*(grand\s+total|sub-?total|totals?|sum|summe|gesamt(summe)?|total\s+general|totaal|somme|anzahl|count|rows|records)\b/i

export interface SniffOptions {
  encoding?: CsvEncoding | undefined
  delimiter?: CsvDelimiter | undefined
  quote?: '"' | "'" | '' | undefined
}

/** @internal Sniffs decoded head text. */
export function sniffText(
  head: string,
  complete: boolean,
  guess: EncodingGuess,
  options: SniffOptions = {},
): { dialect: CsvSniffResult; sample: RawRecord[] } {
  const quote = options.quote ?? '"'
  const candidates = options.delimiter ? [options.delimiter] : DELIMITERS
  let best: Candidate | undefined
  for (const delimiter of candidates) {
    const c = score(head, complete, delimiter, quote)
    if (best === undefined || c.score > best.score || (c.score === best.score && c.fragments < best.fragments)) best = c
  }
  const c = best as Candidate
  const headerIndex = findHeader(c.records, c.width)
  const header = headerIndex >= 0 ? (c.records[headerIndex] as RawRecord) : undefined
  const preamble = c.records.slice(0, Math.max(0, headerIndex)).filter((r) => !isBlank(r))
  const body = headerIndex >= 0 ? c.records.slice(headerIndex + 1) : []
  const summaryLines: number[] = []
  if (complete) {
    for (let i = body.length - 1; i >= 0; i--) {
      const r = body[i] as RawRecord
      if (isBlank(r)) continue
      if (isSummary(r, c.width)) summaryLines.unshift(r.line)
      else break
    }
  }
  const firstEol = /\r\n|\n|\r/.exec(head)?.[0] ?? '\r\n'
  return {
    dialect: {
      encoding: guess.encoding,
      bom: guess.bom,
      encodingReason: guess.reason,
      delimiter: c.delimiter,
      quote,
      escape: quote,
      lineEnding: firstEol as CsvDialect['lineEnding'],
      preambleRecords: preamble.length,
      headerLine: header?.line ?? 1,
      decimal: decimalOf(body),
      columns: header?.fields.length ?? 0,
      preamble: preamble.map((r) => r.raw),
      header: header?.fields ?? [],
      summaryLines,
      complete,
    },
    sample: body,
  }
}

/**
 * The header row: the first record as wide as the data whose filled cells keep up with the rows below it. Excel
 * pads a title line with delimiters (`Report – 03.11.2026;;;;`), so a preamble can be as wide as the header; its
 * cells are mostly empty, a header's are not (one empty column name is tolerated).
 */
function findHeader(records: RawRecord[], width: number): number {
  const wide = (r: RawRecord | undefined): r is RawRecord => r !== undefined && !isBlank(r) && r.fields.length === width
  const filled = (r: RawRecord) => r.fields.reduce((n, f) => (f.trim() === '' ? n : n + 1), 0)
  for (let i = 0; i < records.length; i++) {
    const record = records[i]
    if (!wide(record)) continue
    const below: number[] = []
    for (let j = i + 1; j < records.length && below.length < 20; j++) {
      const next = records[j]
      if (wide(next)) below.push(filled(next))
    }
    if (below.length === 0) return i
    below.sort((a, b) => a - b)
    const typical = below[Math.floor(below.length / 2)] as number
    if (filled(record) >= Math.min(width, typical) - (width >= 4 ? 1 : 0)) return i
  }
  return records.findIndex(wide)
}

interface Candidate {
  delimiter: CsvDelimiter
  records: RawRecord[]
  width: number
  score: number
  fragments: number
}

function score(head: string, complete: boolean, delimiter: CsvDelimiter, quote: '"' | "'" | ''): Candidate {
  const tokenizer = new Tokenizer({ delimiter, quote, maxRecordSize: Number.POSITIVE_INFINITY })
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
  return { delimiter, records, width, score: count, fragments }
}

function isBlank(r: RawRecord): boolean {
  return r.blank
}

/** @internal A trailing record that reads as a total rather than a row. */
export function isSummary(r: RawRecord, width: number): boolean {
  const fields = r.fields
  if (fields.length < width && fields.length <= 2) return true
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
  const text = await openText(openInput(input), options.encoding)
  try {
    return sniffText(text.head, text.complete, text.guess, options).dialect
  } finally {
    await text.close()
  }
}
