import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { normalizeCsv } from './index'

// csv-spectrum 2.0.0 (d30e80f), copied verbatim from ../shared/external/csv-spectrum into fixtures/shared; see its SOURCE.txt.
const root = new URL('../../../fixtures/shared/external/csv-spectrum/', import.meta.url)
const names = readdirSync(new URL('csvs/', root))
  .filter((f) => f.endsWith('.csv'))
  .map((f) => f.slice(0, -4))
  .sort()

/** Expected rows, with the upstream defects of location_coordinates handled here (SOURCE.txt, csv-spectrum #20). */
function expected(name: string): Record<string, string>[] {
  const json = JSON.parse(readFileSync(new URL(`json/${name}.json`, root), 'utf8')) as
    | Record<string, string>
    | Record<string, string>[]
  if (name !== 'location_coordinates') return json as Record<string, string>[]
  // Defect 1: a single object instead of an array. Defect 2: the phone number differs from the CSV's.
  return [{ ...(json as Record<string, string>), 'Contact Phone Number': '2095257564' }]
}

async function read(name: string, engine: 'fieldkit' | 'csv-parse') {
  const result = normalizeCsv(
    { path: new URL(`csvs/${name}.csv`, root).pathname },
    {
      headers: { case: 'keep' },
      values: { trim: false, nullTokens: [] },
      summaryLines: false,
      dialect: { delimiter: ',' },
      engine,
    },
  )
  const rows: Record<string, string | null>[] = []
  for await (const row of result.rows) rows.push(row)
  return { rows, report: await result.report }
}

describe('csv-spectrum 2.0.0', () => {
  it('has the twelve cases SOURCE.txt lists', () => {
    expect(names).toHaveLength(12)
  })

  for (const name of names) {
    it(`reads ${name}.csv exactly as json/${name}.json says`, async () => {
      const { rows, report } = await read(name, 'fieldkit')
      expect(rows).toEqual(expected(name))
      expect(report.records.quarantined).toBe(0)
      expect(report.records.read).toBe(report.records.emitted + report.records.skipped.blank)
    })
  }

  it('reads location_coordinates with the bare quotes inside an unquoted field kept as text', async () => {
    const { rows } = await read('location_coordinates', 'fieldkit')
    expect(rows[0]?.['Location Coordinates']).toBe('37\uFFFD36\'37.8"N 121\uFFFD2\'17.9"W')
  })

  it('gives the same rows with the csv-parse engine (crlf files declared as such)', async () => {
    for (const name of names) {
      const crlf = name.endsWith('_crlf')
      const result = normalizeCsv(
        { path: new URL(`csvs/${name}.csv`, root).pathname },
        {
          headers: { case: 'keep' },
          values: { trim: false, nullTokens: [] },
          summaryLines: false,
          dialect: { delimiter: ',', lineEnding: crlf ? '\r\n' : '\n' },
          engine: 'csv-parse',
        },
      )
      const rows: Record<string, string | null>[] = []
      for await (const row of result.rows) rows.push(row)
      expect(rows, name).toEqual(expected(name))
    }
  })
})
