import { type FileHandle, open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { CsvError } from './errors'
import { unreadableFile } from './not-csv'

/**
 * What the reader accepts: CSV text as a string, bytes (Buffer / Uint8Array), a Node Readable, a web ReadableStream,
 * an async iterable of bytes, or a file as a `URL` or `{ path }` (a bare string is always CSV text, never a path).
 */
export type CsvInput =
  | string
  | Uint8Array
  | NodeJS.ReadableStream
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array>
  | URL
  | { path: string }

/** A pull-based source of chunks; reading the next chunk only when asked is what gives backpressure. */
export type ChunkSource = AsyncIterator<Uint8Array | string>

export function openInput(input: CsvInput, highWaterMark = 64 * 1024): ChunkSource {
  if (typeof input === 'string') return single(input)
  if (input instanceof Uint8Array) return single(input)
  if (input instanceof URL) {
    if (input.protocol !== 'file:') throw badInput(`a URL with protocol ${input.protocol}`)
    return openFile(fileURLToPath(input), highWaterMark)
  }
  if (typeof input === 'object' && input !== null) {
    if ('path' in input && typeof (input as { path: unknown }).path === 'string' && !isStreamLike(input))
      return openFile((input as { path: string }).path, highWaterMark)
    if (typeof (input as unknown as ReadableStream).getReader === 'function' && !(Symbol.asyncIterator in input))
      return iterate(Readable.fromWeb(input as unknown as import('node:stream/web').ReadableStream<Uint8Array>))
    if (Symbol.asyncIterator in input) return iterate(input as AsyncIterable<Uint8Array | string>)
    if (Symbol.iterator in input) return iterate(input as Iterable<Uint8Array>)
  }
  throw badInput(typeof input)
}

/**
 * A file read through one `FileHandle` into two reused buffers, the next chunk read while the current one is decoded:
 * no stream and no buffer per chunk (a `createReadStream` iterator cost about three times the CPU per MB for the
 * same bytes in bench/csv), and no wait for the disk between chunks (without the read-ahead, a busy machine's
 * thread-pool latency showed in the wall-clock rate). Each chunk is valid until the next call, which every reader
 * of a {@link ChunkSource} honours (the head is copied, the rest decoded at once). Open and first-read errors
 * (missing file, a directory, no permission) are typed, never a raw ENOENT; the handle is closed at the end, on an
 * error, and when the reader stops early.
 */
function openFile(path: string, highWaterMark: number): ChunkSource {
  const buffers = [Buffer.allocUnsafe(highWaterMark), Buffer.allocUnsafe(highWaterMark)] as const
  let which = 0
  let handle: FileHandle | undefined
  let pending: Promise<number> | undefined
  let first = true
  let ended = false
  const readAhead = (h: FileHandle) => {
    const buffer = buffers[which] as Buffer
    pending = h.read(buffer, 0, buffer.length, null).then((r) => r.bytesRead)
    pending.catch(() => {}) // a read-ahead nobody waits for (the reader stopped) must not be an unhandled rejection
  }
  const close = async () => {
    ended = true
    const h = handle
    handle = undefined
    await pending?.catch(() => {})
    await h?.close()
  }
  const read = async (): Promise<IteratorResult<Uint8Array>> => {
    if (ended) return { done: true, value: undefined }
    if (handle === undefined) {
      handle = await open(path, 'r')
      readAhead(handle)
    }
    const buffer = buffers[which] as Buffer
    const bytesRead = await (pending as Promise<number>)
    if (bytesRead === 0) {
      await close()
      return { done: true, value: undefined }
    }
    which ^= 1
    readAhead(handle)
    return { done: false, value: buffer.subarray(0, bytesRead) }
  }
  return {
    async next() {
      try {
        return await read()
      } catch (e) {
        await close().catch(() => {})
        if (!first) throw e
        throw unreadableFile(path, e)
      } finally {
        first = false
      }
    },
    async return() {
      await close()
      return { done: true, value: undefined }
    },
  }
}

function isStreamLike(value: object): boolean {
  return Symbol.asyncIterator in value || typeof (value as { pipe?: unknown }).pipe === 'function'
}

function badInput(what: string): CsvError {
  return new CsvError({
    code: 'FK_CSV_INVALID_INPUT',
    message: `[fieldkit/csv] Cannot read CSV from ${what}`,
    hint: 'Pass CSV text as a string, a Buffer, a Node Readable, a web ReadableStream, an async iterable of bytes, or a file as a URL or { path }',
    details: { got: what },
  })
}

function single(value: Uint8Array | string): ChunkSource {
  // Large in-memory inputs are still handed over in slices so the tokenizer's working set stays small.
  const size = 1 << 20
  let offset = 0
  return {
    async next() {
      if (offset >= value.length) return { done: true, value: undefined }
      let end = Math.min(value.length, offset + size)
      if (typeof value === 'string' && end < value.length) {
        const code = value.charCodeAt(end - 1)
        if (code >= 0xd800 && code <= 0xdbff) end-- // never split a surrogate pair
      }
      const chunk = value.slice(offset, end)
      offset = end
      return { done: false, value: chunk }
    },
    async return() {
      offset = value.length
      return { done: true, value: undefined }
    },
  }
}

function iterate(source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>): ChunkSource {
  const it =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]()
      : (source as Iterable<Uint8Array>)[Symbol.iterator]()
  return {
    async next() {
      const r = await it.next()
      if (r.done) return { done: true, value: undefined }
      const v: unknown = r.value
      if (typeof v === 'string' || v instanceof Uint8Array) return { done: false, value: v }
      if (v instanceof ArrayBuffer) return { done: false, value: new Uint8Array(v) }
      throw badInput(`a stream chunk of type ${typeof v}`)
    },
    async return() {
      await it.return?.()
      return { done: true, value: undefined }
    },
  }
}
