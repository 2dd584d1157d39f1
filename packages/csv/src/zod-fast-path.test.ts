import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import * as zm from 'zod/mini'
import { z as z3 } from 'zod3'
import { normalizeCsv } from './normalize'
import { compileZodFastPath } from './zod-fast-path'

// The oracle is zod itself (its Standard Schema `validate`, the call normalizeCsv makes): whenever the fast path
// answers, zod must accept the row and return an object with the same keys, in the same order, holding the same
// values; and for the pieces the fast path re-states, it must answer for every row zod accepts (else it would not
// pay), strings with surrogate pairs aside (their length checks are left to zod).

type Piece = { schema: z.ZodType; value: fc.Arbitrary<unknown> }

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 1, -(2 ** 31) - 1, 2 ** 32, 0.5, -0, Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  fc.date({ noInvalidDate: false }),
  fc.constantFrom(null, undefined, {}, [], '1', 0n),
)

const text = fc.string({ unit: 'binary', maxLength: 8 })
const strings: fc.Arbitrary<Piece> = fc
  .tuple(
    fc.constantFrom('none', 'regex', 'min', 'max', 'length', 'min+max'),
    fc.integer({ min: 0, max: 5 }),
    fc.constantFrom(/^\d+$/, /^[a-z]{2}$/i, /\d/g, /x/y),
  )
  .map(([check, n, pattern]) => {
    const s = z.string()
    const schema =
      check === 'regex'
        ? s.regex(pattern)
        : check === 'min'
          ? s.min(n)
          : check === 'max'
            ? s.max(n)
            : check === 'length'
              ? s.length(n)
              : check === 'min+max'
                ? s.min(n).max(n + 2)
                : s
    return { schema, value: fc.oneof(text, fc.stringMatching(/^\d{1,4}$/), fc.stringMatching(/^[a-zA-Z]{2}$/)) }
  })
const numbers: fc.Arbitrary<Piece> = fc
  .tuple(
    fc.constantFrom('none', 'int', 'z.int', 'int32', 'uint32', 'min', 'positive', 'lt', 'max', 'float64'),
    fc.integer({ min: -3, max: 3 }),
  )
  .map(([check, n]) => {
    const schema =
      check === 'int'
        ? z.number().int()
        : check === 'z.int'
          ? z.int()
          : check === 'int32'
            ? z.int32()
            : check === 'uint32'
              ? z.uint32()
              : check === 'float64'
                ? z.float64()
                : check === 'min'
                  ? z.number().min(n)
                  : check === 'positive'
                    ? z.number().positive()
                    : check === 'lt'
                      ? z.number().lt(n)
                      : check === 'max'
                        ? z.int().max(n)
                        : z.number()
    return {
      schema,
      value: fc.oneof(
        fc.integer({ min: -5, max: 5 }),
        fc.double({ min: -5, max: 5 }),
        fc.constantFrom(2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, -0),
      ),
    }
  })
const dates: fc.Arbitrary<Piece> = fc.constantFrom('none', 'min', 'max').map((check) => {
  const bound = new Date(Date.UTC(2000, 0, 1))
  const schema = check === 'min' ? z.date().min(bound) : check === 'max' ? z.date().max(bound) : z.date()
  return { schema, value: fc.date({ min: new Date(Date.UTC(1990, 0, 1)), max: new Date(Date.UTC(2010, 0, 1)) }) }
})
const booleans: fc.Arbitrary<Piece> = fc.constant({ schema: z.boolean(), value: fc.boolean() })

const piece: fc.Arbitrary<Piece> = fc
  .tuple(fc.oneof(strings, numbers, dates, booleans), fc.constantFrom('', 'nullable', 'optional', 'both'))
  .map(([p, wrap]) => {
    const schema =
      wrap === 'nullable'
        ? p.schema.nullable()
        : wrap === 'optional'
          ? p.schema.optional()
          : wrap === 'both'
            ? p.schema.nullable().optional()
            : p.schema
    const value = wrap === '' ? p.value : fc.oneof(p.value, fc.constantFrom(null, undefined))
    return { schema, value }
  })

const KEYS = ['a', 'b', 'c', 'd']
const case_ = fc
  .tuple(fc.array(piece, { minLength: 1, maxLength: KEYS.length }), fc.boolean(), fc.boolean(), fc.nat())
  .chain(([pieces, reorder, extra, seed]) => {
    const keys = KEYS.slice(0, pieces.length)
    const rowKeys = reorder
      ? [...keys].sort((x, y) => ((x.charCodeAt(0) * (seed + 7)) % 5) - ((y.charCodeAt(0) * (seed + 7)) % 5))
      : [...keys]
    if (extra) rowKeys.push('extra')
    const values = pieces.map((p) => fc.oneof({ weight: 6, arbitrary: p.value }, { weight: 1, arbitrary: anyValue }))
    const rows = fc.array(fc.tuple(...values, anyValue), { minLength: 20, maxLength: 20 })
    return fc.tuple(fc.constant(pieces), fc.constant(keys), fc.constant(rowKeys), rows)
  })

function hasSurrogatePair(values: unknown[]): boolean {
  return values.some((v) => typeof v === 'string' && /[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(v))
}

describe('zod fast path', () => {
  it('answers only for rows zod accepts, with the object zod returns (keys, order, values); and for every such row', () => {
    let answered = 0
    let accepted = 0
    fc.assert(
      fc.property(case_, ([pieces, keys, rowKeys, rows]) => {
        const schema = z.object(Object.fromEntries(keys.map((k, i) => [k, (pieces[i] as Piece).schema])))
        const fast = compileZodFastPath(schema, rowKeys)
        expect(fast).toBeDefined()
        for (const values of rows) {
          const row: Record<string, unknown> = {}
          for (const k of rowKeys) row[k] = k === 'extra' ? values[values.length - 1] : values[keys.indexOf(k)]
          const zod = schema['~standard'].validate(row) as { value?: Record<string, unknown>; issues?: unknown[] }
          const answer = fast?.(row)
          if (zod.issues === undefined) accepted++
          if (answer === undefined) {
            if (zod.issues === undefined) expect(hasSurrogatePair(Object.values(row))).toBe(true)
            continue
          }
          answered++
          expect(zod.issues).toBeUndefined()
          const value = zod.value as Record<string, unknown>
          expect(Object.keys(answer)).toEqual(Object.keys(value))
          for (const k of Object.keys(value)) expect(Object.is(answer[k], value[k])).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
    // not vacuous: a fair share of the generated rows are valid and the fast path answered them
    expect(accepted).toBeGreaterThan(1000)
    expect(answered).toBeGreaterThan(accepted * 0.9)
  })

  it.each([
    ['a refinement', z.object({ a: z.string().refine((s) => s !== 'x') })],
    ['a refinement of the object', z.object({ a: z.string() }).refine(() => true)],
    ['a transform', z.object({ a: z.string().transform((s) => s.length) })],
    ['a trim (overwrite)', z.object({ a: z.string().trim() })],
    ['coercion', z.object({ a: z.coerce.number() })],
    ['a default', z.object({ a: z.string().default('x') })],
    ['a catch', z.object({ a: z.string().catch('x') })],
    ['an enum', z.object({ a: z.enum(['x', 'y']) })],
    ['a string format other than regex', z.object({ a: z.string().email() })],
    ['exactOptional', z.object({ a: z.string().exactOptional() })],
    ['a strict object', z.strictObject({ a: z.string() })],
    ['a loose object', z.looseObject({ a: z.string() })],
    ['a readonly object', z.object({ a: z.string() }).readonly()],
    ['a multipleOf check', z.object({ a: z.number().multipleOf(2) })],
    ['a bigint', z.object({ a: z.bigint() })],
    ['zod 3', z3.object({ a: z3.string() })],
  ])('leaves every row to zod for a schema with %s', (_, schema) => {
    expect(compileZodFastPath(schema, ['a'])).toBeUndefined()
  })

  it('takes zod/mini schemas too (the same core), with the same answers as zod', () => {
    const schema = zm.object({
      a: zm.string().check(zm.minLength(2), zm.regex(/^[a-z]+$/)),
      n: zm.nullable(zm.int()),
      d: zm.optional(zm.date()),
    })
    const fast = compileZodFastPath(schema, ['a', 'n', 'd'])
    expect(fast).toBeDefined()
    const rows = [
      { a: 'ab', n: 1, d: undefined },
      { a: 'ab', n: null, d: new Date(0) },
      { a: 'a', n: 1, d: new Date(0) },
      { a: 'ab', n: 1, d: new Date(Number.NaN) },
      { a: 'AB', n: 1, d: undefined },
      { a: 'ab', n: 2.5, d: undefined },
    ]
    const answers = rows.map((row) => fast?.(row) !== undefined)
    const zod = rows.map((row) => (schema['~standard'].validate(row) as { issues?: unknown }).issues === undefined)
    expect(answers).toEqual(zod)
    expect(answers).toEqual([true, true, false, false, false, false])
  })

  it('leaves every row to zod when a schema key is not a column, or is __proto__', () => {
    expect(compileZodFastPath(z.object({ a: z.string(), b: z.string().optional() }), ['a'])).toBeUndefined()
    expect(compileZodFastPath(z.object({ ['__proto__']: z.string() }), ['__proto__'])).toBeUndefined()
  })
})

describe('normalizeCsv with the zod fast path', () => {
  const csv = [
    'id,name,amount,paid,due,note,extra',
    '0001,Ann,12,yes,2024-01-31,,x',
    '0002,Bob,abc,no,2024-02-30,hello,y',
    '0003,,-3,maybe,2024-03-01,NA,z',
    '0004,Dee,7,true,2024-04-01,long note here,w',
    '12345,Eve,1.5,no,2024-05-01,,v',
  ].join('\n')
  const schema = z.object({
    id: z.string().regex(/^\d{4}$/),
    name: z.string().min(1),
    amount: z.number().int().nonnegative(),
    paid: z.boolean(),
    due: z.date(),
    note: z.string().max(10).nullable(),
  })
  const columns = {
    id: 'string',
    name: 'string',
    amount: 'number',
    paid: 'boolean',
    due: 'date',
    note: 'string',
  } as const

  it('gives the rows and the report that zod alone gives (a wrapper that hides the zod schema from the fast path)', async () => {
    const alone = { '~standard': schema['~standard'] } as typeof schema
    const fast = normalizeCsv(csv, { schema })
    const slow = normalizeCsv(csv, { schema: alone, values: { columns } })
    const fastRows: unknown[] = []
    for await (const r of fast.rows) fastRows.push(r)
    const slowRows: unknown[] = []
    for await (const r of slow.rows) slowRows.push(r)
    expect(fastRows).toStrictEqual(slowRows)
    expect(fastRows).toHaveLength(1)
    const [a, b] = [await fast.report, await slow.report]
    expect(a.quarantine.map((q) => q.issues.map((i) => i.code))).toEqual([
      ['invalid_number', 'invalid_date'],
      ['invalid_boolean'],
      ['too_big'],
      ['invalid_format', 'invalid_type'],
    ])
    expect(a).toStrictEqual(b)
  })

  it('asks zod only for the rows it cannot vouch for', async () => {
    const validate = vi.spyOn(schema['~standard'], 'validate')
    try {
      const result = normalizeCsv(csv, { schema })
      await result.report
      // rows 0002 and 0003 fail on reading their cells, before any schema; 0001 and 0004 and 12345 reach the
      // schema, and only 0004 (a note over 10 characters) and 12345 (an id and an amount zod refuses) go to zod
      expect(validate).toHaveBeenCalledTimes(2)
    } finally {
      validate.mockRestore()
    }
  })
})
