import { vi } from 'vitest'
import type { ChunkedTokenizer, RawRecord } from './chunked-tokenizer'

/** Feeds `text` to `tokenizer` in chunks of `size` characters: the records, and how many times it parsed. */
export function feedInChunks(
  tokenizer: ChunkedTokenizer,
  text: string,
  size: number,
): { out: RawRecord[]; parses: number } {
  const parse = vi.spyOn(tokenizer as unknown as { parse: () => number }, 'parse')
  const out: RawRecord[] = []
  for (let i = 0; i < text.length; i += size) tokenizer.push(text.slice(i, i + size), out)
  tokenizer.end(out)
  return { out, parses: parse.mock.calls.length }
}
