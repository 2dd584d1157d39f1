import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type RecordOutcome, RecordRouter, type RouterOptions } from './record-router'
import { isBlankCell } from './sniff'
import type { RawRecord } from './tokenizer'

const rec = (line: number, raw: string, fields = raw === '' ? [''] : raw.split(';')): RawRecord => ({
  fields,
  line,
  raw,
  blank: raw === '',
  flag: undefined,
})

function route(
  lines: string[],
  options: Partial<RouterOptions> = {},
  outcome = (_: RawRecord): RecordOutcome => 'emitted',
) {
  const seen: string[] = []
  const router = new RecordRouter(
    { preambleRecords: 0, hasHeader: true, trim: true, trailers: true, ...options },
    {
      begin: (first, isHeader) => {
        seen.push(`${isHeader ? 'header' : 'first'}:${first.line}`)
        return first.fields.length
      },
      data: (r) => {
        seen.push(`data:${r.line}`)
        return outcome(r)
      },
      quarantined: () => seen.push('quarantined'),
    },
  )
  for (const [i, l] of lines.entries()) router.route(rec(i + 1, l))
  router.end()
  const c = router.counts
  expect(c.read).toBe(
    c.emitted + c.quarantined + c.skipped.preamble + c.skipped.blank + c.skipped.summary + c.skipped.footer,
  )
  return { router, seen }
}

describe('record router', () => {
  it('skips the preamble, begins at the header and routes the rest as data', () => {
    const { router, seen } = route(['Title', '', 'a;b', '1;2', '3;4'], { preambleRecords: 1 })
    expect(seen).toEqual(['header:3', 'data:4', 'data:5'])
    expect(router.counts).toEqual({
      read: 4,
      emitted: 2,
      quarantined: 0,
      skipped: { preamble: 1, blank: 1, summary: 0, footer: 0 },
    })
  })

  it('counts the first record as data when there is no header row', () => {
    const { router, seen } = route(['1;2', '3;4'], { hasHeader: false })
    expect(seen).toEqual(['first:1', 'data:1', 'data:2'])
    expect(router.counts.read).toBe(2)
  })

  it('counts a quarantined record and calls back after counting it', () => {
    const { router, seen } = route(['a;b', '1;2', 'x;y'], {}, (r) => (r.line === 3 ? 'quarantined' : 'emitted'))
    expect(seen.slice(-2)).toEqual(['data:3', 'quarantined'])
    expect(router.counts).toMatchObject({ emitted: 1, quarantined: 1 })
  })

  it('holds a totals-looking record and releases it as data when a row follows', () => {
    const { router, seen } = route(['a;b', 'Total;3', '', '1;2', 'Total;3'])
    expect(seen).toEqual(['header:1', 'data:2', 'data:4'])
    expect(router.counts.skipped).toEqual({ preamble: 0, blank: 1, summary: 1, footer: 0 })
    expect(router.summary).toEqual([{ line: 5, raw: 'Total;3' }])
  })

  it('skips a trailing line as totals by its sums only when the sniff found them', () => {
    expect(route(['a;b', '1;2', ';2']).router.counts.skipped.summary).toBe(0)
    expect(route(['a;b', '1;2', ';2'], { summaryLines: [3] }).router.counts.skipped.summary).toBe(1)
  })

  it('takes trailing padded prose as a footer, and keeps everything when trailers are off', () => {
    const lines = ['a;b;c', '1;2;3', 'Created by the export tool;;']
    expect(route(lines).router.footer).toEqual([{ line: 3, raw: 'Created by the export tool;;' }])
    expect(route(lines, { trailers: false }).router.counts.emitted).toBe(2)
  })

  it('keeps at most listLimit skipped lines and says the list is cut', () => {
    const { router } = route(['a', '', '', '', '1'], { listLimit: 2 })
    expect(router.skipped).toHaveLength(2)
    expect(router.skippedTruncated).toBe(true)
    expect(router.counts.skipped.blank).toBe(3)
  })
})

describe('isBlankCell', () => {
  it('agrees with trim() for any cell, whitespace of every kind included', () => {
    const chars = fc.constantFrom(
      ' ',
      '\t',
      '\n',
      '\r',
      '\u00a0',
      '\u2003',
      '\u3000',
      '\ufeff',
      '\u0085',
      'a',
      '1',
      ',',
      '\u00e9',
    )
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 6 }), (cs) => {
        const cell = cs.join('')
        expect(isBlankCell(cell)).toBe(cell.trim() === '')
      }),
      { numRuns: 3000 },
    )
  })
})
