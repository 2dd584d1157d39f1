import { recordTooLarge } from './errors'

/** Problems the tokenizer notices in one record's syntax. */
export type RecordFlag = 'unclosed_quote' | 'text_after_quote'

/** One record as the tokenizer sees it: unescaped fields, the physical line it starts on, and its raw text. */
export interface RawRecord {
  readonly fields: string[]
  /** 1-based physical line where the record starts. */
  readonly line: number
  /** The record's text as it was in the file, without the line ending. */
  readonly raw: string
  /** A blank line (no characters at all). */
  readonly blank: boolean
  readonly flag: RecordFlag | undefined
}

export interface TokenizerOptions {
  delimiter: string
  quote: string
  /** Largest record, in characters, before FK_CSV_RECORD_TOO_LARGE (an unclosed quote would otherwise swallow the file). */
  maxRecordSize: number
}

/**
 * What the built-in and the escape tokenizers share: text arrives in chunks, whole records go out, and the unfinished
 * record is held for the next chunk. A record longer than the text parsed last time is parsed again only once the
 * held text has doubled, so a record of n characters fed in small chunks is scanned O(n) times in all, not once per
 * chunk (O(n²)); a held record over `maxRecordSize` is `FK_CSV_RECORD_TOO_LARGE`.
 */
export abstract class ChunkedTokenizer {
  protected rest = ''
  /** The line the next record starts on. */
  protected line = 1
  /** Text to gather before parsing again, after a parse that completed no record. */
  private waitFor = 0

  constructor(protected readonly maxRecordSize: number) {}

  /** Records completed by this chunk. */
  push(chunk: string, out: RawRecord[]): void {
    const buf = this.rest.length === 0 ? chunk : this.rest + chunk
    if (buf.length < this.waitFor) {
      this.rest = buf
    } else {
      const before = out.length
      const used = this.parse(buf, false, out)
      this.rest = used === buf.length ? '' : buf.slice(used)
      this.waitFor = out.length === before && this.rest.length > 0 ? Math.min(buf.length * 2, this.maxRecordSize) : 0
    }
    if (this.rest.length > this.maxRecordSize) throw recordTooLarge(this.line, this.maxRecordSize)
  }

  /** The last record, at the end of the input. */
  end(out: RawRecord[]): void {
    if (this.rest.length > 0) this.parse(this.rest, true, out)
    this.rest = ''
  }

  /** Parses whole records from `buf` into `out` (with `final`, the unfinished one too); returns the characters used. */
  protected abstract parse(buf: string, final: boolean, out: RawRecord[]): number
}
