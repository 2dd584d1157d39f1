import { isBlankCell, isFootnote, isSummary, SUMMARY_WORDS } from './sniff'
import type { RawRecord } from './tokenizer'

/** What became of a data record. */
export type RecordOutcome = 'emitted' | 'quarantined'

/** Why a record was skipped: before the table, blank, a totals line, or a footnote after the data. */
export type SkipKind = 'preamble' | 'blank' | 'summary' | 'footer'

/** A skipped line of the report: where it is, what kind, and why, in words. */
export interface SkippedLine {
  /** 1-based physical line the record starts on. */
  line: number
  kind: SkipKind
  reason: string
}

/** The counts of a run. `read = emitted + quarantined + skipped.preamble + blank + summary + footer`. */
export interface RecordCounts {
  /** Every record after decoding except the header row; a quoted field's newlines do not make extra records. */
  read: number
  emitted: number
  quarantined: number
  skipped: { preamble: number; blank: number; summary: number; footer: number }
}

/** What the router hands records to; the row building and the schema live there. */
export interface RouterHandlers {
  /** The table starts: its header row, or its first data record when there is none. Returns the table's width. */
  begin(first: RawRecord, isHeader: boolean): number
  /** A data record: emitted or quarantined. */
  data(record: RawRecord): RecordOutcome
  /** Called after a quarantined record is counted (limits are checked there). */
  quarantined(): void
}

export interface RouterOptions {
  /** Non-blank records before the table. */
  preambleRecords: number
  /** The table's first record is its header row. */
  hasHeader: boolean
  /** Trim cells when deciding that a record is empty. */
  trim: boolean
  /** Skip trailing totals lines (with evidence) and footnotes. */
  trailers: boolean
  /** Lines a complete sniff found to be totals by their sums (no totals word to see again). */
  summaryLines?: readonly number[]
  /** Skipped lines kept in the list (default 1,000); the counts are always exact. */
  listLimit?: number
}

/** Trailing records held back until a row follows them (they were rows) or the input ends (they were not). */
const HOLD_LIMIT = 50

/**
 * Routes each record of a run to one place — preamble, header, blank, totals, footnote, or a data record — and
 * owns the counts, so `read = emitted + quarantined + skipped` holds by construction. Synchronous and free of I/O:
 * the async plumbing that feeds it lives in `normalize.ts`.
 *
 * @example
 * ```ts
 * const router = new RecordRouter({ preambleRecords: 0, hasHeader: true, trim: true, trailers: true }, handlers)
 * for (const record of records) router.route(record)
 * router.end()
 * router.counts // { read, emitted, quarantined, skipped: { preamble, blank, summary, footer } }
 * ```
 */
export class RecordRouter {
  readonly counts: RecordCounts = {
    read: 0,
    emitted: 0,
    quarantined: 0,
    skipped: { preamble: 0, blank: 0, summary: 0, footer: 0 },
  }
  /** Up to `listLimit` skipped lines, in file order. */
  readonly skipped: SkippedLine[] = []
  /** More lines were skipped than the list keeps. */
  skippedTruncated = false
  /** Totals lines and footnotes, with their text. */
  readonly summary: { line: number; raw: string }[] = []
  readonly footer: { line: number; raw: string }[] = []
  private readonly options: RouterOptions
  private readonly handlers: RouterHandlers
  private readonly sums: ReadonlySet<number>
  private readonly listLimit: number
  private readonly held: RawRecord[] = []
  private preambleLeft: number
  private begun = false
  private width = 0

  constructor(options: RouterOptions, handlers: RouterHandlers) {
    this.options = options
    this.handlers = handlers
    this.preambleLeft = options.preambleRecords
    this.sums = new Set(options.summaryLines ?? [])
    this.listLimit = options.listLimit ?? 1000
  }

  /** One record, in file order. */
  route(rec: RawRecord): void {
    if (!this.begun) {
      if (rec.blank) {
        this.counts.read++
        this.skip(rec, 'blank', 'blank line before the table')
      } else if (this.preambleLeft > 0) {
        this.preambleLeft--
        this.counts.read++
        this.skip(rec, 'preamble', 'before the table: a title, an export note or a padded line')
      } else {
        this.begun = true
        this.width = this.handlers.begin(rec, this.options.hasHeader)
        if (!this.options.hasHeader) {
          this.counts.read++
          this.dataRecord(rec)
        }
      }
      return
    }
    this.counts.read++
    if (rec.blank || isEmptyRecord(rec, this.options.trim)) {
      if (this.held.length > 0) this.held.push(rec)
      else this.skip(rec, 'blank', rec.blank ? 'blank line' : 'every cell is empty')
      return
    }
    if (this.options.trailers && this.held.length < HOLD_LIMIT && this.trailerKind(rec) !== undefined) {
      this.held.push(rec)
      return
    }
    if (this.held.length > 0) this.release()
    this.dataRecord(rec)
  }

  /** The input ended: held records were trailing, so they are totals, footnotes or blank. */
  end(): void {
    for (const r of this.held.splice(0)) {
      if (r.blank || isEmptyRecord(r, this.options.trim)) {
        this.skip(r, 'blank', r.blank ? 'blank line' : 'every cell is empty')
        continue
      }
      const kind = this.trailerKind(r) as 'summary' | 'footer'
      if (kind === 'footer') {
        this.footer.push({ line: r.line, raw: copy(r.raw) })
        this.skip(r, 'footer', 'footnote after the data: one cell of prose, the other cells empty')
      } else {
        this.summary.push({ line: r.line, raw: copy(r.raw) })
        const word = totalsWord(r)
        this.skip(
          r,
          'summary',
          word === undefined
            ? 'totals line: its numbers equal the column sums above'
            : `totals line: starts with "${word}"`,
        )
      }
    }
  }

  /** True once the table has begun (a header row, or a first data record). */
  get tableBegun(): boolean {
    return this.begun
  }

  private trailerKind(rec: RawRecord): 'summary' | 'footer' | undefined {
    if (isSummary(rec, this.width)) return 'summary'
    const f = rec.fields
    if (f.length >= 3 && f[f.length - 1] === '' && isFootnote(rec, this.width)) return 'footer'
    if (this.sums.size > 0 && this.sums.has(rec.line)) return 'summary'
    return undefined
  }

  /** Held records were not trailing after all: they are rows (usually quarantined as ragged). */
  private release(): void {
    for (const r of this.held.splice(0)) {
      if (r.blank || isEmptyRecord(r, this.options.trim))
        this.skip(r, 'blank', r.blank ? 'blank line' : 'every cell is empty')
      else this.dataRecord(r)
    }
  }

  private dataRecord(rec: RawRecord): void {
    if (this.handlers.data(rec) === 'emitted') this.counts.emitted++
    else {
      this.counts.quarantined++
      this.handlers.quarantined()
    }
  }

  private skip(rec: RawRecord, kind: SkipKind, reason: string): void {
    this.counts.skipped[kind]++
    if (this.skipped.length < this.listLimit) this.skipped.push({ line: rec.line, kind, reason })
    else this.skippedTruncated = true
  }
}

function totalsWord(r: RawRecord): string | undefined {
  const first = r.fields.find((f) => f.trim() !== '') ?? ''
  return SUMMARY_WORDS.exec(first)?.[1]
}

export function isEmptyRecord(rec: RawRecord, trim: boolean): boolean {
  const f = rec.fields
  for (let i = 0; i < f.length; i++) if (!(trim ? isBlankCell(f[i] as string) : f[i] === '')) return false
  return true
}

/** A flat copy, so a kept line's text does not keep the whole chunk it was sliced from alive. */
export function copy(s: string): string {
  return s.length < 16 ? s : s.split('').join('')
}
