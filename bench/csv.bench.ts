import { closeSync, createReadStream, existsSync, mkdirSync, openSync, writeSync } from 'node:fs'
import type { Transform } from 'node:stream'
import { pipeline } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type * as Csv from '@fieldkit/csv'
import { parse as csvParse } from 'csv-parse'
import { parse as fastCsvParse } from 'fast-csv'
import Papa from 'papaparse'
import { z } from 'zod'
import { compare } from './harness'
import { importPublished } from './published'

// The method of ../shared/peer-bench (gen/csv.mjs, contenders/csv.mjs): a deterministic 50 MB export with 20
// columns and the usual awkwardness (ids with leading zeros, quoted names with embedded quotes, commas and
// newlines, CRLF inside notes, decimals, ISO and dd/mm/yyyy dates, empty cells), streamed from disk by every
// contender, one object per record keyed by the header row.
export const FILE = new URL('./data/csv-messy-50mb.csv', import.meta.url)
const TARGET = 50e6
const COLUMNS = [
  'customer_id',
  'account_no',
  'first_name',
  'last_name',
  'display_name',
  'company',
  'street_address',
  'city',
  'country',
  'postal_code',
  'amount',
  'unit_price',
  'quantity',
  'tax_rate',
  'created_at',
  'birth_date',
  'updated_on',
  'status',
  'email',
  'notes',
]
const FIRST = [
  'James',
  'Mary',
  'John',
  'Patricia',
  'Zoë',
  'François',
  'Jürgen',
  'Søren',
  'Ana María',
  'Łukasz',
  'Mei',
  'Aarav',
]
const LAST = ['Smith', "O'Brien", 'Müller', 'Dubois', 'Nakamura', 'van der Berg', 'Núñez', 'Kowalski', 'Okafor', 'Li']
const COMPANY = [
  'Acme Corp',
  'Globex, Inc.',
  'Initech',
  'Soylent "Green" Co',
  'Müller & Söhne GmbH',
  'Dunder Mifflin, Scranton',
]
const STREET = ['Main St', 'High Street', 'Rue de la Paix', 'Hauptstraße', 'Via Roma', 'Calle Mayor']
const CITY = ['London', 'Paris', 'München', 'São Paulo', 'Zürich', 'Kraków', 'Tokyo', 'Wien']
const COUNTRY = ['GB', 'FR', 'DE', 'BR', 'CH', 'PL', 'JP', 'AT']
const WORDS = [
  'invoice',
  'payment',
  'refund',
  'delivery',
  'urgent',
  'please',
  'café',
  'naïve',
  'über',
  'déjà',
  'the',
  'and',
]
const STATUS = ['active', 'inactive', 'pending', 'closed', '']

function rng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1))
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T
  const pad = (n: number, w: number) => String(n).padStart(w, '0')
  return { next, int, pick, pad }
}

export interface Meta {
  bytes: number
  rows: number
  notesChars: number
}

export function generate(): Meta {
  const r = rng(20240501)
  const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
  const sentence = (lo: number, hi: number) => Array.from({ length: r.int(lo, hi) }, () => r.pick(WORDS)).join(' ')
  const fd = openSync(FILE, 'w')
  let bytes = 0
  let rows = 0
  let notesChars = 0
  let buf = `${COLUMNS.join(',')}\n`
  const t0 = Date.UTC(2015, 0, 1)
  while (bytes + buf.length < TARGET) {
    const first = r.pick(FIRST)
    const last = r.pick(LAST)
    const nick = r.next() < 0.3 ? ` "${first.slice(0, 2).toUpperCase()}"` : ''
    const created = new Date(t0 + Math.floor(r.next() * 3.4e11)).toISOString()
    const bd = new Date(Date.UTC(1940, 0, 1) + Math.floor(r.next() * 2.1e12))
    const k = r.next()
    const notes =
      k < 0.4
        ? ''
        : k < 0.7
          ? sentence(3, 12)
          : k < 0.85
            ? `${sentence(2, 8)}, ${sentence(2, 8)}; said "${sentence(1, 4)}"`
            : `${sentence(4, 10)}\r\n${sentence(2, 10)}\n-- ${sentence(1, 5)}, ok`
    const street = `${r.int(1, 9999)} ${r.pick(STREET)}`
    const rec = [
      r.pad(rows + 1, 10),
      `00${r.pad(r.int(0, 99999999), 8)}`,
      first,
      last,
      r.next() < 0.5 ? `${last}, ${first}${nick}` : `${first}${nick} ${last}`,
      r.next() < 0.9 ? r.pick(COMPANY) : '',
      r.next() < 0.25 ? `${street}\nApt ${r.int(1, 300)}` : street,
      r.pick(CITY),
      r.pick(COUNTRY),
      r.pad(r.int(0, 99999), 5),
      `${r.next() < 0.1 ? '-' : ''}${r.int(0, 99999)}.${r.pad(r.int(0, 99), 2)}`,
      `${r.int(0, 999)}.${r.pad(r.int(0, 9999), 4)}`,
      String(r.int(1, 500)),
      r.next() < 0.8 ? r.pick(['0.0000', '0.0500', '0.1900', '0.2100']) : '',
      created,
      `${r.pad(bd.getUTCDate(), 2)}/${r.pad(bd.getUTCMonth() + 1, 2)}/${bd.getUTCFullYear()}`,
      r.next() < 0.7 ? created.slice(0, 10) : '',
      r.pick(STATUS),
      r.next() < 0.85 ? `${first}.${last}${r.int(1, 999)}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, '') : '',
      notes,
    ]
    rows++
    notesChars += notes.length
    buf += `${rec.map((v, j) => (j === 4 ? `"${v.replace(/"/g, '""')}"` : q(v))).join(',')}\n`
    if (buf.length > 1 << 20) {
      bytes += writeSync(fd, Buffer.from(buf, 'utf8'))
      buf = ''
    }
  }
  bytes += writeSync(fd, Buffer.from(buf, 'utf8'))
  closeSync(fd)
  return { bytes, rows, notesChars }
}

export const schema = z.object({
  customer_id: z.string().regex(/^\d{10}$/),
  account_no: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  display_name: z.string(),
  company: z.string().nullable(),
  street_address: z.string(),
  city: z.string(),
  country: z.string().length(2),
  postal_code: z.string(),
  amount: z.number(),
  unit_price: z.number(),
  quantity: z.number().int(),
  tax_rate: z.number().nullable(),
  created_at: z.date(),
  birth_date: z.date(),
  updated_on: z.date().nullable(),
  status: z.string().nullable(),
  email: z.string().nullable(),
  notes: z.string().nullable(),
})

function consume(parser: Transform, check: Meta): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0
    let notesChars = 0
    parser.on('data', (rec: { notes: string }) => {
      rows++
      notesChars += rec.notes.length
    })
    pipeline(createReadStream(FILE), parser, (err) => {
      if (err) reject(err)
      else if (rows !== check.rows || notesChars !== check.notesChars)
        reject(
          new Error(`parsed ${rows} rows / ${notesChars} notes chars, expected ${check.rows} / ${check.notesChars}`),
        )
      else resolve(check.bytes / 1e6)
    })
  })
}

/**
 * `@fieldkit/csv` of this tree as it is published: bundled by tsup into one ES module, `@fieldkit/core` included, zod
 * and csv-parse external (the bench's own copies, the ones the other contenders use). Run from its sources through
 * tsx instead, every import between its files becomes a getter call, a cost the published bundle does not have; the
 * peers are measured as published too (their npm packages).
 */
export async function publishedCsv(): Promise<typeof Csv> {
  const entry = fileURLToPath(new URL('../packages/csv/src/index.ts', import.meta.url))
  const outDir = fileURLToPath(new URL('./.tmp/csv-this-tree-bundle', import.meta.url))
  return (await importPublished(entry, outDir, {
    external: ['zod', 'csv-parse', 'pino'],
    noExternal: ['@fieldkit/core'],
    conditions: ['@fieldkit/source'],
  })) as typeof Csv
}

async function fieldkit(
  csv: typeof Csv,
  check: Meta,
  engine: 'fieldkit' | 'csv-parse',
  withSchema: boolean,
): Promise<number> {
  const result = csv.normalizeCsv(
    { path: FILE.pathname },
    withSchema
      ? { schema, engine, values: { columns: { birth_date: { type: 'date', formats: ['DD/MM/YYYY'] } } } }
      : { engine },
  )
  let rows = 0
  for await (const _ of result.rows) rows++
  const report = await result.report
  if (rows !== check.rows || report.records.quarantined !== 0)
    throw new Error(`fieldkit emitted ${rows} rows (${report.records.quarantined} quarantined), expected ${check.rows}`)
  return check.bytes / 1e6
}

function papaparse(check: Meta): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0
    Papa.parse<{ notes: string }>(createReadStream(FILE, { encoding: 'utf8' }) as unknown as File, {
      header: true,
      skipEmptyLines: true,
      step: () => {
        rows++
      },
      complete: () => (rows === check.rows ? resolve(check.bytes / 1e6) : reject(new Error(`papaparse: ${rows} rows`))),
      error: reject,
    })
  })
}

/** CPU seconds of one run (all threads of the process: user + system). */
async function cpuOf(run: () => Promise<unknown>): Promise<number> {
  ;(globalThis as { gc?: () => void }).gc?.()
  const start = process.cpuUsage()
  await run()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1e6
}

/** The value at quantile `q` (0–1) of `xs`, linearly interpolated. */
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  const at = (s.length - 1) * q
  const lo = Math.floor(at)
  return (s[lo] as number) + ((s[Math.min(lo + 1, s.length - 1)] as number) - (s[lo] as number)) * (at - lo)
}

/** A ratio's median and interquartile range over the rounds. */
export interface Spread {
  median: number
  q1: number
  q3: number
}

const spread = (xs: number[]): Spread => ({ median: quantile(xs, 0.5), q1: quantile(xs, 0.25), q3: quantile(xs, 0.75) })

const fieldkitOptions = {
  schema,
  values: { columns: { birth_date: { type: 'date' as const, formats: ['DD/MM/YYYY'] } } },
}
/** The extra checks off: totals/footnote detection off, dialect and encoding declared (no sniffing, no detection). */
const unchecked = {
  summaryLines: false,
  encoding: 'utf-8' as const,
  dialect: { delimiter: ',' as const, quote: '"' as const, preambleRecords: 0 },
}

/**
 * The CPU target against papaparse, paired: each round runs papaparse's plain parse and normalizeCsv + zod one after
 * the other (the order reversed every other round, so a drift of the machine's speed within a round does not favour
 * one side), and the ratio is taken within the round; the figure is the median of the rounds' ratios, with its
 * interquartile range. Each measured run reads the file `passes` times (~2 s CPU), so that a scheduler hiccup is a
 * small part of it.
 */
export async function pairedCpu(csv: typeof Csv, check: Meta, rounds: number, passes = 2): Promise<Spread> {
  const run = async () => {
    for (let pass = 0; pass < passes; pass++) {
      const result = csv.normalizeCsv({ path: FILE.pathname }, fieldkitOptions)
      let rows = 0
      for await (const _ of result.rows) rows++
      if (rows !== check.rows) throw new Error(`fieldkit emitted ${rows} rows, expected ${check.rows}`)
    }
  }
  const papa = async () => {
    for (let pass = 0; pass < passes; pass++) await papaparse(check)
  }
  await papa()
  await run()
  const ratios: number[] = []
  const lines: string[] = []
  const mb = (check.bytes * passes) / 1e6
  const perMb = (s: number) => Math.round((s * 1e6) / mb).toLocaleString('en-US')
  for (let round = 0; round < rounds; round++) {
    const t = { papa: 0, fk: 0 }
    const steps: [keyof typeof t, () => Promise<void>][] = [
      ['papa', papa],
      ['fk', run],
    ]
    if (round % 2 === 1) steps.reverse()
    for (const [name, step] of steps) t[name] = await cpuOf(step)
    ratios.push(t.fk / t.papa)
    lines.push(`| ${round + 1} | ${perMb(t.papa)} | ${perMb(t.fk)} | ${(t.fk / t.papa).toFixed(2)}× |`)
  }
  console.log(
    [
      `### CPU per MB, ${rounds} paired rounds of ${passes} passes each: papaparse plain parse and normalizeCsv + zod`,
      '',
      '| round | papaparse µs/MB | normalise + zod µs/MB | normalise ÷ papaparse |',
      '| ---: | ---: | ---: | ---: |',
      ...lines,
      '',
    ].join('\n'),
  )
  return spread(ratios)
}

/**
 * What the extra checks cost, in lockstep: normalizeCsv + zod with the checks on and with them off read the same
 * file at the same time, taking turns of `slice` rows each (the first to go alternating), and each turn's CPU time
 * is charged to its side. Both sides thus run under the same load, milliseconds apart, instead of seconds apart as
 * whole runs would; the ratio is the sides' total CPU over the whole file, and the figure the median of the rounds.
 * Whole alternating runs on the shared machine gave rounds from 0.77× to 1.51× for the same code.
 */
export async function checksCost(
  csv: typeof Csv,
  check: Meta,
  rounds: number,
  slice = 2000,
): Promise<Spread & { total: number }> {
  const lockstep = async (): Promise<[number, number]> => {
    const sides = [fieldkitOptions, { ...fieldkitOptions, ...unchecked }].map((o) =>
      csv.normalizeCsv({ path: FILE.pathname }, o).rows[Symbol.asyncIterator](),
    )
    const cpu = [0, 0]
    const rows = [0, 0]
    const done = [false, false]
    for (let turn = 0; !done[0] || !done[1]; turn++)
      for (const k of turn % 2 === 0 ? [0, 1] : [1, 0]) {
        if (done[k]) continue
        const start = process.cpuUsage()
        for (let n = 0; n < slice; n++) {
          if ((await sides[k]?.next())?.done) {
            done[k] = true
            break
          }
          ;(rows[k] as number)++
        }
        const used = process.cpuUsage(start)
        ;(cpu[k] as number) += used.user + used.system
      }
    if (rows[0] !== check.rows || rows[1] !== check.rows)
      throw new Error(`lockstep rows ${rows}, expected ${check.rows}`)
    return [cpu[0] as number, cpu[1] as number]
  }
  await lockstep()
  const ratios: number[] = []
  const lines: string[] = []
  const total = { on: 0, off: 0 }
  const perMb = (us: number) => Math.round(us / (check.bytes / 1e6)).toLocaleString('en-US')
  for (let round = 0; round < rounds; round++) {
    ;(globalThis as { gc?: () => void }).gc?.()
    const [on, off] = await lockstep()
    total.on += on
    total.off += off
    ratios.push(on / off)
    lines.push(`| ${round + 1} | ${perMb(on)} | ${perMb(off)} | ${(on / off).toFixed(3)}× |`)
  }
  console.log(
    [
      `### The extra checks, ${rounds} lockstep rounds (turns of ${slice} rows): normalizeCsv + zod with the checks on and off`,
      '',
      '| round | checks on µs/MB | checks off µs/MB | on ÷ off |',
      '| ---: | ---: | ---: | ---: |',
      ...lines,
      '',
    ].join('\n'),
  )
  // the rounds' ratios tend to alternate a little above and below 1 (probably which side's turns the collections
  // land in; not investigated); the sides' CPU summed over all rounds evens that out
  return { ...spread(ratios), total: total.on / total.off }
}

const range = (s: Spread, digits = 2) =>
  `${s.median.toFixed(digits)}× (interquartile ${s.q1.toFixed(digits)}–${s.q3.toFixed(digits)}×)`

/** CSV: normalise + zod beside raw csv-parse (base), papaparse and fast-csv, all streaming the same file. */
export default async function main(): Promise<void> {
  if (!existsSync(new URL('./data/', import.meta.url))) mkdirSync(new URL('./data/', import.meta.url))
  const check = generate() // deterministic; regenerated each run so its counts are known
  const csv = await publishedCsv()
  const rows = await compare(
    [
      {
        name: 'csv-parse@6 (stream, columns:true)',
        base: true,
        run: () => consume(csvParse({ columns: true }), check),
      },
      { name: 'papaparse (stream, header:true, step)', run: () => papaparse(check) },
      { name: 'fast-csv (stream, headers:true)', run: () => consume(fastCsvParse({ headers: true }), check) },
      { name: '@fieldkit/csv normalizeCsv, no schema (strings)', run: () => fieldkit(csv, check, 'fieldkit', false) },
      {
        name: '@fieldkit/csv normalizeCsv + zod (built-in tokenizer)',
        run: () => fieldkit(csv, check, 'fieldkit', true),
      },
      {
        name: '@fieldkit/csv normalizeCsv + zod (csv-parse engine)',
        run: () => fieldkit(csv, check, 'csv-parse', true),
      },
    ],
    {
      title: `CSV: ${(check.bytes / 1e6).toFixed(1)} MB messy export, ${check.rows.toLocaleString('en-US')} records × 20 columns, streamed from disk`,
      unit: 'MB',
      rounds: 5,
      notes: [
        'normalizeCsv + zod sniffs the dialect, maps headers, reads 4 number and 3 date columns (one dd/mm/yyyy) and validates every row with a 20-key zod object; the peers return strings only.',
        '@fieldkit/csv runs as published (its tsup bundle, core included), like the peers (their npm packages), not from source through tsx.',
        'Shared 2-core machine with other agents running tests: read the paired × base ratios rather than absolute MB/s.',
      ],
    },
  )
  const zod = rows.find((r) => r.name === '@fieldkit/csv normalizeCsv + zod (built-in tokenizer)')
  const rounds = Number(process.env.CSV_BENCH_ROUNDS ?? 11)
  const vsPapa = await pairedCpu(csv, check, rounds)
  const checks = await checksCost(csv, check, rounds)
  console.log(
    [
      `- normalise + zod throughput ÷ csv-parse: ratio ${(zod?.ratio ?? 0).toFixed(2)}× (target ≥ 3×), median of 5 paired rounds`,
      `  (its CPU per MB against csv-parse's in the same rounds: ${(1 / (zod?.cpuRatio ?? 1)).toFixed(2)}× less; on a loaded machine the wall-clock ratio above swings with the load, this one less)`,
      `- normalise + zod CPU µs/MB ÷ papaparse plain parse: ratio ${range(vsPapa)} (target ≤ 0.9×), median of ${rounds} paired rounds`,
      `- extra checks (totals/footnotes, sniffing, encoding detection) on ÷ off, CPU: ratio ${range(checks, 3)}, all rounds together ${checks.total.toFixed(3)}× (target: nothing measurable, ≈ 1.00× with 1.00 inside the interquartile range), median of ${rounds} lockstep rounds`,
      '',
    ].join('\n'),
  )
}
