import { detectLegacyEncoding } from './encoding-detect'
import type { CsvEncoding } from './encoding-names'
import { CsvError } from './errors'

export { type CsvEncoding, ENCODINGS } from './encoding-names'

/** Below this confidence the report carries a warning that the encoding is a weak guess. */
export const WEAK_CONFIDENCE = 0.5

/** How the encoding was decided, reported beside it. */
export interface EncodingGuess {
  encoding: CsvEncoding
  /** A byte order mark was present (and is removed from the text). */
  bom: boolean
  /** `bom`, `valid-utf8`, `scored` (the code page whose decoding reads best), `zero-bytes` (UTF-16/32 without BOM), `declared`, `text-input`. */
  reason: 'bom' | 'valid-utf8' | 'scored' | 'zero-bytes' | 'declared' | 'text-input'
  /** 0–1; 1 for a BOM, valid UTF-8 with non-ASCII text, a declared encoding or text input. */
  confidence: number
}

/**
 * Decides the encoding from the first bytes of a file: a BOM first, then UTF-32/UTF-16 by their zero bytes, then
 * whether the bytes are valid UTF-8, then the legacy code page whose decoding reads best (see `encoding-detect.ts`).
 */
export function detectEncoding(head: Uint8Array, complete: boolean): EncodingGuess {
  const bom = bomOf(head)
  if (bom !== undefined) return { encoding: bom, bom: true, reason: 'bom', confidence: 1 }
  const sample = head.subarray(0, Math.min(head.length, 4096))
  const zeros = [0, 0, 0, 0]
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) (zeros[i % 4] as number)++
  const quarter = sample.length / 4
  if (quarter >= 2 && (zeros[1] as number) > quarter * 0.9 && (zeros[2] as number) > quarter * 0.9) {
    if ((zeros[3] as number) > quarter * 0.9)
      return { encoding: 'utf-32le', bom: false, reason: 'zero-bytes', confidence: 0.9 }
    if ((zeros[0] as number) > quarter * 0.9)
      return { encoding: 'utf-32be', bom: false, reason: 'zero-bytes', confidence: 0.9 }
  }
  const utf16 = utf16ByHighBytes(sample)
  if (utf16 !== undefined) return { encoding: utf16, bom: false, reason: 'zero-bytes', confidence: 0.8 }
  const evenZero = (zeros[0] as number) + (zeros[2] as number)
  const oddZero = (zeros[1] as number) + (zeros[3] as number)
  const half = sample.length / 2
  if (half >= 2 && oddZero > half * 0.3 && evenZero < half * 0.05)
    return { encoding: 'utf-16le', bom: false, reason: 'zero-bytes', confidence: 0.9 }
  if (half >= 2 && evenZero > half * 0.3 && oddZero < half * 0.05)
    return { encoding: 'utf-16be', bom: false, reason: 'zero-bytes', confidence: 0.9 }
  if (isValidUtf8(head, complete)) {
    const nonAscii = head.some((b) => b >= 0x80)
    return { encoding: 'utf-8', bom: false, reason: 'valid-utf8', confidence: nonAscii ? 1 : 0.9 }
  }
  const detected = detectLegacyEncoding(head, (bytes, encoding) => {
    const d = createDecoder(encoding, false)
    return d.decode(bytes) + d.end()
  })
  return { ...detected, bom: false, reason: 'scored' }
}

/**
 * UTF-16 without BOM in a script outside Latin-1: the high byte of each unit is 0x00 (ASCII digits, delimiters)
 * or one block's byte (0x04 for Cyrillic, 0x03 for Greek), so one side holds two values and some zeros.
 */
function utf16ByHighBytes(sample: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (sample.length < 16) return undefined
  const side = (start: number) => {
    const counts = new Map<number, number>()
    let n = 0
    for (let i = start; i < sample.length; i += 2) {
      const b = sample[i] as number
      counts.set(b, (counts.get(b) ?? 0) + 1)
      n++
    }
    const top = [...counts.values()].sort((a, b) => b - a)
    return { zero: (counts.get(0) ?? 0) / n, top2: ((top[0] ?? 0) + (top[1] ?? 0)) / n }
  }
  const even = side(0)
  const odd = side(1)
  if (even.zero >= 0.1 && even.top2 >= 0.95 && odd.zero < 0.02 && odd.top2 < 0.6) return 'utf-16be'
  if (odd.zero >= 0.1 && odd.top2 >= 0.95 && even.zero < 0.02 && even.top2 < 0.6) return 'utf-16le'
  return undefined
}

function bomOf(head: Uint8Array): CsvEncoding | undefined {
  const [a, b, c, d] = head
  if (a === 0xef && b === 0xbb && c === 0xbf) return 'utf-8'
  if (a === 0xff && b === 0xfe && c === 0 && d === 0) return 'utf-32le'
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return 'utf-32be'
  if (a === 0xff && b === 0xfe) return 'utf-16le'
  if (a === 0xfe && b === 0xff) return 'utf-16be'
  return undefined
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

/** ISO-8859-9 is Latin-1 with six Turkish letters; WHATWG maps its label to windows-1254, so it is done here. */
const ISO_8859_9: Record<number, string> = { 208: 'Ğ', 221: 'İ', 222: 'Ş', 240: 'ğ', 253: 'ı', 254: 'ş' }
const TURKISH_SIX = /[\u00d0\u00dd\u00de\u00f0\u00fd\u00fe]/g

export function createDecoder(encoding: CsvEncoding, fatal = true): ChunkDecoder {
  if (encoding === 'utf-32le' || encoding === 'utf-32be') return utf32Decoder(encoding === 'utf-32le')
  if (encoding === 'iso-8859-9')
    return {
      decode: (chunk) =>
        Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
          .toString('latin1')
          .replace(TURKISH_SIX, (c) => ISO_8859_9[c.charCodeAt(0)] as string),
      end: () => '',
    }
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
    fatal:
      fatal &&
      (encoding === 'utf-8' || encoding.startsWith('utf-16') || encoding === 'shift_jis' || encoding === 'gb18030'),
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

/** UTF-32 (not in WHATWG's TextDecoder): four bytes per code point; a BOM is dropped, a cut unit carried over. */
function utf32Decoder(little: boolean): ChunkDecoder {
  let carry = new Uint8Array(0)
  let first = true
  let offset = 0
  return {
    decode(chunk) {
      const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk])
      const whole = bytes.length - (bytes.length % 4)
      const view = new DataView(bytes.buffer, bytes.byteOffset, whole)
      let out = ''
      for (let i = 0; i < whole; i += 4) {
        const cp = view.getUint32(i, little)
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
          throw new CsvError({
            code: 'FK_CSV_INVALID_ENCODING',
            message: `[fieldkit/csv] The input is not valid UTF-32 near byte ${offset + i}`,
            hint: 'The encoding was guessed from the zero bytes of the first bytes; pass `encoding` explicitly if the file is in another one',
            details: { encoding: little ? 'utf-32le' : 'utf-32be', byteOffset: offset + i },
          })
        if (first && cp === 0xfeff) {
          first = false
          continue
        }
        first = false
        out += String.fromCodePoint(cp)
      }
      offset += whole
      carry = bytes.slice(whole)
      return out
    },
    end: () => (carry.length > 0 ? '\ufffd' : ''),
  }
}
