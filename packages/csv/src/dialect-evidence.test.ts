import { describe, expect, it } from 'vitest'
import { type NormalizeOptions, normalizeCsv } from './normalize'
import { sniffCsv } from './sniff'

async function read(text: string, options: NormalizeOptions = {}) {
  const result = normalizeCsv(text, options)
  const rows: Record<string, string | null>[] = []
  for await (const r of result.rows) rows.push(r)
  const report = await result.report
  const r = report.records
  const s = r.skipped
  expect(r.read).toBe(r.emitted + r.quarantined + s.preamble + s.blank + s.summary + s.footer)
  expect(report.skippedLines).toHaveLength(s.preamble + s.blank + s.summary + s.footer)
  return { rows, report }
}

describe('header row: auto, a line, none, or names', () => {
  it('reads a headerless file as data when its first row types like the rows below', async () => {
    const { rows, report } = await read('abc;123\ndef;456\nghi;789\n')
    expect(report.dialect).toMatchObject({ hasHeader: false, headerLine: 0 })
    expect(report.dialect.headerReason).toMatch(/types like the data below/)
    expect(rows).toEqual([
      { column_1: 'abc', column_2: '123' },
      { column_1: 'def', column_2: '456' },
      { column_1: 'ghi', column_2: '789' },
    ])
  })

  it('reads a one-line headerless file as one record', async () => {
    const { rows, report } = await read('E1001;2026-03-04;12,50\n')
    expect(report.dialect.hasHeader).toBe(false)
    expect(rows).toHaveLength(1)
  })

  it('takes distinct labels over typed columns as the header, and says so', async () => {
    const { report } = await read('id;amount;booked\n1;12,50;2026-03-04\n2;3,10;2026-03-05\n')
    expect(report.dialect).toMatchObject({ hasHeader: true, headerLine: 1 })
    expect(report.dialect.headerReason).toMatch(/labels over typed columns/)
  })

  it('follows headers.row: none, a line number, or the column names', async () => {
    const text = 'name;city\nAnn;Oslo\nBob;Rome\n'
    expect((await read(text, { headers: { row: 'none' } })).rows).toHaveLength(3)
    const named = await read(text, { headers: { row: ['who', 'where'] } })
    expect(named.rows[0]).toEqual({ who: 'name', where: 'city' })
    const second = await read('Export 2026\nname;city\nAnn;Oslo\n', { headers: { row: 2 } })
    expect(second.report.dialect.headerLine).toBe(2)
    expect(second.rows).toEqual([{ name: 'Ann', city: 'Oslo' }])
  })

  it('refuses a malformed headers.row', () => {
    expect(() => normalizeCsv('a\n', { headers: { row: 0 } })).toThrow(/headers.row/)
  })
})

describe('ragged rows do not move the header', () => {
  it('keeps line 1 as the header and quarantines the short and the long row with reasons', async () => {
    const { rows, report } = await read('id,name,age\n1101,John\n1102,Julie,26,Potatoes\n')
    expect(report.dialect.headerLine).toBe(1)
    expect(rows).toEqual([])
    expect(report.records).toMatchObject({ read: 2, quarantined: 2, emitted: 0 })
    expect(report.quarantine.map((q) => q.issues[0]?.code)).toEqual(['too_few_fields', 'too_many_fields'])
  })
})

describe('totals lines need evidence, and every skipped line is listed', () => {
  it('quarantines a short last row instead of skipping it as totals', async () => {
    const { report } = await read('id,name,age\n1,Ann,30\n2,Bob,40\n5\n')
    expect(report.records).toMatchObject({ emitted: 2, quarantined: 1, skipped: { summary: 0 } })
    expect(report.quarantine[0]).toMatchObject({ line: 4, issues: [{ code: 'too_few_fields' }] })
  })

  it.each([
    ['Total', 'Total;;70'],
    ['Summe', 'Summe;;70'],
    ['Gesamt', 'Gesamt:;;70'],
    ['Totaal', 'Totaal;;70'],
    ['Somme', 'Somme;;70'],
    ['Suma', 'Suma;;70'],
    ['Totale', 'Totale;;70'],
    ['Σύνολο', 'Σύνολο;;70'],
    ['Итого', 'Итого;;70'],
  ])('skips a totals line that starts with %s, with its line and reason', async (word, line) => {
    const { report } = await read(`id;name;age\n1;Ann;30\n2;Bob;40\n${line}\n`)
    expect(report.records.skipped.summary).toBe(1)
    expect(report.skippedLines).toEqual([{ line: 4, kind: 'summary', reason: `totals line: starts with "${word}"` }])
  })

  it('skips a totals line without a word when its numbers equal the column sums', async () => {
    const { report } = await read('id;name;amount\n1;Ann;30\n2;Bob;40\n3;Cy;5\n;;75\n')
    expect(report.records).toMatchObject({ emitted: 3, skipped: { summary: 1 } })
    expect(report.skippedLines[0]?.reason).toMatch(/column sums/)
  })

  it('lists preamble and blank lines with their line numbers', async () => {
    const { report } = await read('Report\n\nid;v\n1;2\n')
    expect(report.skippedLines).toEqual([
      { line: 1, kind: 'preamble', reason: expect.stringContaining('before the table') },
      { line: 2, kind: 'blank', reason: 'blank line before the table' },
    ])
  })
})

describe('delimiter-padded preamble and footnotes', () => {
  it('finds the header under five padded preamble lines over a short body', async () => {
    const text =
      'Umsatzbericht;;;\nFirma Beispiel GmbH;;;\nZeitraum: 03/2026;;;\n;;;\nErstellt: 04.04.2026;;;\n' +
      'Konto;Name;Betrag;Datum\n4711;Miete;1200,00;01.03.2026\n4712;Strom;80,50;02.03.2026\nSumme;;1280,50;\n'
    const { rows, report } = await read(text)
    expect(report.dialect).toMatchObject({ headerLine: 6, preambleRecords: 5, hasHeader: true })
    expect(rows).toHaveLength(2)
    expect(report.records.skipped).toMatchObject({ summary: 1 })
  })

  it('treats padded footnotes after the data as a footer, listed in the report', async () => {
    const text = 'id,name,city\n1,Ann,Oslo\n2,Bob,Rome\nReport created October 10,,\nSource: finance export v2,,\n'
    const { rows, report } = await read(text)
    expect(rows).toHaveLength(2)
    expect(report.footer.map((f) => f.line)).toEqual([4, 5])
    expect(report.skippedLines.map((s) => s.kind)).toEqual(['footer', 'footer'])
  })
})

describe('quote character', () => {
  it("detects ' as the quote and reports none when the file quotes nothing", async () => {
    const single = await sniffCsv("id,name\n1,'Smith, Ann'\n2,'Jones, Bob'\n3,'Lee, Cy'\n")
    expect(single.quote).toBe("'")
    expect((await sniffCsv('id,name\n1,Ann\n')).quote).toBe('')
    expect((await sniffCsv('id,name\n1,"Smith, Ann"\n')).quote).toBe('"')
  })
})

describe('backslash escapes', () => {
  const text =
    'id,title,year\n1,Dr. Seltsam\\, oder wie ich lernte,1964\n2,"Der \\"Pate\\"",1972\n3,Alien,1979\n4,M\\, eine Stadt,1931\n'

  it('detects \\ as the escape character when the file uses it, and reads the fields whole', async () => {
    const { rows, report } = await read(text)
    expect(report.dialect.escape).toBe('\\')
    expect(report.records.quarantined).toBe(0)
    expect(rows.map((r) => r.title)).toEqual([
      'Dr. Seltsam, oder wie ich lernte',
      'Der "Pate"',
      'Alien',
      'M, eine Stadt',
    ])
  })

  it('accepts dialect.escape, and keeps doubled quotes as the default', async () => {
    const declared = await read('a,b\n1,x\\,y\n', { dialect: { escape: '\\' } })
    expect(declared.rows).toEqual([{ a: '1', b: 'x,y' }])
    expect((await sniffCsv('a,b\n1,"say ""hi"""\n')).escape).toBe('"')
    expect(() => normalizeCsv('a\n', { dialect: { escape: '%' as never } })).toThrow(/dialect.escape/)
  })
})
