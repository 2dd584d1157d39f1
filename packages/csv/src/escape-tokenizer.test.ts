import { describe, expect, it } from 'vitest'
import { feedInChunks } from './chunked-tokenizer.test-helper'
import { EscapeTokenizer } from './escape-tokenizer'

describe('escape tokenizer on a record longer than its chunks', () => {
  // As the built-in tokenizer did before (tokenizer.test.ts): a long record fed in small chunks was parsed again
  // from its start on every chunk (O(n²)); it is now parsed again only once the held text has doubled.
  const feed = (text: string, size: number, maxRecordSize = 1 << 22) =>
    feedInChunks(new EscapeTokenizer({ delimiter: ',', quote: '"', escape: '\\', maxRecordSize }), text, size)

  it('reads a 2 MB record of escaped delimiters fed in 1 KiB chunks with a logarithmic number of parses', () => {
    const wide = Array.from({ length: 200_000 }, (_, i) => `${i}\\,x`).join(',')
    const text = `${wide}\n"a\\"b\nc",d\ne,f\n`
    const { out, parses } = feed(text, 1024)
    expect(out.map((r) => r.fields.length)).toEqual([200_000, 2, 2])
    expect(out[0]?.fields[199_999]).toBe('199999,x')
    expect(out.map((r) => r.line)).toEqual([1, 2, 4])
    expect(out[1]?.fields[0]).toBe('a"b\nc')
    expect(parses).toBeLessThan(40) // about 2,100 chunks: one parse each before
  })

  it('still refuses a record over maxRecordSize, and takes one just under it', () => {
    const record = 'x'.repeat(100_000)
    expect(() => feed(`${record}${record}\nz\n`, 1000, 100_000)).toThrow(
      expect.objectContaining({ code: 'FK_CSV_RECORD_TOO_LARGE' }),
    )
    expect(feed(`${record.slice(1)}\nz\n`, 1000, 100_000).out.map((r) => r.raw.length)).toEqual([99_999, 1])
  })
})
