import { describe, expect, it } from 'vitest'
import { feedInChunks } from './chunked-tokenizer.test-helper'
import { Tokenizer } from './tokenizer'

describe('tokenizer on a record longer than its chunks', () => {
  // A 150,000-column row fed in 64 KiB slices was scanned again from its start on every slice (O(n²)); the
  // tokenizer now parses again only once the held text has doubled.
  const feed = (text: string, size: number, maxRecordSize = 1 << 22) =>
    feedInChunks(new Tokenizer({ delimiter: ',', quote: '"', maxRecordSize }), text, size)

  it('reads a 2 MB record fed in 1 KiB chunks with a logarithmic number of parses, then the records after it', () => {
    const wide = Array.from({ length: 300_000 }, (_, i) => String(i)).join(',')
    const text = `${wide}\n"a\nb",c\nd,e\n`
    const { out, parses } = feed(text, 1024)
    expect(out.map((r) => r.fields.length)).toEqual([300_000, 2, 2])
    expect(out[0]?.fields[299_999]).toBe('299999')
    expect(out.map((r) => r.line)).toEqual([1, 2, 4])
    expect(out[1]?.fields[0]).toBe('a\nb')
    expect(parses).toBeLessThan(40) // 2,000 chunks: one parse each before
  })

  it('still refuses a record over maxRecordSize, and takes one just under it', () => {
    const record = 'x'.repeat(100_000)
    expect(() => feed(`${record}${record}\nz\n`, 1000, 100_000)).toThrow(
      expect.objectContaining({ code: 'FK_CSV_RECORD_TOO_LARGE' }),
    )
    expect(feed(`${record.slice(1)}\nz\n`, 1000, 100_000).out.map((r) => r.raw.length)).toEqual([99_999, 1])
  })
})
