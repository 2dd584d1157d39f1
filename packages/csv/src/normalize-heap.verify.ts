import { type HeapBaseline, type HeapSample, heapAfterGc, heapBaseline, heapTrend } from '@fieldkit/testing/heap-trend'
import { describe, expect, it } from 'vitest'
import { normalizeCsv } from './normalize'

// Issue 21 point 5: a slow heap climb in normalizeCsv (~270 KB per 100 MB was reported). 300 MB of generated CSV
// (quoted newlines, decimal commas, dates, a padded preamble line) streamed through normalizeCsv; the heap after a
// full gc is sampled every 10 MB, and a least-squares line through the samples from 100 MB (warm) to 300 MB must
// rise less than 128 KB. When it does not, the assertion names what grew, by constructor, between heap snapshots
// at 90 MB and at the end.
const BOUND = 128 * 1024

const row = (i: number) =>
  `${String(i).padStart(8, '0')};Müller, Anna;"Haupt-\nstraße ${i % 97}";${(i % 1000) + 0.5};${String((i % 28) + 1).padStart(2, '0')}.03.2026\n`

describe('normalizeCsv heap over 300 MB', () => {
  it('stays flat within 128 KB after gc from 100 MB to 300 MB (slope of a least-squares line)', async () => {
    const samples: HeapSample[] = []
    let baseline: HeapBaseline | undefined
    async function* source() {
      yield Buffer.from('Bericht;;;;\nid;name;street;amount;date\n')
      let bytes = 0
      let i = 0
      let next = 10e6
      while (bytes < 300e6) {
        let s = ''
        while (s.length < 65536) s += row(i++)
        const b = Buffer.from(s)
        bytes += b.length
        yield b
        if (bytes >= next) {
          await new Promise((r) => setImmediate(r))
          samples.push({ at: bytes / 1e6, heap: heapAfterGc() })
          // The baseline snapshot just before the fitted span: taking one settles V8's own state (the next sample
          // reads some tens of KB lower), which must not tilt the line.
          if (baseline === undefined && bytes >= 90e6) baseline = heapBaseline()
          next += 10e6
        }
      }
    }
    try {
      const result = normalizeCsv(source(), { values: { decimal: ',' } })
      let rows = 0
      for await (const _ of result.rows) rows++
      const report = await result.report
      expect(report.records.quarantined).toBe(0)
      expect(rows).toBe(report.records.emitted)
      const trend = heapTrend(samples.filter((s) => s.at >= 100))
      console.log(
        `heap after gc, KB per 10 MB: ${samples.map((s) => (s.heap / 1024).toFixed(0)).join(', ')}; ` +
          `line from 100 MB: ${(trend.growth / 1024).toFixed(1)} KB over ${trend.samples} samples (spread ${(trend.spread / 1024).toFixed(0)} KB)`,
      )
      expect(trend.samples).toBeGreaterThanOrEqual(20)
      const grew = trend.growth >= BOUND ? (baseline?.diff() ?? []) : []
      expect(trend.growth, `heap grew; by constructor:\n${grew.join('\n')}`).toBeLessThan(BOUND)
    } finally {
      baseline?.discard()
    }
  }, 300_000)
})
