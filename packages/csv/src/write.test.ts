import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { normalizeCsv, writeCsv } from './index'

describe('writeCsv', () => {
  it('quotes only what needs quoting, with CRLF by default', () => {
    expect(writeCsv([{ a: 'plain', b: 'with,comma', c: 'say "hi"', d: 'two\nlines', e: ' padded' }])).toBe(
      'a,b,c,d,e\r\nplain,"with,comma","say ""hi""","two\nlines"," padded"\r\n',
    )
  })

  it('writes the chosen delimiter and line ending, and quotes that delimiter', () => {
    expect(writeCsv([{ a: 'x;y', b: 'x,y' }], { delimiter: ';', lineEnding: '\n' })).toBe('a;b\n"x;y";x,y\n')
    expect(writeCsv([{ a: 'x\ty' }], { delimiter: '\t', lineEnding: '\n' })).toBe('a\n"x\ty"\n')
  })

  it('writes numbers, booleans, dates and nulls', () => {
    const when = new Date(Date.UTC(2026, 3, 3, 10, 0, 0))
    expect(writeCsv([{ n: 1234.5, b: true, d: when, z: null, u: undefined }], { lineEnding: '\n' })).toBe(
      'n,b,d,z,u\n1234.5,true,2026-04-03T10:00:00.000Z,,\n',
    )
  })

  it('in Excel mode writes a BOM, CRLF and, with decimal commas, semicolons', () => {
    expect(writeCsv([{ id: '007', amount: 12.5 }], { excel: true, decimal: ',' })).toBe(
      '\uFEFFid;amount\r\n007;12,5\r\n',
    )
    expect(writeCsv([{ id: '007' }], { excel: true }).startsWith('\uFEFFid\r\n')).toBe(true)
  })

  it.each(['=SUM(A1:A9)', '+1+1', '-1+1', '@cmd', '\tx', '\rx'])(
    'neutralises formula injection in %j by default',
    (cell) => {
      const out = writeCsv([{ v: cell }], { lineEnding: '\n' })
      const value = out.split('\n').slice(1).join('\n')
      expect(value.startsWith("'") || value.startsWith(`"'`)).toBe(true)
    },
  )

  it('leaves numbers alone and writes formulas verbatim when injectionSafe is false', () => {
    expect(writeCsv([{ n: -5, s: '=1+1' }], { lineEnding: '\n', injectionSafe: false })).toBe('n,s\n-5,=1+1\n')
  })

  it('takes columns in order with their own header text, and array rows', () => {
    expect(writeCsv([{ b: 2, a: 1 }], { columns: [{ key: 'a', header: 'Alpha' }, 'b'], lineEnding: '\n' })).toBe(
      'Alpha,b\n1,2\n',
    )
    expect(writeCsv([[1, 'x']], { lineEnding: '\n' })).toBe('1,x\n')
  })

  it('writes a single empty cell as "" so it does not read back as a blank line', () => {
    expect(writeCsv([{ a: '' }], { lineEnding: '\n' })).toBe('a\n""\n')
  })

  it('streams async rows through a Readable that normalizeCsv reads back', async () => {
    async function* rows() {
      for (let i = 0; i < 1000; i++) yield { id: String(i).padStart(4, '0'), note: `line ${i}\nsecond` }
    }
    const stream = writeCsv(rows())
    expect(stream).toBeInstanceOf(Readable)
    const result = normalizeCsv(stream)
    const back: unknown[] = []
    for await (const row of result.rows) back.push(row)
    expect(back).toHaveLength(1000)
    expect(back[7]).toEqual({ id: '0007', note: 'line 7\nsecond' })
  })

  it('validates its options', () => {
    expect(() => writeCsv([], { delimiter: ':' as ',' })).toThrow('Expected `delimiter` to be one of')
    expect(() => writeCsv([], { delimiter: ',', decimal: ',' })).toThrow(/different from the decimal separator/)
  })
})
