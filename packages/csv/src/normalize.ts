import {
  isStandardSchema,
  type Logger,
  resolveLogger,
  type StandardSchemaV1,
  validateStandardSync,
} from '@fieldkit/core'
import { CsvParseTokenizer } from './csv-parse-engine'
import { type CsvEncoding, ENCODINGS } from './encoding'
import { CsvError, invalidOption } from './errors'
import { EscapeTokenizer } from './escape-tokenizer'
import { type HeaderMapping, type HeaderOptions, mapHeaders, nearest } from './headers'
import { type CsvInput, openInput } from './input'
import { copy, type RecordCounts, type RecordOutcome, RecordRouter, type SkippedLine } from './record-router'
import { type CellIssue, compileRowBuilder, type RowBuilder } from './row-builder'
import { type ColumnInfo, type ColumnKind, columnsOf } from './schema-columns'
import { type CsvDialect, type CsvSniffResult, sniffText } from './sniff'
import { openText, type TextSource } from './source'
import { type RawRecord, Tokenizer } from './tokenizer'
import { compileDateFormat, type DateRules, dateOrderOf, parseBoolean, parseDate, parseNumber } from './values'
import { compileZodFastPath, type ZodFastPath } from './zod-fast-path'

/** How one column's text is read: a kind, or a kind with its own date formats or decimal separator. */
export type ColumnRule =
  | ColumnKind
  | { type: 'date'; formats?: readonly string[]; excelSerials?: boolean }
  | { type: 'number'; decimal?: ',' | '.' }
  | { type: 'string' | 'boolean' }

/** How cell text becomes values. */
export interface ValueOptions {
  /** Trim spaces around every cell (default true). */
  trim?: boolean
  /** Cells that mean "no value", compared case-insensitively after trimming (default `'', NA, N/A, NULL, -`). */
  nullTokens?: readonly string[]
  /** Decimal separator of numbers; default: the one sniffed from the file, else refuse ambiguous `1,234`. */
  decimal?: ',' | '.'
  /** Date formats accepted besides ISO 8601 for every date column, e.g. `['DD.MM.YYYY', 'MM/DD/YYYY HH:mm']`. */
  dateFormats?: readonly string[]
  /** Numbers in a date column are Excel serial dates (default true). */
  excelSerials?: boolean
  /**
   * Per-column rules by row key; otherwise the kind comes from a zod schema (z.number(), z.boolean(), z.date(), zod 3
   * or 4). Required with a schema Fieldkit cannot read (valibot, ArkType): it names the columns and their kinds.
   */
  columns?: Record<string, ColumnRule>
  /**
   * Quote the cell value in quarantine reasons and issue messages (default false: they describe its shape, such as
   * `19 characters: 16 digits, 3 spaces`, because a cell may hold personal data). The row is always in `raw`.
   */
  quoteValues?: boolean
}

/** One issue of a quarantined row. */
export interface QuarantineIssue {
  /** Row key of the column, when the issue belongs to one. */
  column?: string
  /** `too_many_fields`, `too_few_fields`, `unclosed_quote`, `text_after_quote`, a value code (`invalid_number`, `ambiguous_date`…) or the schema library's issue code (zod's `invalid_type`, `too_small`…; valibot's `type`). */
  code: string
  message: string
}

/** A record that was read but not emitted, and why. */
export interface QuarantineEntry {
  /** 1-based physical line the record starts on. */
  line: number
  /** 1-based index among the data records (after the header). */
  record: number
  /** The record's text as in the file (cut at 2,000 characters). */
  raw: string
  issues: QuarantineIssue[]
  /** The issues in one sentence. */
  reason: string
}

/** The honest account of a run. `read = emitted + quarantined + skipped` (preamble, blank, summary, footer). */
export interface CsvReport {
  dialect: CsvSniffResult
  /** Each header cell, its row key, and whether an alias or a duplicate suffix applied. */
  headers: HeaderMapping[]
  /** Header cells that were duplicates (their keys got a suffix). */
  duplicateHeaders: HeaderMapping[]
  /** Columns in the file the schema does not name (dropped from rows by the schema). */
  unknownColumns: string[]
  /** `read = emitted + quarantined + skipped.preamble + skipped.blank + skipped.summary + skipped.footer`. */
  records: RecordCounts
  /** Physical lines read. */
  lines: number
  /** Trailing total/summary lines, with their line numbers, that were not emitted. */
  summary: { line: number; raw: string }[]
  /** Trailing footnotes (one cell of prose, the rest empty), with their line numbers, that were not emitted. */
  footer: { line: number; raw: string }[]
  /** Every skipped record (preamble, blank, totals, footnote) with its line and reason, up to 1,000 entries. */
  skippedLines: SkippedLine[]
  /** More lines were skipped than `skippedLines` keeps; `records.skipped` counts them all. */
  skippedLinesTruncated: boolean
  /** Up to `quarantineLimit` entries; `records.quarantined` counts them all. */
  quarantine: QuarantineEntry[]
  /** More rows were quarantined than the list keeps. */
  quarantineTruncated: boolean
  /** False when the caller stopped reading rows before the end. */
  complete: boolean
}

/** Options of {@link normalizeCsv}. */
export interface NormalizeOptions<S extends StandardSchemaV1 | undefined = undefined> {
  /**
   * A Standard Schema of the row (zod 3.24+ or 4, valibot, ArkType); each row is checked with it and typed by it.
   * Column kinds are read from a zod object schema; for other libraries pass `values.columns`. Without a schema,
   * rows are string/null records.
   */
  schema?: S
  headers?: HeaderOptions
  values?: ValueOptions
  /** `quarantine` (default): keep going and list the row; `throw`: stop with FK_CSV_INVALID_ROW; or a callback called for each quarantined row. */
  onInvalid?: 'quarantine' | 'throw' | ((entry: QuarantineEntry) => void)
  /** Stop with FK_CSV_TOO_MANY_ERRORS when more rows than this are quarantined. */
  maxErrors?: number
  /** Stop with FK_CSV_TOO_MANY_ERRORS when this share of data records is quarantined (checked from 100 records on, and at the end). */
  maxErrorRatio?: number
  /** Parts of the dialect to use instead of sniffing them (a whole `sniffCsv` result works). */
  dialect?: Partial<CsvDialect>
  /** Text encoding, instead of guessing it. */
  encoding?: CsvEncoding
  /** Recognise trailing totals lines (a totals word, or numbers equal to the column sums) and footnotes, and skip them (default true). */
  summaryLines?: boolean
  /** Longest record in characters (default 1 MiB) before FK_CSV_RECORD_TOO_LARGE. */
  maxRecordSize?: number
  /** Quarantine entries kept in the report (default 1,000); the count is always exact. */
  quarantineLimit?: number
  /** Tokenizer: `fieldkit` (default, built in) or `csv-parse` (slower, one line ending per file). */
  engine?: 'fieldkit' | 'csv-parse'
  logger?: Logger
}

/** Row type: the schema's output, or string/null cells keyed by normalised header. */
export type CsvRow<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : Record<string, string | null>

/** What {@link normalizeCsv} returns: rows to iterate, and the report once they are done. */
export interface NormalizeResult<Row> {
  /** The valid rows, in file order, read as they are consumed (backpressure: nothing is read ahead of the loop). */
  rows: AsyncIterable<Row>
  /** Resolves after the rows are done (or stopped); awaiting it without iterating reads and discards the rows. Rejects with the run's error. */
  report: PromiseLike<CsvReport>
}

const DEFAULT_NULLS = ['', 'NA', 'N/A', 'NULL', '-']
const RAW_LIMIT = 2000

interface Column {
  index: number
  key: string
  kind: ColumnKind
  decimal: ',' | '.' | undefined
  date: DateRules | undefined
  /** Emit undefined instead of null (the schema accepts a missing key but not null). */
  undefinedForNull: boolean
}

/**
 * Reads messy CSV into typed rows: sniffs encoding and dialect, skips the preamble, maps headers, reads numbers,
 * dates and booleans, checks each row with the schema (any Standard Schema), and quarantines what fails, with a report whose counts add up.
 *
 * @example
 * ```ts
 * const schema = z.object({ id: z.string(), amount: z.number(), paid: z.boolean() })
 * const result = normalizeCsv('ID;Amount;Paid\n007;1.234,50;ja\n', { schema })
 * for await (const row of result.rows) console.log(row) // { id: '007', amount: 1234.5, paid: true }
 * const report = await result.report // report.records: { read: 1, emitted: 1, quarantined: 0, … }
 * ```
 */
export function normalizeCsv<S extends StandardSchemaV1 | undefined = undefined>(
  input: CsvInput,
  options: NormalizeOptions<S> = {},
): NormalizeResult<CsvRow<S>> {
  validate(options as NormalizeOptions<StandardSchemaV1 | undefined>)
  const run = new Run<CsvRow<S>>(input, options as NormalizeOptions<StandardSchemaV1 | undefined>)
  return { rows: run, report: run.reportLike() }
}

function validate(o: NormalizeOptions<StandardSchemaV1 | undefined>): void {
  const count = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0) && v !== Number.POSITIVE_INFINITY)
      throw invalidOption(name, 'a non-negative integer', v)
  }
  count('maxErrors', o.maxErrors)
  count('quarantineLimit', o.quarantineLimit)
  count('maxRecordSize', o.maxRecordSize)
  if (o.maxErrorRatio !== undefined && !(o.maxErrorRatio >= 0 && o.maxErrorRatio <= 1))
    throw invalidOption('maxErrorRatio', 'a number from 0 to 1', o.maxErrorRatio)
  if (
    o.onInvalid !== undefined &&
    o.onInvalid !== 'quarantine' &&
    o.onInvalid !== 'throw' &&
    typeof o.onInvalid !== 'function'
  )
    throw invalidOption('onInvalid', '"quarantine", "throw" or a function', o.onInvalid)
  if (o.engine !== undefined && o.engine !== 'fieldkit' && o.engine !== 'csv-parse')
    throw invalidOption('engine', '"fieldkit" or "csv-parse"', o.engine)
  if (o.schema !== undefined && !isStandardSchema(o.schema))
    throw invalidOption('schema', 'a Standard Schema (zod 3.24 or later, valibot, ArkType)', o.schema)
  if (o.schema !== undefined && o.values?.columns === undefined && columnsOf(o.schema) === undefined)
    throw new CsvError({
      code: 'FK_CSV_SCHEMA_UNREADABLE',
      message: `[fieldkit/csv] The ${vendorOf(o.schema)} schema does not say which columns are numbers, dates or booleans (only zod object schemas can be read)`,
      hint: "Pass values.columns with each column's kind, e.g. { values: { columns: { id: 'string', amount: 'number', paid: 'boolean', due: 'date' } } }, or use a zod object schema",
      details: { vendor: vendorOf(o.schema) },
    })
  if (o.values?.decimal !== undefined && o.values.decimal !== ',' && o.values.decimal !== '.')
    throw invalidOption('values.decimal', '"," or "."', o.values.decimal)
  for (const f of o.values?.dateFormats ?? [])
    if (!/YYYY|YY/.test(f) || !/M/.test(f) || !/D/.test(f))
      throw invalidOption('values.dateFormats', 'formats with YYYY (or YY), MM and DD', f)
  const escapeChar = o.dialect?.escape
  if (escapeChar !== undefined && escapeChar !== '"' && escapeChar !== "'" && escapeChar !== '' && escapeChar !== '\\')
    throw invalidOption('dialect.escape', 'a backslash, a quote character or ""', escapeChar)
  if (o.encoding !== undefined && !ENCODINGS.includes(o.encoding))
    throw invalidOption('encoding', `one of ${ENCODINGS.join(', ')}`, o.encoding)
  const row = o.headers?.row
  if (
    row !== undefined &&
    row !== 'auto' &&
    row !== 'none' &&
    !(typeof row === 'number' && Number.isInteger(row) && row >= 1) &&
    !(Array.isArray(row) && row.length > 0 && row.every((n) => typeof n === 'string'))
  )
    throw invalidOption('headers.row', '"auto", "none", a line number from 1, or a list of column names', row)
  if (o.dialect?.delimiter !== undefined && ![',', ';', '\t', '|'].includes(o.dialect.delimiter))
    throw invalidOption('dialect.delimiter', 'one of "," ";" "\\t" "|"', o.dialect.delimiter)
}

/** Row keys and what they accept: read from a zod schema, else from `values.columns` (required then). */
function keysOf(o: NormalizeOptions<StandardSchemaV1 | undefined>): Map<string, ColumnInfo> {
  const read = columnsOf(o.schema)
  if (read !== undefined) return read
  const out = new Map<string, ColumnInfo>()
  for (const [key, rule] of Object.entries(o.values?.columns ?? {}))
    out.set(key, { kind: typeof rule === 'string' ? rule : rule.type, nullable: true, optional: false })
  return out
}

function vendorOf(schema: StandardSchemaV1): string {
  return String(schema['~standard'].vendor)
}

class Run<Row> implements AsyncIterable<Row>, AsyncIterator<Row> {
  private readonly log: Logger
  private started = false
  private finished = false
  private failure: unknown
  private readonly queue: Row[] = []
  private qi = 0
  private text: TextSource | undefined
  private tokenizer: Tokenizer | EscapeTokenizer | CsvParseTokenizer | undefined
  private readonly batch: RawRecord[] = []
  private reportValue: CsvReport | undefined
  private readonly waiters: { resolve: (r: CsvReport) => void; reject: (e: unknown) => void }[] = []
  // state after the sniff
  private dialect!: CsvSniffResult
  private columns: Column[] = []
  private router!: RecordRouter
  private dataRecords = 0
  private sample: RawRecord[] = []
  /** Text decoded but not yet tokenized; fed in slices so each batch of rows (and its garbage) stays small. */
  private pending = ''
  private build: RowBuilder | undefined
  /** Rows a zod schema provably accepts, returned as zod returns them; undefined: every row goes to the schema. */
  private fast: ZodFastPath | undefined
  private readonly cellIssues: CellIssue[] = []
  private lastEntry: QuarantineEntry | undefined
  private readonly trim: boolean
  private readonly schema: StandardSchemaV1 | undefined
  /** The row keys the schema (or, for a schema that cannot be read, `values.columns`) names. */
  private readonly keys: Map<string, ColumnInfo>
  private readonly report: CsvReport

  constructor(
    private readonly input: CsvInput,
    private readonly options: NormalizeOptions<StandardSchemaV1 | undefined>,
  ) {
    this.log = resolveLogger(options.logger, 'csv')
    this.trim = options.values?.trim ?? true
    this.schema = options.schema
    this.keys = keysOf(options)
    this.report = {
      dialect: undefined as unknown as CsvSniffResult,
      headers: [],
      duplicateHeaders: [],
      unknownColumns: [],
      records: { read: 0, emitted: 0, quarantined: 0, skipped: { preamble: 0, blank: 0, summary: 0, footer: 0 } },
      lines: 0,
      summary: [],
      footer: [],
      skippedLines: [],
      skippedLinesTruncated: false,
      quarantine: [],
      quarantineTruncated: false,
      complete: false,
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Row> {
    return this
  }

  next(): Promise<IteratorResult<Row>> {
    if (this.qi < this.queue.length) {
      const value = this.queue[this.qi++] as Row
      return Promise.resolve({ done: false, value })
    }
    return this.fill()
  }

  async return(): Promise<IteratorResult<Row>> {
    if (!this.finished) await this.finish(undefined, false)
    return { done: true, value: undefined }
  }

  reportLike(): PromiseLike<CsvReport> {
    // A lazy thenable: destructuring the result reads nothing; awaiting the report starts reading if nobody iterates.
    const then: PromiseLike<CsvReport>['then'] = (onFulfilled, onRejected) => {
      const p = new Promise<CsvReport>((resolve, reject) => {
        if (this.finished) {
          if (this.failure !== undefined) reject(this.failure)
          else resolve(this.reportValue as CsvReport)
          return
        }
        this.waiters.push({ resolve, reject })
        if (!this.started) void this.drain()
      })
      return p.then(onFulfilled, onRejected)
    }
    return { then }
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const r = await this.next()
        if (r.done) return
      }
    } catch {
      // the waiters were told by finish()
    }
  }

  private async fill(): Promise<IteratorResult<Row>> {
    this.queue.length = 0
    this.qi = 0
    if (this.finished) {
      if (this.failure !== undefined) throw this.failure
      return { done: true, value: undefined }
    }
    try {
      if (!this.started) await this.start()
      const text = this.text as TextSource
      while (this.queue.length === 0) {
        if (this.pending.length > 0) {
          this.feed()
          continue
        }
        const chunk = await text.next()
        if (chunk === undefined) {
          this.tokenizer?.end(this.batch)
          this.consume()
          this.endOfInput()
          if (this.queue.length > 0) break
          await this.finish(undefined, true)
          return { done: true, value: undefined }
        }
        this.pending = chunk
        this.feed()
      }
    } catch (e) {
      await this.finish(e, false)
      throw e
    }
    return { done: false, value: this.queue[this.qi++] as Row }
  }

  private async start(): Promise<void> {
    this.started = true
    const o = this.options
    this.text = await openText(openInput(this.input), o.encoding ?? declaredEncoding(o.dialect))
    const text = this.text
    const { dialect, sample } = sniffText(text.head, text.complete, text.guess, {
      delimiter: o.dialect?.delimiter,
      quote: o.dialect?.quote,
      escape: o.dialect?.escape,
      header: o.headers?.row,
    })
    if (o.dialect?.preambleRecords !== undefined) dialect.preambleRecords = o.dialect.preambleRecords
    if (o.dialect?.decimal !== undefined) dialect.decimal = o.dialect.decimal
    if (o.dialect?.lineEnding !== undefined) dialect.lineEnding = o.dialect.lineEnding
    this.dialect = dialect
    this.report.dialect = dialect
    this.sample = sample
    this.router = new RecordRouter(
      {
        preambleRecords: dialect.preambleRecords,
        hasHeader: dialect.hasHeader,
        trim: this.trim,
        trailers: o.summaryLines !== false,
        summaryLines: dialect.summaryLines,
      },
      {
        begin: (first, isHeader) => this.begin(first, isHeader),
        data: (rec) => this.row(rec),
        quarantined: () => this.afterQuarantine(),
      },
    )
    this.report.records = this.router.counts
    this.report.summary = this.router.summary
    this.report.footer = this.router.footer
    this.report.skippedLines = this.router.skipped
    const quote = dialect.quote === '' ? '"' : dialect.quote // none seen in the sample: still read quotes further on
    this.tokenizer =
      o.engine === 'csv-parse'
        ? new CsvParseTokenizer({ delimiter: dialect.delimiter, quote, lineEnding: dialect.lineEnding })
        : dialect.escape === '\\'
          ? new EscapeTokenizer({
              delimiter: dialect.delimiter,
              quote,
              escape: '\\',
              maxRecordSize: o.maxRecordSize ?? 1 << 20,
            })
          : new Tokenizer({ delimiter: dialect.delimiter, quote, maxRecordSize: o.maxRecordSize ?? 1 << 20 })
    this.log.debug(
      { delimiter: dialect.delimiter, encoding: dialect.encoding, headerLine: dialect.headerLine },
      'sniffed',
    )
    this.pending = text.head
  }

  private feed(): void {
    const slice = 64 * 1024
    const text = this.pending.length > slice * 1.5 ? this.pending.slice(0, slice) : this.pending
    this.pending = text === this.pending ? '' : this.pending.slice(slice)
    this.tokenizer?.push(text, this.batch)
    this.consume()
  }

  /** Hands the tokenizer's records to the router, which counts them and calls back for the header and each row. */
  private consume(): void {
    const batch = this.batch
    const router = this.router
    for (let b = 0; b < batch.length; b++) router.route(batch[b] as RawRecord)
    const last = batch[batch.length - 1]
    if (last !== undefined) this.report.lines = last.line + countNewlines(last.raw)
    batch.length = 0
  }

  private endOfInput(): void {
    this.router.end()
    this.report.skippedLinesTruncated = this.router.skippedTruncated
    if (!this.router.tableBegun) this.checkRequired([])
    this.checkRatio(true)
  }

  /** The table begins: with its header row, or (no header row) with its first data record. Returns the width. */
  private begin(first: RawRecord, isHeader: boolean): number {
    const o = this.options
    const declared = o.headers?.row
    const names = Array.isArray(declared)
      ? (declared as readonly string[])
      : isHeader
        ? first.fields
        : first.fields.map(() => '')
    const mappings = mapHeaders(names, o.headers ?? {})
    this.report.headers = mappings
    this.report.duplicateHeaders = mappings.filter((m) => m.duplicateOf !== undefined)
    this.dialect.header = isHeader ? first.fields : []
    this.dialect.headerLine = isHeader ? first.line : 0
    this.dialect.columns = names.length
    this.checkRequired(mappings)
    const info = this.keys
    if (this.schema !== undefined)
      this.report.unknownColumns = mappings.filter((m) => !info.has(m.key)).map((m) => m.key)
    this.columns = mappings.map((m) => this.columnOf(m, info))
    this.sample = []
    this.build = compileRowBuilder(
      this.columns.map((c) => ({
        index: c.index,
        key: c.key,
        read: readerFor(c),
        nullValue: c.undefinedForNull ? undefined : null,
      })),
      this.trim,
      o.values?.nullTokens ?? DEFAULT_NULLS,
    )
    this.fast =
      this.schema === undefined
        ? undefined
        : compileZodFastPath(
            this.schema,
            this.columns.map((c) => c.key),
          )
    return names.length
  }

  private columnOf(m: HeaderMapping, info: Map<string, ColumnInfo>): Column {
    const v = this.options.values ?? {}
    const rule = v.columns?.[m.key]
    const schemaInfo = info.get(m.key)
    const kind: ColumnKind = typeof rule === 'string' ? rule : (rule?.type ?? schemaInfo?.kind ?? 'string')
    let date: DateRules | undefined
    if (kind === 'date') {
      const own = typeof rule === 'object' && rule.type === 'date' ? rule : undefined
      date = {
        formats: (own?.formats ?? v.dateFormats ?? []).map(compileDateFormat),
        excelSerials: own?.excelSerials ?? v.excelSerials ?? true,
        order: dateOrderOf(this.sample.map((r) => r.fields[m.index] ?? '')),
      }
    }
    const decimal = typeof rule === 'object' && rule.type === 'number' ? rule.decimal : undefined
    return {
      index: m.index,
      key: m.key,
      kind,
      decimal: decimal ?? v.decimal ?? this.dialect.decimal,
      date,
      undefinedForNull: schemaInfo?.optional === true && !schemaInfo.nullable,
    }
  }

  private checkRequired(mappings: HeaderMapping[]): void {
    const keys = new Set(mappings.map((m) => m.key))
    const info = this.keys
    const required = this.options.headers?.required ?? [...info].filter(([, c]) => !c.optional).map(([k]) => k)
    const missing = required.filter((k) => !keys.has(k))
    if (missing.length === 0) return
    const names = mappings.map((m) => m.key)
    const where = this.dialect.hasHeader ? `the header on line ${this.dialect.headerLine}` : 'the file (no header row)'
    throw new CsvError({
      code: 'FK_CSV_MISSING_COLUMNS',
      message: `[fieldkit/csv] Missing required column${missing.length > 1 ? 's' : ''} ${missing.map((k) => `"${k}"${suggest(k, names)}`).join(', ')}; ${where} has ${names.length === 0 ? 'no columns' : names.map((n) => `"${n}"`).join(', ')}`,
      hint: 'Add an alias in headers.aliases for the name the file uses, or check that the delimiter, preamble and header row (headers.row) in the report found the real header',
      details: { missing, found: names, headerLine: this.dialect.headerLine, delimiter: this.dialect.delimiter },
    })
  }

  /** A record's shape problem (tokenizer flag, wrong width), if any. */
  private shapeIssue(rec: RawRecord): QuarantineIssue | undefined {
    if (rec.flag !== undefined)
      return {
        code: rec.flag,
        message: rec.flag === 'unclosed_quote' ? 'a quoted field is never closed' : 'text follows a closing quote',
      }
    const width = this.columns.length
    if (rec.fields.length === width) return undefined
    return {
      code: rec.fields.length > width ? 'too_many_fields' : 'too_few_fields',
      message: `${rec.fields.length} fields where the ${this.dialect.hasHeader ? 'header has' : 'table has'} ${width}`,
    }
  }

  private row(rec: RawRecord): RecordOutcome {
    this.dataRecords++
    const fields = rec.fields
    const shape = this.shapeIssue(rec)
    if (shape !== undefined) return this.quarantine(rec, [shape])
    const cellIssues = this.cellIssues
    const out = (this.build as RowBuilder)(fields, cellIssues)
    if (cellIssues.length > 0) {
      const quote = this.options.values?.quoteValues === true
      const issues = cellIssues.splice(0).map(({ index, issue }) => {
        const column = this.columns[index] as Column
        const message = quote
          ? `${issue.message} (value ${JSON.stringify(clip(fields[column.index] ?? ''))})`
          : issue.message
        return { column: column.key, code: issue.code, message }
      })
      return this.quarantine(rec, issues)
    }
    if (this.schema === undefined) {
      this.queue.push(out as Row)
      return 'emitted'
    }
    // a row the fast path cannot vouch for (an invalid one among them) goes to the schema, which gives the issues
    const valid = this.fast?.(out)
    if (valid !== undefined) {
      this.queue.push(valid as Row)
      return 'emitted'
    }
    const parsed = validateStandardSync(this.schema, out)
    if (parsed === 'async')
      throw new CsvError({
        code: 'FK_CSV_INVALID_OPTIONS',
        message: `[fieldkit/csv] The ${vendorOf(this.schema)} schema validated a row asynchronously (an async refinement); rows are checked synchronously`,
        hint: 'Remove the async checks from the row schema and run them on the emitted rows instead',
        details: { option: 'schema' },
      })
    if (parsed.issues === undefined) {
      this.queue.push(parsed.value as Row)
      return 'emitted'
    }
    return this.quarantine(
      rec,
      parsed.issues.map((i) => {
        const issue: QuarantineIssue = { code: i.code, message: i.message }
        if (i.path !== '') issue.column = i.path.split('.')[0] as string
        return issue
      }),
    )
  }

  private quarantine(rec: RawRecord, issues: QuarantineIssue[]): 'quarantined' {
    const r = this.report
    const entry: QuarantineEntry = {
      line: rec.line,
      record: this.dataRecords,
      raw: copy(rec.raw.length > RAW_LIMIT ? rec.raw.slice(0, RAW_LIMIT) : rec.raw),
      issues,
      reason: issues.map((i) => (i.column === undefined ? i.message : `${i.column}: ${i.message}`)).join('; '),
    }
    if (r.quarantine.length < (this.options.quarantineLimit ?? 1000)) r.quarantine.push(entry)
    else r.quarantineTruncated = true
    this.lastEntry = entry
    return 'quarantined'
  }

  /** After the router counted a quarantined record: `onInvalid`, then the error limits. */
  private afterQuarantine(): void {
    const entry = this.lastEntry as QuarantineEntry
    const onInvalid = this.options.onInvalid
    if (onInvalid === 'throw')
      throw new CsvError({
        code: 'FK_CSV_INVALID_ROW',
        message: `[fieldkit/csv] The record on line ${entry.line} is invalid: ${entry.issues.map((i) => (i.column === undefined ? i.code : `${i.column} ${i.code}`)).join(', ')}`,
        hint: 'Use onInvalid: "quarantine" to keep going and read the reasons in the report, or fix the row in the source',
        details: {
          line: entry.line,
          codes: entry.issues.map((i) => i.code),
          columns: entry.issues.map((i) => i.column ?? null),
        },
      })
    if (typeof onInvalid === 'function') onInvalid(entry)
    const max = this.options.maxErrors
    if (max !== undefined && this.report.records.quarantined > max) throw this.tooMany(`more than maxErrors (${max})`)
    this.checkRatio(false)
  }

  private checkRatio(atEnd: boolean): void {
    const ratio = this.options.maxErrorRatio
    if (ratio === undefined || this.dataRecords === 0) return
    if (!atEnd && this.dataRecords < 100) return
    const share = this.report.records.quarantined / this.dataRecords
    if (share > ratio) throw this.tooMany(`${(share * 100).toFixed(1)}% of data records, above maxErrorRatio ${ratio}`)
  }

  private tooMany(why: string): CsvError {
    const r = this.report.records
    const codes = [...new Set(this.report.quarantine.flatMap((q) => q.issues.map((i) => i.code)))].slice(0, 10)
    return new CsvError({
      code: 'FK_CSV_TOO_MANY_ERRORS',
      message: `[fieldkit/csv] ${r.quarantined} of ${this.dataRecords} data records were quarantined (${why}); stopped at line ${this.report.lines}`,
      hint: 'Check the delimiter, encoding and header row in the report: a wrong guess fails every row. Otherwise raise maxErrors or maxErrorRatio',
      details: {
        quarantined: r.quarantined,
        dataRecords: this.dataRecords,
        delimiter: this.dialect.delimiter,
        encoding: this.dialect.encoding,
        codes,
      },
    })
  }

  private async finish(error: unknown, complete: boolean): Promise<void> {
    if (this.finished) return
    this.finished = true
    this.failure = error
    this.report.complete = complete && error === undefined
    try {
      await this.text?.close()
    } catch {
      // closing a source that already failed
    }
    if (this.report.dialect === undefined && error === undefined) this.report.dialect = this.dialect
    this.reportValue = this.report
    this.log.debug({ records: this.report.records, complete: this.report.complete }, 'finished')
    for (const w of this.waiters.splice(0)) error === undefined ? w.resolve(this.report) : w.reject(error)
  }
}

/** A dialect from `sniffCsv` carries the encoding it found in bytes; text input says nothing about bytes. */
function declaredEncoding(dialect: Partial<CsvDialect> | undefined): CsvEncoding | undefined {
  return dialect?.encodingReason === 'text-input' ? undefined : dialect?.encoding
}

function readerFor(c: Column): ((text: string) => unknown) | undefined {
  if (c.kind === 'number') {
    const decimal = c.decimal
    return (v) => parseNumber(v, decimal)
  }
  if (c.kind === 'boolean') return parseBoolean
  if (c.kind === 'date') {
    const rules = c.date as DateRules
    return (v) => parseDate(v, rules)
  }
  return undefined
}

function countNewlines(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) n++
  }
  return n
}

function suggest(key: string, names: string[]): string {
  const near = nearest(key, names)
  return near.length === 0 ? '' : ` (nearest: ${near.map((n) => `"${n}"`).join(', ')})`
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s
}
