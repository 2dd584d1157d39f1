import { ChunkedTokenizer, type RawRecord, type RecordFlag, type TokenizerOptions } from './chunked-tokenizer'

const LF = 10
const CR = 13

/**
 * The tokenizer for files that escape with a backslash (`Dr. Seltsam\, oder`, `"say \"hi\""`): a backslash makes the
 * next character literal, inside or outside quotes; doubled quotes still read as one. A plain character loop, kept
 * apart from the built-in tokenizer so its hot loop pays nothing for a dialect few files use.
 */
export class EscapeTokenizer extends ChunkedTokenizer {
  private readonly delim: number
  private readonly quote: number
  private readonly escape: number

  constructor(options: TokenizerOptions & { escape: string }) {
    super(options.maxRecordSize)
    this.delim = options.delimiter.charCodeAt(0)
    this.quote = options.quote === '' ? -1 : options.quote.charCodeAt(0)
    this.escape = options.escape.charCodeAt(0)
  }

  /** Whole records from `buf`; returns the characters consumed (an unfinished record waits for more input). */
  protected parse(buf: string, final: boolean, out: RawRecord[]): number {
    let pos = 0
    while (pos < buf.length) {
      const r = this.record(buf, pos, final)
      if (r === undefined) break
      out.push({ fields: r.fields, line: this.line, raw: buf.slice(pos, r.end), blank: r.end === pos, flag: r.flag })
      this.line += r.lines
      pos = r.next
    }
    return pos
  }

  private record(
    buf: string,
    start: number,
    final: boolean,
  ): { fields: string[]; end: number; next: number; lines: number; flag: RecordFlag | undefined } | undefined {
    const fields: string[] = []
    let field = ''
    let quoted = false
    let flag: RecordFlag | undefined
    let lines = 0
    for (let i = start; i < buf.length; i++) {
      const c = buf.charCodeAt(i)
      if (c === this.escape) {
        if (i + 1 >= buf.length) {
          if (!final) return undefined
          field += buf[i]
          continue
        }
        field += buf[++i]
      } else if (quoted) {
        if (c === this.quote) {
          if (buf.charCodeAt(i + 1) === this.quote) field += buf[++i]
          else {
            quoted = false
            const n = buf.charCodeAt(i + 1)
            if (i + 1 < buf.length && n !== this.delim && n !== LF && n !== CR) flag ??= 'text_after_quote'
          }
        } else {
          if (c === LF || (c === CR && buf.charCodeAt(i + 1) !== LF)) lines++
          field += buf[i]
        }
      } else if (c === this.quote && field === '') quoted = true
      else if (c === this.delim) {
        fields.push(field)
        field = ''
      } else if (c === LF || c === CR) {
        if (c === CR && i + 1 >= buf.length && !final) return undefined
        fields.push(field)
        const next = c === CR && buf.charCodeAt(i + 1) === LF ? i + 2 : i + 1
        return { fields, end: i, next, lines: lines + 1, flag }
      } else field += buf[i]
    }
    if (!final) return undefined
    if (quoted) flag = 'unclosed_quote'
    fields.push(field)
    return { fields, end: buf.length, next: buf.length, lines, flag }
  }
}
