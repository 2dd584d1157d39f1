import { Transform, type TransformCallback } from 'node:stream'
import { CliError } from './errors'

/** Magic numbers of files people pass by mistake where text is expected. */
const MAGIC: { magic: number[]; what: string }[] = [
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an .xlsx or .docx is one)' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0], what: 'an OLE2 file (an .xls or .doc)' },
  { magic: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { magic: [0x1f, 0x8b], what: 'a gzip archive' },
  { magic: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { magic: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { magic: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF executable' },
  { magic: [0xff, 0xfe], what: 'UTF-16 text (little-endian)' },
  { magic: [0xfe, 0xff], what: 'UTF-16 text (big-endian)' },
]

/**
 * What binary the head of an input looks like, or undefined for text: a known magic number, a NUL byte, or more
 * than 1% of control characters other than tab, line feed, form feed, carriage return and escape (log colours).
 *
 * @example
 * ```ts
 * binaryKind(Buffer.from('PK\u0003\u0004…')) // 'a ZIP archive (an .xlsx or .docx is one)'
 * binaryKind(Buffer.from('2026-11-23 GET /api 200\n')) // undefined
 * ```
 */
export function binaryKind(head: Uint8Array): string | undefined {
  for (const { magic, what } of MAGIC) if (magic.every((b, i) => head[i] === b)) return what
  let controls = 0
  for (const c of head) {
    if (c === 0) return 'binary data (NUL bytes)'
    if (c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13 && c !== 27) controls++
  }
  return controls > Math.max(4, head.length / 100) ? `binary data (${controls} control bytes)` : undefined
}

/**
 * A pass-through that refuses binary input from its first chunk with `FK_CLI_BINARY_INPUT` (exit code 7), rather
 * than letting the redactor mangle it, and tells `onBytes` how much went through (for progress).
 */
export class TextOnly extends Transform {
  #checked = false
  readonly #source: string
  readonly #onBytes: (n: number) => void

  constructor(source: string, onBytes: (n: number) => void = () => {}) {
    super()
    this.#source = source
    this.#onBytes = onBytes
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.#checked) {
      this.#checked = true
      const kind = binaryKind(chunk.subarray(0, 8192))
      if (kind !== undefined) {
        done(
          new CliError({
            code: 'FK_CLI_BINARY_INPUT',
            message: `[fieldkit/cli] ${this.#source} is ${kind}, not text; nothing was written`,
            hint: 'Pass a text file (a log, a CSV, JSON lines); unpack an archive first, or convert UTF-16 to UTF-8 (iconv -f UTF-16 -t UTF-8)',
            details: { source: this.#source, kind },
          }),
        )
        return
      }
    }
    this.#onBytes(chunk.length)
    done(null, chunk)
  }
}
