import { describe, expect, it } from 'vitest'
import { normalizeCsv } from './normalize'
import { COMPILED_COLUMNS_LIMIT, compileRowBuilder } from './row-builder'

describe('row builder on very wide files', () => {
  it('reads a record of 150,000 columns under maxRecordSize instead of overflowing the stack', async () => {
    const n = 150_000
    const header = Array.from({ length: n }, (_, i) => `c${i}`).join(',')
    const row = Array.from({ length: n }, (_, i) => String(i)).join(',')
    const result = normalizeCsv(`${header}\n${row}\n`, { maxRecordSize: 4 << 20 })
    const rows: Record<string, string | null>[] = []
    for await (const r of result.rows) rows.push(r)
    expect(rows).toHaveLength(1)
    expect(rows[0]?.c0).toBe('0')
    expect(rows[0]?.c149999).toBe('149999')
    expect((await result.report).records).toMatchObject({ read: 1, emitted: 1, quarantined: 0 })
  }, 30_000)

  it('gives the same rows from the plain loop as from the compiled builder', () => {
    const columns = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        index: i,
        key: i === 1 ? 'constructor' : `c${i}`,
        read:
          i % 2 === 0
            ? (v: string) => (/^\d+$/.test(v) ? Number(v) : { code: 'invalid_number', message: 'x' })
            : undefined,
        nullValue: i % 3 === 0 ? undefined : null,
      }))
    const narrow = compileRowBuilder(columns(4), true, ['', 'NA'])
    const wide = compileRowBuilder(columns(COMPILED_COLUMNS_LIMIT + 1), true, ['', 'NA'])
    const fields = [' 12 ', 'NA', 'x', '', ...Array.from({ length: COMPILED_COLUMNS_LIMIT - 3 }, () => '7')]
    const a: unknown[] = []
    const b: unknown[] = []
    const fromNarrow = narrow(fields, a as never)
    const fromWide = wide(fields, b as never) as Record<string, unknown>
    for (const k of Object.keys(fromNarrow)) expect(fromWide[k]).toEqual(fromNarrow[k])
    expect(Object.hasOwn(fromWide, 'constructor')).toBe(true)
    expect(b.slice(0, a.length)).toEqual(a)
  })
})

describe('null tokens', () => {
  // the matcher refuses most cells by their first character before it looks them up; the tokens' case variants,
  // a token outside ASCII and a long token (compared lower-cased) must still match
  const build = (tokens: string[]) =>
    compileRowBuilder([{ index: 0, key: 'a', read: undefined, nullValue: null }], true, tokens)
  it.each([
    [
      ['', 'NA', 'N/A', 'NULL', '-'],
      ['', 'na', 'Na', 'nA', 'n/a', 'null', 'NuLl', '-', ' - '],
      ['40', 'N', 'NAN', 'GB', '--'],
    ],
    [
      ['—', 'ø', 'n.v.'],
      ['—', 'ø', 'Ø', 'N.V.'],
      ['', '-', 'o', 'nv'],
    ],
    [['keine Angabe'], ['keine angabe', 'KEINE ANGABE'], ['keine', 'k']],
  ])('tokens %j: nulls %j, values %j', (tokens, nulls, values) => {
    const b = build(tokens)
    for (const cell of nulls) expect(b([cell], []).a, cell).toBeNull()
    for (const cell of values) expect(b([cell], []).a, cell).toBe(cell.trim())
  })
})
