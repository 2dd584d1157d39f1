import { Readable } from 'node:stream'
import { invalidOption } from './errors'

/** A column of the output: a row key, or a key with the header text to write. */
export type WriteColumn = string | { key: string; header?: string }

/** Options of {@link writeCsv}. */
export interface WriteOptions {
  /** Columns in order; default: the keys of the first row (object rows) or none (array rows, no header). */
  columns?: readonly WriteColumn[]
  /** Write a header row (default true when there are columns). */
  header?: boolean
  /** Default `,`; `excel: true` with `decimal: ','` defaults to `;`. */
  delimiter?: ',' | ';' | '\t' | '|'
  /** Default `\r\n` (RFC 4180). */
  lineEnding?: '\r\n' | '\n'
  /** Start with a UTF-8 byte order mark (default: the `excel` setting). */
  bom?: boolean
  /** For Excel: BOM, CRLF, and `;` when numbers use a decimal comma. */
  excel?: boolean
  /** Decimal separator of numbers (default `.`). */
  decimal?: '.' | ','
  /** Quote every field, not only those that need it (default false). */
  quoteAll?: boolean
  /** Neutralise cells that start with `=`, `+`, `-`, `@`, tab or CR by prefixing `'` (default true). */
  injectionSafe?: boolean
}

/**
 * One row for {@link writeCsv}: an object keyed by column, or an array of cells in column order.
 *
 * @example
 * ```ts
 * const rows: RowLike[] = [{ id: 1, name: 'Ana' }, [2, 'Ben']]
 * ```
 */
export type RowLike = Record<string, unknown> | readonly unknown[]

/**
 * Writes rows as CSV with proper quoting. Rows given as an array or other sync iterable give a string; an async
 * iterable gives a Node Readable that reads one row at a time (backpressure). Formula injection (`=`, `+`, `-`,
 * `@`, tab, CR at the start of a text cell) is neutralised by default.
 *
 * @example
 * ```ts
 * writeCsv([{ id: '007', name: '=HYPERLINK("x")', amount: 12.5 }], { excel: true, delimiter: ';', decimal: ',' })
 * // '\uFEFFid;name;amount\r\n007;"\'=HYPERLINK(""x"")";12,5\r\n'
 * ```
 */
export function writeCsv(rows: Iterable<RowLike>, options?: WriteOptions): string
export function writeCsv(rows: AsyncIterable<RowLike>, options?: WriteOptions): Readable
export function writeCsv(
  rows: Iterable<RowLike> | AsyncIterable<RowLike>,
  options: WriteOptions = {},
): string | Readable {
  const w = new Writer(options)
  if (Symbol.asyncIterator in rows) {
    const it = rows as AsyncIterable<RowLike>
    return Readable.from(
      (async function* () {
        for await (const row of it) {
          const text = w.row(row)
          if (text !== '') yield text
        }
        if (w.rowsWritten === 0) {
          const tail = w.finishEmpty()
          if (tail !== '') yield tail
        }
      })(),
      { objectMode: false },
    )
  }
  if (!(Symbol.iterator in rows)) throw invalidOption('rows', 'an iterable or async iterable of rows', rows)
  let out = ''
  for (const row of rows as Iterable<RowLike>) out += w.row(row)
  if (w.rowsWritten === 0) out += w.finishEmpty()
  return out
}

class Writer {
  private readonly delimiter: string
  private readonly eol: string
  private readonly bom: boolean
  private readonly decimal: '.' | ','
  private readonly quoteAll: boolean
  private readonly safe: boolean
  private readonly header: boolean
  private columns: { key: string; header: string }[] | undefined
  private started = false
  rowsWritten = 0
  private readonly needsQuote: RegExp

  constructor(o: WriteOptions) {
    if (o.delimiter !== undefined && ![',', ';', '\t', '|'].includes(o.delimiter))
      throw invalidOption('delimiter', 'one of "," ";" "\\t" "|"', o.delimiter)
    if (o.lineEnding !== undefined && o.lineEnding !== '\r\n' && o.lineEnding !== '\n')
      throw invalidOption('lineEnding', '"\\r\\n" or "\\n"', o.lineEnding)
    if (o.decimal !== undefined && o.decimal !== '.' && o.decimal !== ',')
      throw invalidOption('decimal', '"." or ","', o.decimal)
    this.decimal = o.decimal ?? '.'
    this.delimiter = o.delimiter ?? (o.excel && this.decimal === ',' ? ';' : ',')
    if (this.delimiter === this.decimal)
      throw invalidOption('delimiter', 'different from the decimal separator', o.delimiter)
    this.eol = o.lineEnding ?? '\r\n'
    this.bom = o.bom ?? o.excel ?? false
    this.quoteAll = o.quoteAll ?? false
    this.safe = o.injectionSafe ?? true
    this.header = o.header ?? true
    this.columns = o.columns?.map((c) =>
      typeof c === 'string' ? { key: c, header: c } : { key: c.key, header: c.header ?? c.key },
    )
    this.needsQuote = new RegExp(`[${this.delimiter === '\t' ? '\\t' : `\\${this.delimiter}`}"\\r\\n]|^\\s|\\s$`)
  }

  row(row: RowLike): string {
    let out = ''
    if (!this.started) {
      this.started = true
      if (this.bom) out += '\uFEFF'
      if (this.columns === undefined && !Array.isArray(row))
        this.columns = Object.keys(row).map((k) => ({ key: k, header: k }))
      if (this.header && this.columns !== undefined && this.columns.length > 0)
        out += this.line(this.columns.map((c) => this.cell(c.header, false)))
    }
    const cells = Array.isArray(row)
      ? row.map((v) => this.cell(v, true))
      : (this.columns ?? []).map((c) => this.cell((row as Record<string, unknown>)[c.key], true))
    this.rowsWritten++
    return out + this.line(cells)
  }

  finishEmpty(): string {
    let out = ''
    if (!this.started) {
      this.started = true
      if (this.bom) out += '\uFEFF'
      if (this.header && this.columns !== undefined && this.columns.length > 0)
        out += this.line(this.columns.map((c) => this.cell(c.header, false)))
    }
    return out
  }

  private line(cells: string[]): string {
    // A row of one empty cell would read back as a blank line: write it as "".
    if (cells.length === 1 && cells[0] === '') return `""${this.eol}`
    return cells.join(this.delimiter) + this.eol
  }

  private cell(value: unknown, data: boolean): string {
    if (value === null || value === undefined) return ''
    let s: string
    if (typeof value === 'number') s = this.decimal === ',' ? String(value).replace('.', ',') : String(value)
    else if (typeof value === 'bigint') s = value.toString()
    else if (typeof value === 'boolean') s = value ? 'true' : 'false'
    else if (value instanceof Date) s = Number.isNaN(value.getTime()) ? '' : value.toISOString()
    else if (typeof value === 'string') {
      s = value
      if (data && this.safe && s.length > 0 && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
    } else s = JSON.stringify(value) ?? ''
    if (this.quoteAll || this.needsQuote.test(s)) return `"${s.replace(/"/g, '""')}"`
    return s
  }
}
