import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

// 1 GB of messy CSV (semicolons, decimal commas, quoted newlines, dd.mm.yyyy dates, a preamble, a bad row per
// block, a totals line) streamed from a generator into normalizeCsv + zod in a child process: nothing touches
// the disk, and the parent reads the child's peak RSS (VmHWM) from /proc/<pid>/status before letting it exit.
// The child is this package's source bundled by esbuild (as tsup would build it) and run by plain node: a TS
// loader in the child would add ~50 MB of its own to the figure.
const TARGET_BYTES = Number(process.env.FK_CSV_VERIFY_BYTES ?? 1024 ** 3) // a smaller size for a quick local try
const pkg = fileURLToPath(new URL('..', import.meta.url))
const esbuild = fileURLToPath(new URL('../node_modules/.bin/esbuild', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'fk-csv-1gb-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const child = `
import { normalizeCsv } from './src/index'
import { z } from 'zod'
void (async () => {
const TARGET = ${TARGET_BYTES}
const words = ['invoice', 'payment', 'Müller', 'café', 'naïve', 'über', 'déjà', 'refund', 'urgent', 'the', 'and']
function block(seed) {
  let s = seed >>> 0
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296)
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)]
  const lines = []
  let size = 0
  let rows = 0
  while (size < 1 << 20) {
    const tail = ' ' + pick(words) + ' ' + pick(words) + ' ' + pick(words)
    const note = rnd() < 0.2 ? '"' + pick(words) + '; ""quoted""\\r\\n' + pick(words) + tail + '"' : pick(words) + ' ' + pick(words) + tail
    const d = String(1 + Math.floor(rnd() * 28)).padStart(2, '0') + '.' + String(1 + Math.floor(rnd() * 12)).padStart(2, '0') + '.20' + String(10 + Math.floor(rnd() * 15))
    const name = pick(words) + ' ' + pick(words) + ', ' + pick(words)
    const address = Math.floor(rnd() * 999) + ' ' + pick(words) + 'straße; ' + pick(words) + ' ' + String(Math.floor(rnd() * 99999)).padStart(5, '0')
    const mail = pick(words) + '.' + pick(words) + '@example.com'
    const line = [String(Math.floor(rnd() * 1e8)).padStart(10, '0'), name, '"' + address + '"', mail, (rnd() * 1e5).toFixed(2).replace('.', ','), d, rnd() < 0.5 ? 'ja' : 'nein', note].join(';')
    lines.push(line)
    size += Buffer.byteLength(line) + 2
    rows++
  }
  lines.push('0000000000;broken;x;x@example.com;not a number;01.01.2020;ja;x') // one quarantined row per block
  return { bytes: Buffer.from(lines.join('\\r\\n') + '\\r\\n'), rows }
}
const blocks = Array.from({ length: 8 }, (_, i) => block(i + 1))
let expectedRows = 0
let expectedBad = 0
let bytesSent = 0
async function* source() {
  let sent = 0
  const head = Buffer.from('Export Kundenkonten erstellt am 03.04.2026\\r\\nKunden-Nr;Name;Adresse;E-Mail;Betrag;Datum;Bezahlt;Notiz\\r\\n')
  yield head
  sent += head.length
  for (let i = 0; sent < TARGET; i++) {
    const b = blocks[i % blocks.length]
    yield b.bytes
    sent += b.bytes.length
    expectedRows += b.rows
    expectedBad++
  }
  yield Buffer.from('Summe;;;;123.456.789,00;;;\\r\\n')
  bytesSent = sent
}
const schema = z.object({
  kunden_nr: z.string().regex(/^\\d{10}$/), name: z.string(), adresse: z.string(), e_mail: z.string(), betrag: z.number(), datum: z.date(), bezahlt: z.boolean(), notiz: z.string(),
})
const started = Date.now()
const result = normalizeCsv(source(), { schema, values: { dateFormats: ['DD.MM.YYYY'] } })
let emitted = 0
for await (const row of result.rows) emitted++
const report = await result.report
process.stdout.write(JSON.stringify({ bytesSent, emitted, expectedRows, expectedBad, records: report.records, summary: report.summary.length,
  quarantineKept: report.quarantine.length, firstQuarantined: report.quarantine[0]?.reason, memory: process.memoryUsage(), delimiter: report.dialect.delimiter, seconds: (Date.now() - started) / 1000 }) + '\\n')
process.stdin.resume()
process.stdin.on('end', () => process.exit(0))
})()
`

function peakRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN)
}

describe('normalizeCsv on 1 GB', () => {
  it('streams a generated 1 GB export through normalisation and zod with peak RSS under 200 MB', async () => {
    const bundle = join(work, 'child.cjs')
    execFileSync(
      esbuild,
      [
        '--bundle',
        '--platform=node',
        '--format=cjs',
        '--conditions=@fieldkit/source',
        '--loader=ts',
        // As tsup's `shims`: import.meta.url in the CommonJS bundle (the lazy csv-parse and pino loaders read it).
        '--define:import.meta.url=importMetaUrl',
        "--banner:js=const importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
        `--outfile=${bundle}`,
        '--log-level=warning',
      ],
      { cwd: pkg, input: child },
    )
    const proc = spawn(process.execPath, [bundle], { stdio: ['pipe', 'pipe', 'inherit'] })
    let out = ''
    const line = await new Promise<string>((resolve, reject) => {
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('\n')) resolve(out.trim())
      })
      proc.on('exit', (code) => reject(new Error(`child exited with ${code} before reporting: ${out}`)))
    })
    const peakKb = peakRssKb(proc.pid as number)
    proc.stdin.end()
    await new Promise((resolve) => proc.on('exit', resolve))
    const r = JSON.parse(line)
    const mib = r.bytesSent / 2 ** 20
    console.log(
      `${mib.toFixed(0)} MiB normalised in ${r.seconds} s (${(mib / r.seconds).toFixed(1)} MiB/s), peak RSS ${(peakKb / 1024).toFixed(1)} MiB`,
      JSON.stringify({ records: r.records, memoryAtEnd: r.memory, firstQuarantined: r.firstQuarantined }),
    )
    expect(r.bytesSent).toBeGreaterThanOrEqual(TARGET_BYTES)
    expect(r.emitted).toBe(r.expectedRows)
    expect(r.records.quarantined).toBe(r.expectedBad)
    expect(r.records.skipped).toEqual({ preamble: 1, blank: 0, summary: 1, footer: 0 })
    const c = r.records
    expect(c.read).toBe(
      c.emitted + c.quarantined + c.skipped.preamble + c.skipped.blank + c.skipped.summary + c.skipped.footer,
    )
    expect(r.delimiter).toBe(';')
    expect(peakKb).toBeLessThan(200 * 1024)
  }, 300_000)
})
