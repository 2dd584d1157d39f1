import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normalizeCsv } from './normalize'

// Issue 16's property: for any generated table (with or without a header, any dialect, a random preamble, blank
// lines and totals), the generator's own count of data records it wrote equals emitted + quarantined, its count of
// preamble, blank and totals lines equals skipped, and every skipped line is listed with its line and a reason.

const WORDS = ['alpha', 'Bravo', 'charlie', 'Delta Ltd', 'echo', 'Foxtrot', 'golf, inc', 'Hotel "Lux"', 'india']

interface Table {
  text: string
  dataRecords: number
  skippedLines: number[]
}

const table = fc
  .record({
    width: fc.integer({ min: 2, max: 6 }),
    rows: fc.array(
      fc.record({ word: fc.constantFrom(...WORDS), amount: fc.integer({ min: 0, max: 99999 }), ragged: fc.boolean() }),
      {
        minLength: 2,
        maxLength: 25,
      },
    ),
    header: fc.boolean(),
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    preamble: fc.array(
      fc.record({
        text: fc.constantFrom('Sales report', 'Exported by finance 2026', 'Q1 figures'),
        padded: fc.boolean(),
      }),
      {
        maxLength: 4,
      },
    ),
    blanks: fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 4 }),
    totals: fc.constantFrom('none', 'word', 'sums'),
  })
  .map((t): Table => {
    const d = t.delimiter
    const quote = (v: string) => (/[,;\t|"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
    const lines: string[] = []
    const skipped: number[] = []
    const skip = (line: string) => {
      lines.push(line)
      skipped.push(lines.length)
    }
    for (const p of t.preamble) skip(p.padded ? p.text + d.repeat(t.width - 1) : p.text)
    if (t.header) lines.push(Array.from({ length: t.width }, (_, i) => `column ${String.fromCharCode(65 + i)}`).join(d))
    let dataRecords = 0
    const sums = new Array<number>(t.width).fill(0)
    t.rows.forEach((r, i) => {
      if (t.blanks.includes(i) && i > 0) skip('')
      const cells = [
        String(1000 + i),
        quote(r.word),
        ...Array.from({ length: t.width - 2 }, (_, j) => String(r.amount + j)),
      ]
      // a ragged row (one cell short) anywhere but first: it is written, and must come out quarantined
      const ragged = r.ragged && i > 0 && i < t.rows.length - 1
      if (!ragged) for (let j = 2; j < t.width; j++) sums[j] = (sums[j] as number) + Number(cells[j])
      lines.push((ragged ? cells.slice(0, -1) : cells).join(d))
      dataRecords++
    })
    if (t.totals === 'word') skip(['Total', ...Array.from({ length: t.width - 1 }, () => '')].join(d))
    if (t.totals === 'sums' && t.width > 2 && t.rows.every((r, i) => !(r.ragged && i > 0 && i < t.rows.length - 1)))
      skip(['', '', ...sums.slice(2).map(String)].join(d))
    return { text: lines.join(t.eol) + t.eol, dataRecords, skippedLines: skipped }
  })

describe('counting: generated tables with preamble, blank and totals lines', () => {
  it('records written = emitted + quarantined; preamble, blank and totals lines = skipped, each listed with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(table, async (t) => {
        const result = normalizeCsv(t.text)
        for await (const _ of result.rows);
        const report = await result.report
        const r = report.records
        const s = r.skipped
        expect(r.emitted + r.quarantined).toBe(t.dataRecords)
        expect(s.preamble + s.blank + s.summary + s.footer).toBe(t.skippedLines.length)
        expect(report.skippedLines.map((l) => l.line)).toEqual(t.skippedLines)
        for (const l of report.skippedLines) expect(l.reason.length).toBeGreaterThan(0)
        expect(r.read).toBe(r.emitted + r.quarantined + s.preamble + s.blank + s.summary + s.footer)
      }),
      { numRuns: 300 },
    )
  })
})
