import { ChunkedTokenizer, type RawRecord, type RecordFlag, type TokenizerOptions } from './chunked-tokenizer'

export type { RawRecord, RecordFlag, TokenizerOptions } from './chunked-tokenizer'

/** A record whose raw text is sliced from the tokenizer's buffer only when someone asks for it. */
class Record implements RawRecord {
  constructor(
    readonly fields: string[],
    readonly line: number,
    private readonly src: string,
    private readonly start: number,
    private readonly end: number,
    readonly flag: RecordFlag | undefined,
  ) {}

  get raw(): string {
    return this.src.slice(this.start, this.end)
  }

  get blank(): boolean {
    return this.start === this.end
  }
}

const LF = 10
const CR = 13

/**
 * A streaming RFC 4180 tokenizer with the usual leniencies: CRLF, LF and CR line endings (mixed too), quotes
 * inside unquoted fields kept as text, text after a closing quote kept and flagged. Feed it text chunks with
 * `push`; it returns the records completed so far and keeps the unfinished one for the next chunk.
 */
export class Tokenizer extends ChunkedTokenizer {
  private readonly delim: number
  private readonly delimStr: string
  private readonly quote: number
  private readonly quoteStr: string

  constructor(options: TokenizerOptions) {
    super(options.maxRecordSize)
    this.delimStr = options.delimiter
    this.delim = options.delimiter.charCodeAt(0)
    this.quoteStr = options.quote
    this.quote = options.quote === '' ? -1 : options.quote.charCodeAt(0)
  }

  /**
   * Parses whole records from `buf`; returns how many characters were consumed.
   *
   * The one function over 80 lines in the package, on purpose: it is the hot loop (every character of every file
   * passes through it), and its state (position, line, the cached next delimiter/LF/CR) lives in locals that a split
   * into per-field helpers would have to pass back and forth through objects on every field. The bench in
   * docs/decisions/csv-tokenizer.md measures it as it is; the inner loops are marked by comments.
   */
  // biome-ignore lint/complexity/noExcessiveLinesPerFunction: the measured hot loop described above
  protected parse(buf: string, final: boolean, out: RawRecord[]): number {
    const len = buf.length
    const delim = this.delim
    const quote = this.quote
    let pos = 0
    let line = this.line
    let committed = line
    let nextDelim = -1
    let nextLf = -1
    let nextCr = -1
    records: while (pos < len) {
      const start = pos
      const startLine = line
      const fields: string[] = []
      let flag: RecordFlag | undefined
      let i = pos
      for (;;) {
        // one field starting at i
        if (buf.charCodeAt(i) === quote) {
          let value = ''
          let from = i + 1
          for (;;) {
            const q = buf.indexOf(this.quoteStr, from)
            if (q < 0) {
              if (!final) break records
              value += buf.slice(from)
              line += countLines(buf, from, len)
              flag = 'unclosed_quote'
              i = len
              break
            }
            if (q + 1 >= len && !final) break records
            // lines inside the quotes: counted only when the cached next LF / CR falls before the closing quote
            if (nextLf < from) nextLf = find(buf, '\n', from, len)
            if (nextCr < from) nextCr = find(buf, '\r', from, len)
            if (nextLf < q || nextCr < q) line += countLines(buf, from, q)
            if (buf.charCodeAt(q + 1) === quote) {
              value += buf.slice(from, q + 1)
              from = q + 2
              continue
            }
            value += buf.slice(from, q)
            i = q + 1
            break
          }
          // after the closing quote: delimiter, line end or end of input; anything else is kept and flagged
          if (i < len) {
            const c = buf.charCodeAt(i)
            if (c !== delim && c !== LF && c !== CR) {
              let j = i
              while (j < len) {
                const d = buf.charCodeAt(j)
                if (d === delim || d === LF || d === CR) break
                j++
              }
              if (j >= len && !final) break records
              value += buf.slice(i, j)
              flag ??= 'text_after_quote'
              i = j
            }
          }
          fields.push(value)
        } else {
          // the next delimiter / LF / CR, each found once with indexOf and reused until passed
          if (nextDelim < i) nextDelim = find(buf, this.delimStr, i, len)
          if (nextLf < i) nextLf = find(buf, '\n', i, len)
          if (nextCr < i) nextCr = find(buf, '\r', i, len)
          const j = Math.min(nextDelim, nextLf, nextCr)
          if (j >= len && !final) break records
          fields.push(buf.slice(i, j))
          i = j
        }
        if (i >= len) {
          out.push(new Record(fields, startLine, buf, start, len, flag))
          pos = len
          committed = line
          break
        }
        const c = buf.charCodeAt(i)
        if (c === delim) {
          i++
          if (i >= len) {
            if (!final) break records
            fields.push('')
            out.push(new Record(fields, startLine, buf, start, len, flag))
            pos = len
            committed = line
            break
          }
          continue
        }
        // line end
        const end = i
        if (c === CR) {
          if (i + 1 >= len && !final) break records
          i += buf.charCodeAt(i + 1) === LF ? 2 : 1
        } else i++
        line++
        out.push(new Record(fields, startLine, buf, start, end, flag))
        pos = i
        committed = line
        break
      }
    }
    this.line = committed
    return pos
  }
}

function find(buf: string, what: string, from: number, len: number): number {
  const at = buf.indexOf(what, from)
  return at < 0 ? len : at
}

function countLines(buf: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) {
    const c = buf.charCodeAt(i)
    if (c === LF) n++
    else if (c === CR && buf.charCodeAt(i + 1) !== LF) n++
  }
  return n
}
