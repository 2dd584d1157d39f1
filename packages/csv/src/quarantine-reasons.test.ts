import { errorTexts, expectNoLeak, rejection } from '@fieldkit/testing'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { normalizeCsv } from './normalize'
import { shapeOf } from './values'

const CARD = '4111 1111 1111 1111'
const csv = `name;amount;paid;born\nAnn;${CARD};maybe-Ann;31/31/1999\nBob;1.234;ja;01/02/2000\n`
const schema = z.object({ name: z.string(), amount: z.number(), paid: z.boolean(), born: z.date() })

async function run(options: Parameters<typeof normalizeCsv>[1] = {}) {
  const result = normalizeCsv(csv, { schema, ...options })
  for await (const _ of result.rows);
  return result.report
}

describe('quarantine reasons describe the shape of a value, not the value', () => {
  it('says what a cell looks like: length, digits, letters', () => {
    expect(shapeOf(CARD)).toBe('19 characters: 16 digits, 3 spaces')
    expect(shapeOf('')).toBe('empty')
    expect(shapeOf('Zoë-1')).toBe('5 characters: 1 digit, 3 letters, 1 other character')
  })

  it('keeps card numbers, names and dates out of reasons and issue messages; raw keeps the row', async () => {
    const report = await run()
    const entry = report.quarantine[0]
    expect(entry?.issues.map((i) => i.code).sort()).toEqual(['invalid_boolean', 'invalid_date', 'invalid_number'])
    expect(entry?.reason).toContain('amount: not a number: 19 characters: 16 digits, 3 spaces')
    expect(entry?.raw).toContain(CARD)
    const texts = report.quarantine.flatMap((q) => [q.reason, ...q.issues.map((i) => i.message)])
    expectNoLeak([CARD, 'maybe-Ann', '31/31/1999', '1.234'], texts)
  })

  it('keeps them out of FK_CSV_INVALID_ROW when onInvalid is "throw"', async () => {
    const error = await rejection(run({ onInvalid: 'throw' }))
    expect((error as { code?: string }).code).toBe('FK_CSV_INVALID_ROW')
    expectNoLeak([CARD, 'maybe-Ann', '31/31/1999'], errorTexts(error))
  })

  it('quotes the value only when the caller opts in with values.quoteValues', async () => {
    const report = await run({ values: { quoteValues: true } })
    expect(report.quarantine[0]?.reason).toContain(`(value "${CARD}")`)
  })
})
