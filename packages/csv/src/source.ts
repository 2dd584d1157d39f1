import { type ChunkDecoder, type CsvEncoding, createDecoder, detectEncoding, type EncodingGuess } from './encoding'
import type { ChunkSource } from './input'
import { refuseBinaryHead, refuseNonText } from './not-csv'

const HEAD_BYTES = 64 * 1024

/** A text source: the decoded head (for sniffing) and then the rest of the input, decoded as it is pulled. */
export interface TextSource {
  guess: EncodingGuess
  head: string
  /** The whole input fitted in the head. */
  complete: boolean
  /** Decoded text after the head; pulled one chunk at a time. */
  next(): Promise<string | undefined>
  close(): Promise<void>
}

export async function openText(source: ChunkSource, encoding: CsvEncoding | undefined): Promise<TextSource> {
  const parts: (Uint8Array | string)[] = []
  let size = 0
  let done = false
  while (size < HEAD_BYTES) {
    const r = await source.next()
    if (r.done) {
      done = true
      break
    }
    // a copy: a file source reuses its buffers, and the head is decoded only once it is complete
    parts.push(typeof r.value === 'string' ? r.value : Buffer.from(r.value))
    size += r.value.length
  }
  const textInput = parts.length > 0 && typeof parts[0] === 'string'
  let guess: EncodingGuess
  let decoder: ChunkDecoder | undefined
  let head: string
  if (textInput) {
    head = parts.map((p) => (typeof p === 'string' ? p : Buffer.from(p).toString('utf8'))).join('')
    const bom = head.charCodeAt(0) === 0xfeff
    if (bom) head = head.slice(1)
    guess = { encoding: 'utf-8', bom, reason: 'text-input', confidence: 1 }
  } else {
    const bytes = Buffer.concat(parts as Uint8Array[])
    refuseBinaryHead(bytes)
    guess =
      encoding === undefined
        ? detectEncoding(bytes, done)
        : { encoding, bom: hasBom(bytes, encoding), reason: 'declared', confidence: 1 }
    decoder = createDecoder(guess.encoding)
    head = decoder.decode(bytes)
    if (done) head += decoder.end()
    if (!guess.encoding.startsWith('utf-')) guess.bom = false
    else if (head.charCodeAt(0) === 0xfeff) head = head.slice(1) // TextDecoder removes it already; belt and braces
  }
  refuseNonText(head, done)
  let ended = done
  return {
    guess,
    head,
    complete: done,
    async next() {
      if (ended) return undefined
      for (;;) {
        const r = await source.next()
        if (r.done) {
          ended = true
          const tail = decoder?.end() ?? ''
          return tail.length > 0 ? tail : undefined
        }
        const v = r.value
        if (typeof v !== 'string') decoder ??= createDecoder('utf-8')
        const text = typeof v === 'string' ? v : (decoder as ChunkDecoder).decode(v)
        if (text.length > 0) return text
      }
    },
    async close() {
      ended = true
      await source.return?.()
    },
  }
}

function hasBom(bytes: Uint8Array, encoding: CsvEncoding): boolean {
  if (encoding === 'utf-8') return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
  if (encoding === 'utf-32le') return bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0
  if (encoding === 'utf-32be') return bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff
  if (encoding === 'utf-16le') return bytes[0] === 0xff && bytes[1] === 0xfe
  if (encoding === 'utf-16be') return bytes[0] === 0xfe && bytes[1] === 0xff
  return false
}
