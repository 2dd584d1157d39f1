import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { isFieldkitError } from '@fieldkit/core'
import { afterAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type CsvInput, type CsvReport, type NormalizeOptions, normalizeCsv, sniffCsv } from './index'

async function collect<S extends z.ZodType | undefined = undefined>(input: CsvInput, options?: NormalizeOptions<S>) {
  const result = normalizeCsv(input, options)
  const rows: unknown[] = []
  for await (const row of result.rows) rows.push(row)
  const report = await result.report
  return { rows: rows as Record<string, unknown>[], report }
}

function addsUp(report: CsvReport): void {
  const r = report.records
  expect(r.read).toBe(
    r.emitted + r.quarantined + r.skipped.preamble + r.skipped.blank + r.skipped.summary + r.skipped.footer,
  )
}

/** Windows-1252 bytes for the few characters these fixtures use above U+00FF. */
function cp1252(text: string): Buffer {
  const high: Record<string, number> = {
    '€': 0x80,
    '‚': 0x82,
    '„': 0x84,
    '…': 0x85,
    '‘': 0x91,
    '’': 0x92,
    '“': 0x93,
    '”': 0x94,
    '–': 0x96,
    '—': 0x97,
  }
  return Buffer.from([...text].map((ch) => high[ch] ?? ch.charCodeAt(0)))
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le')
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1] as number, le[i] as number]
  return le
}

/** One byte per chunk: every multi-byte character is cut between chunks. */
async function* byteByByte(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1)
}

const TEXT = 'name;city;amount\nMüller;Zürich;1.234,50\n“Zoë” – Café;São Paulo;€ 12,00\n'
const ROWS = [
  { name: 'Müller', city: 'Zürich', amount: 1234.5 },
  { name: '“Zoë” – Café', city: 'São Paulo', amount: 12 },
]
const amountSchema = z.object({ name: z.string(), city: z.string(), amount: z.number() })

describe('encodings', () => {
  const latin = 'name;city;amount\nMüller;Zürich;1.234,50\nRenée;Köln;12,00\n'
  const cases: [string, Buffer, string, boolean, string][] = [
    ['UTF-8 without BOM', Buffer.from(TEXT), 'utf-8', false, TEXT],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]), 'utf-8', true, TEXT],
    [
      'UTF-16LE with BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]),
      'utf-16le',
      true,
      TEXT,
    ],
    ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(TEXT)]), 'utf-16be', true, TEXT],
    ['UTF-16LE without BOM', Buffer.from(TEXT, 'utf16le'), 'utf-16le', false, TEXT],
    ['Windows-1252 (curly quotes, dash and euro in 0x80–0x9F)', cp1252(TEXT), 'windows-1252', false, TEXT],
    ['ISO-8859-1 (accents only)', Buffer.from(latin, 'latin1'), 'iso-8859-1', false, latin],
  ]
  for (const [title, bytes, encoding, bom, text] of cases) {
    it(`reads ${title} as ${encoding}, also one byte per chunk`, async () => {
      const expectedRows =
        text === TEXT
          ? ROWS
          : [
              { name: 'Müller', city: 'Zürich', amount: 1234.5 },
              { name: 'Renée', city: 'Köln', amount: 12 },
            ]
      for (const input of [bytes, byteByByte(bytes)]) {
        const { rows, report } = await collect(input, { schema: amountSchema })
        expect(rows).toEqual(expectedRows)
        expect(report.dialect.encoding).toBe(encoding)
        expect(report.dialect.bom).toBe(bom)
        expect(report.dialect.delimiter).toBe(';')
      }
    })
  }

  it('reads a stream with the dialect sniffCsv found on an earlier copy of it', async () => {
    const bytes = cp1252(TEXT)
    const dialect = await sniffCsv(Readable.from([bytes]))
    expect(dialect).toMatchObject({ encoding: 'windows-1252', delimiter: ';', decimal: ',' })
    const { rows, report } = await collect(Readable.from([bytes]), { schema: amountSchema, dialect })
    expect(rows).toEqual(ROWS)
    expect(report.dialect.encodingReason).toBe('declared')
  })

  it('takes a declared encoding over the guess', async () => {
    const { report } = await collect(cp1252(TEXT), { encoding: 'iso-8859-1' })
    expect(report.dialect.encoding).toBe('iso-8859-1')
    expect(report.dialect.encodingReason).toBe('declared')
  })

  it('stops with FK_CSV_INVALID_ENCODING when UTF-8 turns invalid after the sniffed head', async () => {
    async function* chunks() {
      yield Buffer.from(`a,b\n${'é,1\n'.repeat(20_000)}`) // 100 kB of valid UTF-8: the sniffed head
      yield Buffer.from([0x78, 0xff, 0x2c, 0x31, 0x0a])
    }
    await expect(collect(chunks())).rejects.toMatchObject({
      code: 'FK_CSV_INVALID_ENCODING',
      details: { encoding: 'utf-8' },
    })
  })
})

describe('dialect sniffing stays right with decimal commas', () => {
  const table: [string, string, string][] = [
    ['semicolon, decimal commas', ';', 'id;price;qty\n1;1,5;2\n2;2,25;3\n3;10,0;1\n'],
    ['tab, decimal commas', '\t', 'id\tprice\tqty\n1\t1,5\t2\n2\t2,25\t3\n3\t10,0\t1\n'],
    ['pipe, decimal commas', '|', 'id|price|qty\n1|1,5|2\n2|2,25|3\n3|10,0|1\n'],
    ['comma, quoted decimal commas', ',', 'id,price,qty\n1,"1,5",2\n2,"2,25",3\n3,"10,0",1\n'],
    ['semicolon, every row one decimal comma (comma would also split evenly)', ';', 'id;price\n1;1,5\n2;2,5\n3;3,5\n'],
    ['semicolon, grouped thousands', ';', 'id;price;qty\n1;1.234,5;2\n2;12.345,25;3\n3;10,0;1\n'],
  ]
  for (const [title, delimiter, text] of table) {
    for (const [eolName, eol] of [
      ['LF', '\n'],
      ['CRLF', '\r\n'],
      ['CR', '\r'],
    ] as const) {
      it(`${title} with ${eolName} endings`, async () => {
        const input = text.replaceAll('\n', eol)
        const dialect = await sniffCsv(input)
        expect(dialect.delimiter).toBe(delimiter)
        expect(dialect.decimal).toBe(',')
        expect(dialect.lineEnding).toBe(eol)
        const { rows, report } = await collect(input, { schema: z.object({ id: z.string(), price: z.number() }) })
        expect(rows.map((r) => r.price)).toEqual(
          title.includes('thousands')
            ? [1234.5, 12345.25, 10]
            : title.includes('every')
              ? [1.5, 2.5, 3.5]
              : [1.5, 2.25, 10],
        )
        addsUp(report)
      })
    }
  }

  it('reads mixed line endings in one file', async () => {
    const { rows } = await collect('a,b\r\n1,2\n3,4\r5,6\r\n')
    expect(rows).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
      { a: '5', b: '6' },
    ])
  })
})

describe('preamble, summary and blank lines', () => {
  it('skips a report preamble and a totals line, and reports them', async () => {
    const text = 'Report generated 03/04/2026\nExported by: finance\n\nid;amount\n1;10,00\n\n2;5,50\nTotal;15,50\n'
    const { rows, report } = await collect(text, { schema: z.object({ id: z.string(), amount: z.number() }) })
    expect(rows).toEqual([
      { id: '1', amount: 10 },
      { id: '2', amount: 5.5 },
    ])
    expect(report.dialect.preamble).toEqual(['Report generated 03/04/2026', 'Exported by: finance'])
    expect(report.dialect.headerLine).toBe(4)
    expect(report.summary).toEqual([{ line: 8, raw: 'Total;15,50' }])
    expect(report.records).toEqual({
      read: 7,
      emitted: 2,
      quarantined: 0,
      skipped: { preamble: 2, blank: 2, summary: 1, footer: 0 },
    })
    addsUp(report)
  })

  it('treats a totals-looking line in the middle as a row', async () => {
    const { rows, report } = await collect('item,qty\nTotal Widget,3\nbolt,4\n')
    expect(rows).toEqual([
      { item: 'Total Widget', qty: '3' },
      { item: 'bolt', qty: '4' },
    ])
    expect(report.records.skipped.summary).toBe(0)
  })

  it('counts records, not physical lines, when quoted fields hold newlines', async () => {
    const { rows, report } = await collect('id,note\n1,"two\nlines"\n2,"three\r\nlines\rhere"\n3,plain\n')
    expect(rows).toHaveLength(3)
    expect(report.records.read).toBe(3)
    expect(report.lines).toBe(7)
    const bad = await collect('id,note\n1,"two\nlines",extra\n2,ok\n')
    expect(bad.report.quarantine[0]).toMatchObject({ line: 2, record: 1, raw: '1,"two\nlines",extra' })
  })
})

describe('ragged rows', () => {
  it('quarantines short and long rows per row, never shifting values', async () => {
    const { rows, report } = await collect('a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n')
    expect(rows).toEqual([
      { a: '1', b: '2', c: '3' },
      { a: '10', b: '11', c: '12' },
    ])
    expect(report.quarantine.map((q) => [q.line, q.issues[0]?.code, q.raw])).toEqual([
      [3, 'too_few_fields', '4,5'],
      [4, 'too_many_fields', '6,7,8,9'],
    ])
    addsUp(report)
  })

  it('quarantines a quote that is never closed, with the rest of the file as its raw text', async () => {
    const { rows, report } = await collect('a,b\n1,2\n3,"oops\n4,5\n')
    expect(rows).toEqual([{ a: '1', b: '2' }])
    expect(report.quarantine[0]).toMatchObject({ line: 3, issues: [{ code: 'unclosed_quote' }] })
    addsUp(report)
  })
})

describe('headers', () => {
  it('normalises case and separators, applies aliases, and makes duplicates unique', async () => {
    const text = ' Customer ID ,E-mail,Amount,Amount,amount\n1,a@x.test,1,2,3\n'
    const { rows, report } = await collect(text, { headers: { aliases: { email: ['E-mail', 'Email Address'] } } })
    expect(rows).toEqual([{ customer_id: '1', email: 'a@x.test', amount: '1', amount_2: '2', amount_3: '3' }])
    expect(report.duplicateHeaders.map((h) => [h.original, h.key])).toEqual([
      ['Amount', 'amount_2'],
      ['amount', 'amount_3'],
    ])
    expect(report.headers[1]).toMatchObject({ original: 'E-mail', key: 'email', alias: 'E-mail' })
  })

  it.each([
    ['camel', 'customerId'],
    ['kebab', 'customer-id'],
    ['keep', 'Customer ID'],
    ['snake', 'customer_id'],
  ] as const)('writes keys in %s case', async (form, key) => {
    const { rows } = await collect('Customer ID\n1\n', { headers: { case: form } })
    expect(Object.keys(rows[0] ?? {})).toEqual([key])
  })

  it('lists missing required columns with the nearest existing names', async () => {
    const error = await collect('custmer_id,amount\n1,2\n', {
      schema: z.object({ customer_id: z.string(), amount: z.number() }),
    }).catch((e: unknown) => e)
    expect(isFieldkitError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'FK_CSV_MISSING_COLUMNS', details: { missing: ['customer_id'] } })
    expect((error as Error).message).toContain('nearest: "custmer_id"')
  })
})

describe('values', () => {
  const numbers: [string, ',' | '.' | undefined, number | string][] = [
    ['1.234,56', ',', 1234.56],
    ['1,234.56', '.', 1234.56],
    ['1 234,56', ',', 1234.56],
    ['1\u00a0234,56', ',', 1234.56],
    ["1'234.50", '.', 1234.5],
    ['€ 12,50', ',', 12.5],
    ['12,50 €', ',', 12.5],
    ['$1,234.00', '.', 1234],
    ['CHF 99.90', '.', 99.9],
    ['12%', '.', 0.12],
    ['12,5 %', ',', 0.125],
    ['(12.00)', '.', -12],
    ['-1.234,5', ',', -1234.5],
    ['12-', '.', -12],
    ['0,123', undefined, 0.123],
    ['1,5', undefined, 1.5],
    ['1,234', undefined, 'ambiguous_number'],
    ['1.234', undefined, 'ambiguous_number'],
    ['1,234', '.', 1234],
    ['1.234', ',', 1234],
    ['1.2.3', '.', 'invalid_number'],
    ['12abc', '.', 'invalid_number'],
    ['1,23,4', '.', 'invalid_number'],
    ['1e3', '.', 1000],
  ]
  for (const [text, decimal, want] of numbers) {
    it(`reads number ${JSON.stringify(text)} with decimal ${decimal ?? 'unknown'} as ${want}`, async () => {
      const { rows, report } = await collect(`v\n"${text}"\n`, {
        schema: z.object({ v: z.number() }),
        values: decimal === undefined ? {} : { decimal },
        dialect: { delimiter: ',', decimal: undefined },
      })
      if (typeof want === 'number') expect(rows).toEqual([{ v: want }])
      else expect(report.quarantine[0]?.issues).toEqual([expect.objectContaining({ column: 'v', code: want })])
    })
  }

  it.each([
    ['', null],
    ['NA', null],
    ['n/a', null],
    ['NULL', null],
    ['-', null],
    ['  ', null],
  ])('reads %j as null', async (cell, want) => {
    const { rows } = await collect(`id,v\n1,${cell}\n`, {
      schema: z.object({ id: z.string(), v: z.number().nullable() }),
    })
    expect(rows).toEqual([{ id: '1', v: want }])
  })

  it('takes configured null tokens instead of the defaults', async () => {
    const { rows } = await collect('id,v\n1,-\n2,(none)\n', { values: { nullTokens: ['(none)'] } })
    expect(rows).toEqual([
      { id: '1', v: '-' },
      { id: '2', v: null },
    ])
  })

  it.each([
    ['Y', true],
    ['n', false],
    ['yes', true],
    ['No', false],
    ['1', true],
    ['0', false],
    ['TRUE', true],
    ['false', false],
    ['ja', true],
    ['Nein', false],
  ])('reads boolean %j as %s', async (cell, want) => {
    const { rows } = await collect(`v\n${cell}\n`, { schema: z.object({ v: z.boolean() }) })
    expect(rows).toEqual([{ v: want }])
  })

  it('quarantines a boolean it cannot read', async () => {
    const { report } = await collect('v\nmaybe\n', { schema: z.object({ v: z.boolean() }) })
    expect(report.quarantine[0]?.issues[0]).toMatchObject({ column: 'v', code: 'invalid_boolean' })
  })

  const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d))
  const dates: [string, string[] | undefined, Date | string][] = [
    ['2026-04-03', undefined, day(2026, 4, 3)],
    ['2026-04-03T10:20:30Z', undefined, new Date(Date.UTC(2026, 3, 3, 10, 20, 30))],
    ['2026-04-03T10:20:30+02:00', undefined, new Date(Date.UTC(2026, 3, 3, 8, 20, 30))],
    ['03/04/2026', undefined, 'ambiguous_date'],
    ['03/04/2026', ['DD/MM/YYYY'], day(2026, 4, 3)],
    ['03/04/2026', ['MM/DD/YYYY'], day(2026, 3, 4)],
    ['25/04/2026', undefined, day(2026, 4, 25)],
    ['04/25/2026', undefined, day(2026, 4, 25)],
    ['03.04.2026', ['DD.MM.YYYY'], day(2026, 4, 3)],
    ['3.4.26', ['D.M.YY'], day(2026, 4, 3)],
    ['20260403', ['YYYYMMDD'], day(2026, 4, 3)],
    ['31/02/2026', ['DD/MM/YYYY'], 'invalid_date'],
    ['2026-02-30', undefined, 'invalid_date'],
    ['44197', undefined, day(2021, 1, 1)],
    ['1', undefined, day(1900, 1, 1)],
    ['61', undefined, day(1900, 3, 1)],
    ['44197.5', undefined, new Date(Date.UTC(2021, 0, 1, 12))],
    ['yesterday', undefined, 'invalid_date'],
  ]
  for (const [text, formats, want] of dates) {
    it(`reads date ${text}${formats ? ` declared ${formats.join(',')}` : ''} as ${want instanceof Date ? want.toISOString() : want}`, async () => {
      const { rows, report } = await collect(`v\n${text}\n`, {
        schema: z.object({ v: z.date() }),
        values: formats ? { dateFormats: formats } : {},
      })
      if (want instanceof Date) expect(rows).toEqual([{ v: want }])
      else expect(report.quarantine[0]?.issues[0]).toMatchObject({ column: 'v', code: want })
    })
  }

  it('reads 03/04/2026 as 3 April when the column shows day-first dates elsewhere', async () => {
    const { rows } = await collect('v\n03/04/2026\n25/12/2025\n', { schema: z.object({ v: z.date() }) })
    expect(rows).toEqual([{ v: day(2026, 4, 3) }, { v: day(2025, 12, 25) }])
  })

  it('keeps ids with leading zeros as strings', async () => {
    const { rows } = await collect('id;zip;n\n007;01234;007\n', {
      schema: z.object({ id: z.string(), zip: z.string(), n: z.number() }),
    })
    expect(rows).toEqual([{ id: '007', zip: '01234', n: 7 }])
  })
})

describe('zod quarantine and error limits', () => {
  const schema = z.object({ id: z.string().regex(/^\d+$/), email: z.email(), amount: z.number().min(0) })

  it('quarantines a row with its line, raw text, column, issue codes and reason', async () => {
    const { rows, report } = await collect('id,email,amount\n1,a@x.test,5\nX2,not-mail,-3\n', { schema })
    expect(rows).toHaveLength(1)
    const entry = report.quarantine[0]
    expect(entry).toMatchObject({ line: 3, record: 2, raw: 'X2,not-mail,-3' })
    expect(entry?.issues.map((i) => [i.column, i.code])).toEqual([
      ['id', 'invalid_format'],
      ['email', 'invalid_format'],
      ['amount', 'too_small'],
    ])
    expect(entry?.reason).toContain('amount:')
    addsUp(report)
  })

  it('stops with FK_CSV_TOO_MANY_ERRORS after maxErrors', async () => {
    const text = `id,email,amount\n${'x,y,z\n'.repeat(20)}`
    await expect(collect(text, { schema, maxErrors: 5 })).rejects.toMatchObject({
      code: 'FK_CSV_TOO_MANY_ERRORS',
      details: { quarantined: 6 },
    })
  })

  it('stops with FK_CSV_TOO_MANY_ERRORS above maxErrorRatio, and the report rejects with the same error', async () => {
    const text = `id,email,amount\n${'1,a@x.test,1\nx,y,z\n'.repeat(200)}`
    const result = normalizeCsv(text, { schema, maxErrorRatio: 0.2 })
    await expect(result.report).rejects.toMatchObject({ code: 'FK_CSV_TOO_MANY_ERRORS' })
  })

  it('throws FK_CSV_INVALID_ROW without the row text when onInvalid is "throw"', async () => {
    const error = await collect('id,email,amount\nx,secret@x.test,1\n', { schema, onInvalid: 'throw' }).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'FK_CSV_INVALID_ROW', details: { line: 2 } })
    expect(JSON.stringify(error)).not.toContain('secret@x.test')
  })

  it('calls an onInvalid callback for each quarantined row', async () => {
    const seen: number[] = []
    await collect('id,email,amount\nx,y,1\n2,b@x.test,1\n', { schema, onInvalid: (e) => seen.push(e.line) })
    expect(seen).toEqual([2])
  })

  it('validates options once, naming the option', () => {
    expect(() => normalizeCsv('a\n1\n', { maxErrors: -1 })).toThrow(
      'Expected `maxErrors` to be a non-negative integer, got -1',
    )
    expect(() => normalizeCsv('a\n1\n', { maxErrorRatio: 2 })).toThrow(/maxErrorRatio/)
  })
})

describe('inputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-csv-'))
  const file = join(dir, 'in.csv')
  writeFileSync(file, 'a,b\n1,2\n')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const bytes = Buffer.from('a,b\n1,2\n')
  const inputs: [string, () => CsvInput][] = [
    ['a string of CSV text', () => 'a,b\n1,2\n'],
    ['a Buffer', () => bytes],
    ['a Node Readable', () => Readable.from([bytes.subarray(0, 3), bytes.subarray(3)])],
    ['a web ReadableStream', () => new Blob([bytes]).stream()],
    ['an async iterable of bytes', () => byteByByte(bytes)],
    ['a file URL', () => pathToFileURL(file)],
    ['a { path }', () => ({ path: file })],
  ]
  for (const [title, make] of inputs)
    it(`reads ${title}`, async () => {
      expect((await collect(make())).rows).toEqual([{ a: '1', b: '2' }])
    })

  it('reads a file of many 64 KiB chunks by path as it reads the same text, multi-byte characters cut at every boundary', async () => {
    // one FileHandle and one reused buffer: each chunk must be decoded before the next read overwrites it
    const big = join(dir, 'big.csv')
    const lines = ['id,name,note']
    for (let i = 0; i < 12_000; i++) lines.push(`${i},Zoë ${'é'.repeat(i % 7)},"naïve, ""déjà""\nvu ${i}"`)
    const text = `${lines.join('\n')}\n`
    writeFileSync(big, text)
    expect(Buffer.byteLength(text)).toBeGreaterThan(8 * 64 * 1024)
    const fromFile = await collect({ path: big })
    const fromText = await collect(text)
    expect(fromFile.rows).toHaveLength(12_000)
    expect(fromFile.rows).toEqual(fromText.rows)
    expect(fromFile.report.records).toEqual(fromText.report.records)
  })

  it('closes the file when the loop stops early and when it reads to the end', async () => {
    const big = join(dir, 'early.csv')
    writeFileSync(big, `id\n${'1\n'.repeat(200_000)}`)
    // the descriptors this process holds open on the file, from /proc (the tests run on Linux)
    const openOnFile = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === big
        } catch {
          return false
        }
      }).length
    const result = normalizeCsv({ path: big })
    let seen = 0
    for await (const _ of result.rows) {
      if (seen === 0) expect(openOnFile()).toBe(1)
      if (++seen === 5) break
    }
    expect((await result.report).complete).toBe(false)
    expect(openOnFile()).toBe(0)
    expect((await collect({ path: big })).rows).toHaveLength(200_000)
    expect(openOnFile()).toBe(0)
  })

  it('refuses what it cannot read with FK_CSV_INVALID_INPUT', async () => {
    await expect(collect(42 as unknown as CsvInput)).rejects.toMatchObject({ code: 'FK_CSV_INVALID_INPUT' })
    await expect(collect(new URL('https://example.invalid/x.csv'))).rejects.toMatchObject({
      code: 'FK_CSV_INVALID_INPUT',
    })
  })

  it('reads no further than the loop asks (backpressure)', async () => {
    let pulled = 0
    async function* chunks() {
      yield Buffer.from('id,v\n')
      for (let i = 0; i < 1000; i++) {
        pulled++
        yield Buffer.from(`${'x,1\n'.repeat(5000)}`)
      }
    }
    const result = normalizeCsv(chunks())
    let seen = 0
    for await (const _ of result.rows) if (++seen === 10) break
    expect(pulled).toBeLessThan(10)
    const report = await result.report
    expect(report.complete).toBe(false)
  })

  it('resolves the report by reading the rows when nobody iterates them', async () => {
    const report = await normalizeCsv('a\n1\n2\n').report
    expect(report.records.emitted).toBe(2)
  })
})

describe('exports as Excel writes them', () => {
  it('finds the header below a title line padded with delimiters (Report – date;;;;)', async () => {
    const text =
      'Lohnabrechnung Export – erstellt am 03.11.2026;;;;\r\n\r\nPersonalnr;Name;Brutto;IBAN;Datum\r\n000007;Anna;1.234,56;DE89370400440532013000;28.11.2026\r\n000014;Björn;2.000,00;DE89370400440532013000;28.11.2026\r\n'
    const result = normalizeCsv(text)
    const rows = []
    for await (const row of result.rows) rows.push(row)
    const report = await result.report
    expect(report.dialect).toMatchObject({ headerLine: 3, preambleRecords: 1, delimiter: ';' })
    expect(rows[0]).toMatchObject({ personalnr: '000007', name: 'Anna' })
    expect(report.records).toMatchObject({ read: 4, emitted: 2, skipped: { preamble: 1, blank: 1, summary: 0 } })
  })

  it('decodes Windows-1252 punctuation (€ – Š) the same on every Node version', async () => {
    const bytes = Buffer.from([
      ...Buffer.from('Name;Betrag\r\n'),
      0x8a,
      ...Buffer.from('árka;5 ', 'latin1'),
      0x80,
      ...Buffer.from(' '),
      0x96,
      ...Buffer.from(' bar\r\n'),
    ])
    const result = normalizeCsv(bytes)
    const rows = []
    for await (const row of result.rows) rows.push(row)
    const report = await result.report
    expect(report.dialect.encoding).toBe('windows-1252')
    expect(rows).toEqual([{ name: 'Šárka', betrag: '5 € – bar' }])
  })
})
