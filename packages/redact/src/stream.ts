import { Transform, type TransformCallback } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import type { Engine, Finding } from './engine'
import { noContext } from './scanner'

/** Options of `redactor.redactStream()`. */
export interface RedactStreamOptions {
  /**
   * Most characters held back while waiting for the end of a line (default 1 MiB). Text without line breaks is
   * released in pieces that keep the last `overlap` characters back, so a value split between chunks still joins.
   */
  maxBuffer?: number
  /** Characters kept back when text has no line break (default 4096; longer than any value a detector finds). */
  overlap?: number
}

/**
 * A Transform of text (Buffers are read as UTF-8, split characters included). Each piece of output ends at a line
 * break, at an unmatched `-----BEGIN … PRIVATE KEY-----` (held until its end), or, for text without line breaks,
 * `overlap` characters before the end of what has arrived, moved back before any finding that crosses it.
 * Findings are emitted as `finding` events with offsets into the whole input.
 */
export function createRedactStream(engine: Engine, options: RedactStreamOptions = {}): Transform {
  const maxBuffer = options.maxBuffer ?? 1 << 20
  const overlap = options.overlap ?? 4096
  const decoder = new StringDecoder('utf8')
  let pending = ''
  let consumed = 0
  // Context words (`born`, `ssn`, `order`) near the end of what was released count at the start of what follows.
  const context = noContext()

  const release = (stream: Transform, final: boolean): void => {
    if (pending === '') return
    let cut = pending.length
    if (!final) {
      cut = pending.lastIndexOf('\n') + 1
      // A key is released whole, with its END line up to the closing dashes.
      const begin = pending.lastIndexOf('-----BEGIN ')
      const end = begin < 0 ? -1 : pending.indexOf('-----END ', begin)
      const close = end < 0 ? -1 : pending.indexOf('-----', end + 9)
      if (begin >= 0 && begin < cut && (close < 0 || close + 5 > cut) && pending.length - begin < maxBuffer) {
        cut = begin
      }
      if (cut === 0 && pending.length > maxBuffer) {
        cut = pending.length - overlap
        // A copy of the context: these spans only choose the cut; the piece is scanned again below.
        for (const f of engine.spans(pending, { ...context })) {
          if (f.start < cut && f.end > cut) {
            cut = f.start
            break
          }
        }
        // Never between the two halves of a surrogate pair: each piece goes out as UTF-8 on its own.
        const c = pending.charCodeAt(cut - 1)
        if (c >= 0xd800 && c <= 0xdbff) cut--
      }
      if (cut <= 0) return
    }
    const piece = pending.slice(0, cut)
    const findings: Finding[] = []
    const out = engine.text(piece, findings, undefined, context)
    for (const f of findings) stream.emit('finding', { ...f, offset: (f.offset ?? 0) + consumed })
    consumed += cut
    pending = pending.slice(cut)
    if (out !== '') stream.push(out)
  }

  return new Transform({
    decodeStrings: false,
    transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk)
      release(this, false)
      callback()
    },
    flush(callback: TransformCallback) {
      pending += decoder.end()
      release(this, true)
      callback()
    },
  })
}
