import { rejection } from '@fieldkit/testing'
import * as v from 'valibot'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z as z4 } from 'zod'
import { z as z3 } from 'zod3'
import { normalizeCsv } from './normalize'

const FILE = 'ID;Amount;Paid;Due;Note\n007;1.234,50;ja;31.12.2024;\n008;x;nein;01.01.2025;late\n'

async function run<S extends Parameters<typeof normalizeCsv>[1]>(options: S) {
  const result = normalizeCsv(FILE, { ...options, values: { dateFormats: ['DD.MM.YYYY'], ...options?.values } })
  const rows: unknown[] = []
  for await (const row of result.rows) rows.push(row)
  return { rows, report: await result.report }
}

const expectedFirst = { id: '007', amount: 1234.5, paid: true, due: new Date(Date.UTC(2024, 11, 31)) }

describe('normalizeCsv with any Standard Schema', () => {
  it('zod 3.25: reads column kinds from _def (optional, nullable, default, transform), types the rows', async () => {
    const schema = z3.object({
      id: z3.string(),
      amount: z3.number(),
      paid: z3.boolean().default(false),
      due: z3.date(),
      note: z3.string().nullable().optional(),
    })
    const result = normalizeCsv(FILE, { schema })
    expectTypeOf(result.rows).toEqualTypeOf<
      AsyncIterable<{ id: string; amount: number; paid: boolean; due: Date; note?: string | null | undefined }>
    >()
    const { rows, report } = await run({ schema })
    expect(rows).toEqual([{ ...expectedFirst, note: null }])
    expect(report.quarantine[0]?.issues).toEqual([
      { column: 'amount', code: 'invalid_number', message: expect.any(String) },
    ])
  })

  it('zod 4: reads column kinds from _zod.def', async () => {
    const schema = z4.object({
      id: z4.string(),
      amount: z4.number(),
      paid: z4.boolean(),
      due: z4.date(),
      note: z4.string().nullable(),
    })
    const { rows, report } = await run({ schema })
    expect(rows).toEqual([{ ...expectedFirst, note: null }])
    expect(report.records).toMatchObject({ read: 2, emitted: 1, quarantined: 1 })
  })

  it('zod 3 and zod 4 quarantine a schema failure with the issue code and column', async () => {
    for (const schema of [
      z3.object({ id: z3.string().length(2) }).passthrough(),
      z4.looseObject({ id: z4.string().length(2) }),
    ]) {
      const { report } = await run({ schema })
      expect(report.quarantine[0]?.issues[0]).toMatchObject({ column: 'id', code: expect.stringMatching(/too_big/) })
    }
  })

  it('valibot: kinds from values.columns, rows typed and checked by the schema', async () => {
    const schema = v.object({
      id: v.string(),
      amount: v.number(),
      paid: v.boolean(),
      due: v.date(),
      note: v.nullable(v.string()),
    })
    const columns = { id: 'string', amount: 'number', paid: 'boolean', due: 'date', note: 'string' } as const
    const result = normalizeCsv(FILE, { schema, values: { columns } })
    expectTypeOf(result.rows).toEqualTypeOf<
      AsyncIterable<{ id: string; amount: number; paid: boolean; due: Date; note: string | null }>
    >()
    const { rows, report } = await run({ schema, values: { columns } })
    expect(rows).toEqual([{ ...expectedFirst, note: null }])
    expect(report.records).toMatchObject({ read: 2, emitted: 1, quarantined: 1 })
  })

  it('valibot: a schema failure is quarantined with valibot’s issue type, and without the cell value', async () => {
    const schema = v.object({ id: v.pipe(v.string(), v.length(2)), amount: v.number() })
    const { report } = await run({ schema, values: { columns: { id: 'string', amount: 'number' } } })
    expect(report.quarantine[0]?.issues[0]).toMatchObject({ column: 'id', code: 'length' })
    expect(report.quarantine[0]?.reason).not.toContain('007')
  })

  it('refuses a schema it cannot read without values.columns, saying what to pass (FK_CSV_SCHEMA_UNREADABLE)', async () => {
    const error = await rejection(run({ schema: v.object({ id: v.string() }) }))
    expect(error.code).toBe('FK_CSV_SCHEMA_UNREADABLE')
    expect(error.message).toContain('valibot')
    expect(error.hint).toContain('values.columns')
  })

  it('refuses something that is not a Standard Schema, and a schema with async checks, with typed errors', async () => {
    const legacy = await rejection(run({ schema: { safeParse: () => ({ success: true }) } as never }))
    expect(legacy.code).toBe('FK_CSV_INVALID_OPTIONS')
    expect(legacy.message).toContain('Standard Schema')
    const asyncSchema = z4.looseObject({ id: z4.string().refine(async () => true) })
    const error = await rejection(run({ schema: asyncSchema }))
    expect(error.code).toBe('FK_CSV_INVALID_OPTIONS')
    expect(error.message).toContain('asynchronously')
  })
})
