import { readFileSync } from 'node:fs'
import { isFieldkitError } from '@fieldkit/core'
import { describe, expect, it } from 'vitest'
import { normalizeCsv } from './normalize'

// Labels from fixtures/csv-real/generate.py, written from what it wrote before any sniffer read the files.
const dir = new URL('../../../fixtures/csv-real/', import.meta.url)
interface Label {
  file: string
  class: string
  encoding?: string
  bom?: boolean
  delimiter?: string
  quote?: string
  lineEnding?: string
  headerLine?: number
  records?: number
  error?: string
  escape?: string
}
const { files } = JSON.parse(readFileSync(new URL('labels.json', dir), 'utf8')) as { files: Label[] }

describe('real-world-shaped files match the labels written before the sniffer ran', () => {
  it('has at least 60 labelled files', () => expect(files.length).toBeGreaterThanOrEqual(60))

  for (const label of files) {
    it(`${label.class}: ${label.file}`, async () => {
      const result = normalizeCsv({ path: new URL(`files/${label.file}`, dir).pathname })
      if (label.error !== undefined) {
        const error = await Promise.resolve(result.report).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(isFieldkitError(error) && error.code).toBe(label.error)
        return
      }
      const report = await result.report
      if (label.escape !== undefined) expect(report.dialect.escape).toBe(label.escape)
      const r = report.records
      const got = {
        records: r.emitted + r.quarantined,
        headerLine: report.dialect.headerLine,
        encoding: report.dialect.encoding,
        bom: report.dialect.bom,
        delimiter: report.dialect.delimiter,
        quote: report.dialect.quote,
        lineEnding: report.dialect.lineEnding,
      }
      expect(got).toEqual({
        records: label.records,
        headerLine: label.headerLine,
        encoding: label.encoding,
        bom: label.bom,
        delimiter: label.delimiter,
        quote: label.quote,
        lineEnding: label.lineEnding,
      })
    })
  }
})
