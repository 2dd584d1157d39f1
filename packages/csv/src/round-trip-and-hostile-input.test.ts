import { isFieldkitError } from '@fieldkit/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type CsvDelimiter, type CsvInput, type NormalizeOptions, normalizeCsv, writeCsv } from './index'

type Kind = 'string' | 'number' | 'boolean' | 'date'

// Characters that matter to CSV, mixed with any Unicode (binary units alone almost never produce a quote).
const SPECIAL = ['"', '""', ',', ';', '\t', '|', '\r', '\n', '\r\n', ' ', "'", '=', '-', '\uFEFF', 'NA', 'Total']

const cell = (kind: Kind, nullable: boolean): fc.Arbitrary<unknown> => {
  const base: fc.Arbitrary<unknown> =
    kind === 'string'
      ? fc
          .array(
            fc.oneof(
              fc.constantFrom(...SPECIAL),
              fc
                .string({ unit: 'binary', minLength: 1, maxLength: 3 })
                // C0 control characters other than tab and line ends make the input "not text" (FK_CSV_NOT_TEXT)
                .filter((s) => !/[\u0000-\u0008\u000b\u000e-\u001f]/.test(s)),
            ),
            {
              minLength: 1,
              maxLength: 8,
            },
          )
          .map((parts) => parts.join(''))
      : kind === 'number'
        ? fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n))
        : kind === 'boolean'
          ? fc.boolean()
          : fc.date({
              min: new Date('1000-01-01T00:00:00Z'),
              max: new Date('9999-12-31T23:59:59Z'),
              noInvalidDate: true,
            })
  return nullable ? fc.option(base, { nil: null, freq: 4 }) : base
}

const documents = fc
  .array(fc.record({ kind: fc.constantFrom<Kind>('string', 'number', 'boolean', 'date'), nullable: fc.boolean() }), {
    minLength: 1,
    maxLength: 6,
  })
  .chain((cols) =>
    fc.record({
      cols: fc.constant(cols),
      rows: fc.array(fc.tuple(...cols.map((c) => cell(c.kind, c.nullable))), { maxLength: 25 }),
      delimiter: fc.constantFrom<CsvDelimiter>(',', ';', '\t', '|'),
      lineEnding: fc.constantFrom<'\r\n' | '\n'>('\r\n', '\n'),
      bom: fc.boolean(),
    }),
  )

function schemaFor(cols: { kind: Kind; nullable: boolean }[]) {
  const shape: Record<string, z.ZodType> = {}
  cols.forEach((c, i) => {
    const t =
      c.kind === 'string'
        ? z.string()
        : c.kind === 'number'
          ? z.number()
          : c.kind === 'boolean'
            ? z.boolean()
            : z.date()
    shape[`c${i}`] = c.nullable ? t.nullable() : t
  })
  return z.object(shape)
}

async function read(input: CsvInput, options: NormalizeOptions<z.ZodType>) {
  const result = normalizeCsv(input, options)
  const rows: unknown[] = []
  for await (const row of result.rows) rows.push(row)
  return { rows, report: await result.report }
}

describe('round trip: writeCsv then normalizeCsv', () => {
  it('gives back exactly the rows written, for any delimiter, line ending and BOM', async () => {
    await fc.assert(
      fc.asyncProperty(documents, async ({ cols, rows, delimiter, lineEnding, bom }) => {
        // A row whose cells are all empty reads as a blank line and is skipped (and counted); leave those out.
        const kept = rows.filter((r) => r.some((v) => v !== null))
        const objects = kept.map((r) => Object.fromEntries(r.map((v, i) => [`c${i}`, v])))
        const text = writeCsv(objects, {
          columns: cols.map((_, i) => `c${i}`),
          delimiter,
          lineEnding,
          bom,
          injectionSafe: false,
        })
        const options: NormalizeOptions<z.ZodType> = {
          schema: schemaFor(cols),
          values: { trim: false, nullTokens: [''], decimal: '.' },
          dialect: { delimiter, preambleRecords: 0 },
          summaryLines: false,
        }
        const fromText = await read(text, options)
        expect(fromText.rows).toEqual(objects)
        expect(fromText.report.records.quarantined).toBe(0)
        // the same through bytes and the streaming writer
        const stream = writeCsv(
          (async function* () {
            yield* objects
          })(),
          { columns: cols.map((_, i) => `c${i}`), delimiter, lineEnding, bom, injectionSafe: false },
        )
        const fromStream = await read(stream, options)
        expect(fromStream.rows).toEqual(objects)
      }),
      { numRuns: 200 },
    )
  })
})

describe('hostile input', () => {
  const check = async (input: CsvInput, options: NormalizeOptions<z.ZodType> = {}) => {
    try {
      const { report } = await read(input, { maxRecordSize: 4096, ...options })
      const r = report.records
      expect(r.read).toBe(
        r.emitted + r.quarantined + r.skipped.preamble + r.skipped.blank + r.skipped.summary + r.skipped.footer,
      )
    } catch (e) {
      expect(isFieldkitError(e), String(e)).toBe(true)
    }
  }

  it('random bytes give rows, quarantined rows or a typed error, never a crash or a hang', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 64 }), async (bytes, size) => {
        async function* chunks() {
          for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
        }
        await check(chunks())
        await check(Buffer.from(bytes), { schema: z.object({ a: z.string().optional() }) })
      }),
      { numRuns: 300 },
    )
  })

  it('random CSV-shaped text gives rows, quarantined rows or a typed error', async () => {
    const alphabet = fc.constantFrom(
      ',',
      ';',
      '\t',
      '|',
      '"',
      "'",
      '\r',
      '\n',
      'a',
      'b',
      '1',
      '2',
      ' ',
      '.',
      '-',
      'T',
      '\u00e9',
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(alphabet, { maxLength: 400 }).map((a) => a.join('')),
        async (text) => {
          await check(text)
          await check(text, { schema: z.object({ a: z.number().optional(), b: z.date().optional() }), maxErrors: 3 })
        },
      ),
      { numRuns: 300 },
    )
  })

  it('stops an unclosed quote at maxRecordSize with FK_CSV_RECORD_TOO_LARGE instead of reading the whole input into one field', async () => {
    async function* endless() {
      yield Buffer.from('a,b\n1,"')
      for (let i = 0; i < 100; i++) yield Buffer.alloc(64 * 1024, 0x61)
    }
    await expect(read(endless(), { maxRecordSize: 1 << 20 })).rejects.toMatchObject({ code: 'FK_CSV_RECORD_TOO_LARGE' })
  })
})
