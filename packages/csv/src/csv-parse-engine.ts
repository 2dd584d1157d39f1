import { createRequire } from 'node:module'
import { requireOptionalPeer } from '@fieldkit/core'
import type { Parser } from 'csv-parse'
import { CsvError } from './errors'
import type { RawRecord } from './tokenizer'

const localRequire = createRequire(import.meta.url)

/** csv-parse is an optional peer: loaded only for `engine: 'csv-parse'` (FK_OPTIONAL_PEER_MISSING without it). */
function loadParse(): typeof import('csv-parse').parse {
  return requireOptionalPeer(() => localRequire('csv-parse') as typeof import('csv-parse'), {
    name: 'csv-parse',
    range: '^6',
    pkg: 'csv',
    feature: "engine: 'csv-parse'",
  }).parse
}

interface CsvParseOutput {
  record: string[]
  raw: string
  info: { lines: number }
}

/**
 * The same record interface as the built-in tokenizer, on csv-parse (kept for comparison and as a second opinion;
 * see docs/decisions/csv-tokenizer.md). It needs the line ending up front: csv-parse reads one kind per file.
 */
export class CsvParseTokenizer {
  private readonly parser: Parser
  private error: unknown

  constructor(options: { delimiter: string; quote: string; lineEnding: string }) {
    this.parser = loadParse()({
      delimiter: options.delimiter,
      quote: options.quote === '' ? false : options.quote,
      record_delimiter: options.lineEnding,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: false,
      raw: true,
      info: true,
    })
    this.parser.on('error', (e) => {
      this.error = e
    })
  }

  push(chunk: string, out: RawRecord[]): void {
    this.parser.write(chunk)
    this.drain(out)
  }

  end(out: RawRecord[]): void {
    this.parser.end()
    this.drain(out)
  }

  private drain(out: RawRecord[]): void {
    for (;;) {
      if (this.error !== undefined) {
        const cause = this.error as { code?: string; message?: string }
        throw new CsvError({
          code: 'FK_CSV_PARSE_FAILED',
          message: `[fieldkit/csv] csv-parse stopped: ${cause.code ?? 'error'}`,
          hint: 'The csv-parse engine refuses some malformed input the built-in tokenizer quarantines; use the default engine',
          details: { csvParseCode: cause.code ?? null },
          cause,
        })
      }
      const r = this.parser.read() as CsvParseOutput | null
      if (r === null) return
      let raw = r.raw
      if (raw.endsWith('\n')) raw = raw.slice(0, raw.endsWith('\r\n') ? -2 : -1)
      else if (raw.endsWith('\r')) raw = raw.slice(0, -1)
      let newlines = 0
      for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) === 10) newlines++
      out.push({ fields: r.record, line: r.info.lines - newlines, raw, blank: raw.length === 0, flag: undefined })
    }
  }
}
