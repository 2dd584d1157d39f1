import { CsvError } from './errors'

/** Text encodings the reader understands. */
export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'iso-8859-1'

/** How the encoding was decided, reported beside it. */
export interface EncodingGuess {
  encoding: CsvEncoding
  /** A byte order mark was present (and is removed from the text). */
  bom: boolean
  /** `bom`, `valid-utf8`, `c1-bytes` (Windows-1252 punctuation in 0x80–0x9F), `latin1`, `zero-bytes` (UTF-16 without BOM), `declared`. */
  reason: 'bom' | 'valid-utf8' | 'c1-bytes' | 'latin1' | 'zero-bytes' | 'declared' | 'text-input'
}

// Bytes 0x80–0x9F that Windows-1252 leaves undefined: their presence means the text is not Windows-1252.
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d])

/**
 * Decides the encoding from the first bytes of a file: a BOM first, then whether the bytes are valid UTF-8,
 * then UTF-16 by its zero bytes, else Windows-1252 when it uses its 0x80–0x9F punctuation, else ISO-8859-1.
 */
export function detectEncoding(head: Uint8Array, complete: boolean): EncodingGuess {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)
    return { encoding: 'utf-8', bom: true, reason: 'bom' }
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe)
    return { encoding: 'utf-16le', bom: true, reason: 'bom' }
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff)
    return { encoding: 'utf-16be', bom: true, reason: 'bom' }
  const sample = head.subarray(0, Math.min(head.length, 4096)) // UTF-16 without BOM: many zero bytes on one side
  let evenZero = 0
  let oddZero = 0
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 === 0 ? evenZero++ : oddZero++
  const half = sample.length / 2
  if (half >= 2 && oddZero > half * 0.3 && evenZero < half * 0.05)
    return { encoding: 'utf-16le', bom: false, reason: 'zero-bytes' }
  if (half >= 2 && evenZero > half * 0.3 && oddZero < half * 0.05)
    return { encoding: 'utf-16be', bom: false, reason: 'zero-bytes' }
  if (isValidUtf8(head, complete)) return { encoding: 'utf-8', bom: false, reason: 'valid-utf8' }
  let c1 = false
  for (const b of head) {
    if (CP1252_UNDEFINED.has(b)) return { encoding: 'iso-8859-1', bom: false, reason: 'latin1' }
    if (b >= 0x80 && b <= 0x9f) c1 = true
  }
  return c1
    ? { encoding: 'windows-1252', bom: false, reason: 'c1-bytes' }
    : { encoding: 'iso-8859-1', bom: false, reason: 'latin1' }
}

function isValidUtf8(bytes: Uint8Array, complete: boolean): boolean {
  // A cut multi-byte sequence at the end of an incomplete head is fine: trim up to 3 trailing continuation bytes.
  let end = bytes.length
  if (!complete) {
    let back = 0
    while (back < 3 && end - back - 1 >= 0 && ((bytes[end - back - 1] as number) & 0xc0) === 0x80) back++
    const lead = bytes[end - back - 1]
    if (lead !== undefined && lead >= 0xc0) end = end - back - 1
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end))
    return true
  } catch {
    return false
  }
}

/** A streaming decoder: a character cut between two chunks is joined, never replaced. */
export interface ChunkDecoder {
  decode(chunk: Uint8Array): string
  end(): string
}

/** What Windows-1252 puts at 0x80–0x9F (the five bytes it leaves undefined map to themselves, as WHATWG does). */
const CP1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'
const C1 = /[\u0080-\u009f]/
const C1_ALL = /[\u0080-\u009f]/g

export function createDecoder(encoding: CsvEncoding): ChunkDecoder {
  if (encoding === 'iso-8859-1') {
    // WHATWG maps the label iso-8859-1 to Windows-1252; true Latin-1 is one byte per code point.
    return {
      decode: (chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1'),
      end: () => '',
    }
  }
  if (encoding === 'windows-1252') {
    // Node 20's TextDecoder decodes windows-1252 as Latin-1 (0x80 → U+0080, not €); Node 24's does not. One table
    // for both: Latin-1, then 0x80–0x9F through the Windows-1252 code page.
    return {
      decode: (chunk) => {
        const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1')
        return C1.test(text) ? text.replace(C1_ALL, (c) => CP1252_C1[c.charCodeAt(0) - 0x80] as string) : text
      },
      end: () => '',
    }
  }
  const decoder = new TextDecoder(encoding, {
    fatal: encoding === 'utf-8' || encoding.startsWith('utf-16'),
    ignoreBOM: false,
  })
  let offset = 0
  const fail = (cause: unknown): never => {
    throw new CsvError({
      code: 'FK_CSV_INVALID_ENCODING',
      message: `[fieldkit/csv] The input is not valid ${encoding} near byte ${offset}`,
      hint: 'The encoding was guessed from the first bytes; pass `encoding` explicitly (for example windows-1252) if the file mixes encodings',
      details: { encoding, byteOffset: offset },
      cause,
    })
  }
  return {
    decode(chunk) {
      try {
        const text = decoder.decode(chunk, { stream: true })
        offset += chunk.byteLength
        return text
      } catch (e) {
        return fail(e)
      }
    },
    end() {
      try {
        return decoder.decode()
      } catch (e) {
        return fail(e)
      }
    },
  }
}
