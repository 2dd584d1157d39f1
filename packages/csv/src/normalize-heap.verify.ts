import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { normalizeCsv } from './normalize'

// Issue 21 point 5: a slow heap climb in normalizeCsv (~270 KB per 100 MB was reported). 300 MB of generated CSV
// (quoted newlines, decimal commas, dates, a padded preamble line) streamed through normalizeCsv; the heap after a
// full gc is sampled every 50 MB, and from 100 MB on it must not rise more than 128 KB above the 100 MB sample.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

const row = (i: number) =>
  `${String(i).padStart(8, '0')};Müller, Anna;"Haupt-\nstraße ${i % 97}";${(i % 1000) + 0.5};${String((i % 28) + 1).padStart(2, '0')}.03.2026\n`

describe('normalizeCsv heap over 300 MB', () => {
  it('stays flat within 128 KB after gc from 100 MB to 300 MB', async () => {
    const marks: { mb: number; heap: number }[] = []
    async function* source() {
      yield Buffer.from('Bericht;;;;\nid;name;street;amount;date\n')
      let bytes = 0
      let i = 0
      let next = 50e6
      while (bytes < 300e6) {
        let s = ''
        while (s.length < 65536) s += row(i++)
        const b = Buffer.from(s)
        bytes += b.length
        yield b
        if (bytes >= next) {
          await new Promise((r) => setImmediate(r))
          gc()
          gc()
          marks.push({ mb: Math.round(bytes / 1e6), heap: process.memoryUsage().heapUsed })
          next += 50e6
        }
      }
    }
    const result = normalizeCsv(source(), { values: { decimal: ',' } })
    let rows = 0
    for await (const _ of result.rows) rows++
    const report = await result.report
    expect(report.records.quarantined).toBe(0)
    expect(rows).toBe(report.records.emitted)
    const base = marks[1]?.heap as number
    const rise = Math.max(...marks.slice(1).map((m) => m.heap - base))
    console.log(marks.map((m) => `${m.mb} MB: ${(m.heap / 1024).toFixed(0)} KB`).join(', '))
    expect(rise).toBeLessThanOrEqual(128 * 1024)
  }, 300_000)
})
