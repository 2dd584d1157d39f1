import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import type * as Redact from '@fieldkit/redact'
import { pino } from 'pino'
import redactPii from 'redact-pii'
import { compare, pairedCpuRatio, type Row } from './harness'
import { importPublished } from './published'

// Log text generated like ../shared/peer-bench/gen/pii.mjs (same formats, kinds, weights and 0.8 values per line):
// emails, phones, Luhn-valid cards, IBANs with valid check digits, SSNs, IPv4/IPv6, mixed with PII-looking noise.
const TARGET_BYTES = 8e6
/** Paired rounds of the main comparison (`REDACT_BENCH_ROUNDS`, default 7). */
const ROUNDS = Number(process.env.REDACT_BENCH_ROUNDS ?? 7)
const KINDS = ['email', 'phone', 'card', 'iban', 'ssn', 'ip'] as const
type PlantedKind = (typeof KINDS)[number]
const KIND_WEIGHTS = [0.2, 0.2, 0.15, 0.15, 0.1, 0.2]
const PER_LINE = [0.45, 0.35, 0.15, 0.05]
const FIRST = [
  'James',
  'Mary',
  'John',
  'Patricia',
  'Robert',
  'Linda',
  'José',
  'Zoë',
  'François',
  'Jürgen',
  'Søren',
  'Mei',
]
const LAST = ['Smith', 'Johnson', 'Garcia', "O'Brien", 'Müller', 'Dubois', 'Nakamura', 'Kowalski', 'Núñez', 'Li']
const WORDS = [
  'invoice',
  'payment',
  'customer',
  'requested',
  'refund',
  'delivery',
  'address',
  'changed',
  'urgent',
  'please',
  'contact',
  'account',
  'updated',
  'order',
  'shipped',
  'pending',
  'approved',
  'café',
  'résumé',
  'the',
  'for',
]

function rng(seed: number) {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1))
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(arr: readonly T[]): T => arr[Math.floor(next() * arr.length)] as T,
    digits: (n: number) => {
      let s = ''
      for (let i = 0; i < n; i++) s += String(Math.floor(next() * 10))
      return s
    },
    hex: (n: number) => {
      let s = ''
      for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(next() * 16)]
      return s
    },
  }
}
type Rng = ReturnType<typeof rng>

function luhnComplete(partial: string): string {
  let sum = 0
  for (let i = 0; i < partial.length; i++) {
    let d = partial.charCodeAt(partial.length - 1 - i) - 48
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return partial + String((10 - (sum % 10)) % 10)
}

function mod97(numeric: string): number {
  let rem = 0
  for (let i = 0; i < numeric.length; i += 7) rem = Number(String(rem) + numeric.slice(i, i + 7)) % 97
  return rem
}

const MAKERS: Record<PlantedKind, (r: Rng) => string> = {
  email: (r) =>
    `${`${r.pick(FIRST)}.${r.pick(LAST)}`.toLowerCase().replace(/[^a-z.]/g, '')}${r.chance(0.5) ? r.int(1, 99) : ''}@${r.pick(['example.com', 'mail.example.org', 'corp.example.co.uk', 'example.net'])}`,
  phone: (r) => {
    switch (r.int(0, 5)) {
      case 0:
        return `+1 (${r.int(201, 989)}) ${r.int(200, 999)}-${r.digits(4)}`
      case 1:
        return `${r.int(201, 989)}-${r.int(200, 999)}-${r.digits(4)}`
      case 2:
        return `+44 20 ${r.digits(4)} ${r.digits(4)}`
      case 3:
        return `+49 30 ${r.digits(8)}`
      case 4:
        return `(${r.int(201, 989)}) ${r.int(200, 999)} ${r.digits(4)}`
      default:
        return `+33 1 ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`
    }
  },
  card: (r) => {
    const kind = r.int(0, 2)
    if (kind === 2) {
      const n = luhnComplete(r.pick(['34', '37']) + r.digits(12))
      const f = r.int(0, 2)
      const s = f === 1 ? ' ' : '-'
      return f === 0 ? n : `${n.slice(0, 4)}${s}${n.slice(4, 10)}${s}${n.slice(10)}`
    }
    const n = luhnComplete((kind === 0 ? '4' : String(r.int(51, 55))) + r.digits(kind === 0 ? 14 : 13))
    return (n.match(/.{4}/g) as string[]).join(r.pick(['', ' ', '-']))
  },
  iban: (r) => {
    const [cc, make] = r.pick([
      ['DE', () => r.digits(18)],
      ['GB', () => `NWBK${r.digits(14)}`],
      ['FR', () => `${r.digits(10)}A${r.digits(10)}${r.digits(2)}`],
      ['NL', () => `ABNA${r.digits(10)}`],
      ['ES', () => r.digits(20)],
    ] as const)
    const bban = make()
    const rearranged = `${bban}${cc}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55))
    const compact = cc + String(98 - mod97(rearranged)).padStart(2, '0') + bban
    return r.chance(0.5) ? compact : compact.replace(/(.{4})(?=.)/g, '$1 ')
  },
  ssn: (r) => {
    let area = r.int(1, 899)
    if (area === 666) area = 667
    return `${String(area).padStart(3, '0')}-${String(r.int(1, 99)).padStart(2, '0')}-${String(r.int(1, 9999)).padStart(4, '0')}`
  },
  ip: (r) =>
    r.chance(0.15)
      ? `2001:db8:${r.hex(4)}:${r.hex(2)}::${r.hex(3)}`
      : `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
}
const KEYS: Record<PlantedKind, string> = {
  email: 'email',
  phone: 'phone',
  card: 'card',
  iban: 'iban',
  ssn: 'ssn',
  ip: 'client_ip',
}

function weighted<T>(r: Rng, items: readonly T[], weights: readonly number[]): T {
  let x = r.next()
  for (let i = 0; i < items.length; i++) {
    x -= weights[i] as number
    if (x < 0) return items[i] as T
  }
  return items[items.length - 1] as T
}

function noise(r: Rng): string {
  switch (r.int(0, 6)) {
    case 0:
      return `order=${r.digits(9)}`
    case 1:
      return `amount=${r.int(0, 9999)}.${String(r.int(0, 99)).padStart(2, '0')}`
    case 2:
      return `took=${r.int(1, 5000)}ms`
    case 3:
      return `req=${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`
    case 4:
      return `v${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 99)}`
    case 5:
      return `status=${r.pick(['200', '201', '204', '400', '404', '500', '503'])}`
    default:
      return `bytes=${r.int(100, 99999999)}`
  }
}

export function buildLogText(targetBytes: number): {
  lines: string[]
  bytes: number
  planted: [PlantedKind, string][][]
} {
  const r = rng(20240503)
  const lines: string[] = []
  const planted: [PlantedKind, string][][] = []
  let bytes = 0
  let t = Date.UTC(2024, 4, 1)
  while (bytes < targetBytes) {
    t += r.int(1, 2000)
    const items: [PlantedKind, string][] = []
    const count = weighted(r, [0, 1, 2, 3], PER_LINE)
    for (let i = 0; i < count; i++) {
      const kind = weighted(r, KINDS, KIND_WEIGHTS)
      items.push([kind, MAKERS[kind](r)])
    }
    const bits = [`${r.pick(WORDS)} ${r.pick(WORDS)} ${r.pick(WORDS)}`]
    for (let j = r.int(1, 3); j > 0; j--) bits.push(noise(r))
    for (const [kind, v] of items) {
      const style = r.int(0, 2)
      if (style === 0) bits.push(`${KEYS[kind]}=${v}`)
      else if (style === 1) bits.push(`"${KEYS[kind]}":"${v}"`)
      else
        bits.push(
          `${r.pick(['contact', 'customer', 'from', 'updated'])} ${r.pick(FIRST)} ${r.pick(['at', 'via', 'with', 'using'])} ${v}`,
        )
      if (r.chance(0.5)) bits.push(noise(r))
    }
    const level = r.pick(['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'])
    const svc = r.pick(['billing', 'crm-sync', 'payments', 'hr-feed', 'soap-gw', 'sftp-ingest', 'auth'])
    const line = `${new Date(t).toISOString()} ${level} [${svc}] trace=${r.hex(16)} ${bits.join(' ')}`
    lines.push(line)
    planted.push(items)
    bytes += Buffer.byteLength(line) + 1
  }
  return { lines, bytes, planted }
}

// The naive single combined regex of ../shared/peer-bench/contenders/pii.mjs: validates nothing; the speed ceiling.
const NAIVE = new RegExp(
  [
    String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`,
    String.raw`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b`,
    String.raw`\b(?:\d[ -]?){12,18}\d\b`,
    String.raw`\b\d{3}-\d{2}-\d{4}\b`,
    String.raw`\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}|\(?\b\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}\b`,
    String.raw`\b(?:[0-9A-Fa-f]{1,4}:){2,7}:[0-9A-Fa-f]{0,4}\b|\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b`,
    String.raw`\b(?:\d{1,3}\.){3}\d{1,3}\b`,
  ]
    .map((s) => `(?:${s})`)
    .join('|'),
  'g',
)

function leaks(
  redact: (line: string) => string,
  lines: readonly string[],
  planted: readonly [PlantedKind, string][][],
) {
  const byKind = Object.fromEntries(KINDS.map((k) => [k, { planted: 0, verbatim: 0 }])) as Record<
    PlantedKind,
    { planted: number; verbatim: number }
  >
  for (let i = 0; i < lines.length; i++) {
    const out = redact(lines[i] as string)
    for (const [kind, value] of planted[i] ?? []) {
      byKind[kind].planted++
      if (out.includes(value)) byKind[kind].verbatim++
    }
  }
  return byKind
}

/** Redact: all detectors with checksums on mixed log text against redact-pii; key paths against pino's `redact`. */
export default async function main(): Promise<void> {
  const { lines, bytes, planted } = buildLogText(TARGET_BYTES)
  const mb = bytes / 1e6
  const built = await bundled('this tree', `${PACKAGE}/src`)
  const fieldkit = built.createRedactor()
  const redactPiiSync = new redactPii.SyncRedactor()
  const perLine = (fn: (line: string) => string) => () => {
    let chars = 0
    for (const line of lines) chars += fn(line).length
    if (chars === 0) throw new Error('no output')
    return mb
  }
  const plantedCount = planted.reduce((a, p) => a + p.length, 0)
  const rows = await compare(
    [
      { name: 'redact-pii SyncRedactor (defaults)', base: true, run: perLine((l) => redactPiiSync.redact(l)) },
      { name: 'naive combined regex, validates nothing (1 pass)', run: perLine((l) => l.replace(NAIVE, '[REDACTED]')) },
      {
        name: '@fieldkit/redact createRedactor() (all detectors, checksums; the published bundle)',
        run: perLine((l) => fieldkit.redactString(l).text),
      },
    ],
    {
      title: `Redact ${mb.toFixed(1)} MB of log lines (${lines.length.toLocaleString('en-US')} lines, ${(plantedCount / lines.length).toFixed(2)} planted values per line), one call per line`,
      unit: 'MB',
      rounds: ROUNDS,
      notes: [
        'Paired ratios (same round) matter more than absolute MB/s: other agents share this 2-core machine.',
        'Input generated in memory like ../shared/peer-bench/gen/pii.mjs (same formats and weights).',
        'Fieldkit is bundled with tsup as it is published (one module), not run from its sources through tsx: tsx ' +
          'turns each imported constant of a source module into a getter call, which cost the scanner 4–5× in CPU.',
      ],
    },
  )
  const [pii, naive, ours] = rows as [Row, Row, Row]
  console.log(
    `CPU per MB (medians): redact-pii ${pii.cpuPerUnitUs.toFixed(0)} µs, naive regex ${naive.cpuPerUnitUs.toFixed(0)} µs, @fieldkit/redact ${ours.cpuPerUnitUs.toFixed(0)} µs`,
  )
  const rounds = (a: Row) => ours.cpuRounds.map((x, i) => ((a.cpuRounds[i] ?? 0) / x).toFixed(2)).join(', ')
  console.log(
    `against redact-pii: ${pairedCpuRatio(pii, ours).toFixed(2)}× faster in CPU (target ≥ 10×), median of ${ROUNDS} paired rounds (${rounds(pii)})`,
  )
  console.log(
    `against the naive combined regex: ${pairedCpuRatio(naive, ours).toFixed(2)}× faster in CPU (target ≥ 1.1×), median of ${ROUNDS} paired rounds (${rounds(naive)})\n`,
  )
  await splitCost(lines, mb)
  if (process.env.REDACT_INSTRUCTIONS === '1') {
    const commits = (process.env.REDACT_INSTRUCTIONS_COMMITS ?? '').split(' ').filter((c) => c !== '')
    await (await import('./redact-instructions')).instructionCounts(lines, commits)
  }
  const sample = lines.slice(0, 20_000)
  const samplePlanted = planted.slice(0, 20_000)
  const leakRows = [
    ['redact-pii', leaks((l) => redactPiiSync.redact(l), sample, samplePlanted)],
    ['@fieldkit/redact', leaks((l) => fieldkit.redactString(l).text, sample, samplePlanted)],
  ] as const
  console.log('Planted values left verbatim in the output (first 20,000 lines):\n')
  console.log(`| redactor | ${KINDS.join(' | ')} | all |`)
  console.log(`| --- | ${KINDS.map(() => '---:').join(' | ')} | ---: |`)
  for (const [name, q] of leakRows) {
    const total = KINDS.reduce((a, k) => a + q[k].verbatim, 0)
    const all = KINDS.reduce((a, k) => a + q[k].planted, 0)
    console.log(
      `| ${name} | ${KINDS.map((k) => `${q[k].verbatim} of ${q[k].planted}`).join(' | ')} | ${total} of ${all} |`,
    )
  }
  console.log('')

  // Object redaction by key paths: pino's own `redact` option against pinoRedaction() on the same objects.
  const paths = ['req.headers.authorization', 'req.headers.cookie', 'user.password', 'user.email', '*.token']
  const objects = Array.from({ length: 2_000 }, (_, i) => ({
    req: {
      method: 'POST',
      url: `/api/orders/${i}`,
      headers: {
        authorization: `Bearer tok${i}abcdef`,
        cookie: `sid=${i}`,
        'user-agent': 'client/1.2',
        host: 'erp.client.example',
      },
    },
    user: { id: i, name: 'Ann Example', email: `ann${i}@example.com`, password: 'hunter2', roles: ['admin', 'ops'] },
    session: { token: `t-${i}`, started: 1_700_000_000_000 + i },
    items: [
      { sku: `SKU-${i}`, qty: 2, price: 19.99 },
      { sku: `SKU-${i + 1}`, qty: 1, price: 5.5 },
    ],
    took: 12.5,
  }))
  const sink = { write: (_s: string) => {} }
  const OBJECT_ROUNDS = 10
  const logAll = (logger: pino.Logger) => () => {
    for (let r = 0; r < OBJECT_ROUNDS; r++) for (const o of objects) logger.info(o, 'order placed')
    return OBJECT_ROUNDS * objects.length
  }
  const { createRedactor, pinoRedaction } = built
  const keysOnly = createRedactor({ detectors: [], keys: paths })
  const keysAndValues = createRedactor({ keys: paths })
  await compare(
    [
      { name: 'pino, no redaction', run: logAll(pino({}, sink)) },
      { name: 'pino `redact: { paths }` (its own option)', base: true, run: logAll(pino({ redact: { paths } }, sink)) },
      { name: 'pino + pinoRedaction(key paths only)', run: logAll(pino({ ...pinoRedaction(keysOnly) }, sink)) },
      {
        name: 'pino + pinoRedaction(key paths + all detectors)',
        run: logAll(pino({ ...pinoRedaction(keysAndValues) }, sink)),
      },
      {
        name: 'redactObject (key paths only, no logger)',
        run: () => {
          for (let r = 0; r < OBJECT_ROUNDS; r++) for (const o of objects) keysOnly.redactObject(o)
          return OBJECT_ROUNDS * objects.length
        },
      },
    ],
    {
      title: 'Log objects with key paths (5 paths, 2,000 objects × 10), pino writing to a no-op destination',
      unit: 'ops',
      rounds: 5,
      notes: [
        'pinoRedaction copies each object (pino redacts in place and restores); both write the same JSON fields.',
      ],
    },
  )
}

const ROOT = new URL('../', import.meta.url).pathname
const PACKAGE = `${ROOT}packages/redact`
/** Where the bundles are written (inside the package, so `@fieldkit/core` and pino resolve as for the package). */
const BUNDLES = `${PACKAGE}/.tmp/bench`

/**
 * `@fieldkit/redact` as it is published: `src/index.ts` of `srcDir` bundled by tsup into one ES module (the
 * settings of `tsup.base.ts`, ESM only, no types), then imported. Its dependencies stay external.
 */
async function bundled(label: string, srcDir: string): Promise<typeof Redact> {
  const outDir = `${BUNDLES}/${label.replace(/[^a-z0-9]+/gi, '-')}`
  return (await importPublished(`${srcDir}/index.ts`, outDir, {
    external: ['pino', '@fieldkit/core'],
  })) as typeof Redact
}

/**
 * The scanner's split into one file per detector family, paired before/after in one process: the package source of
 * each commit is extracted (`git archive`) next to the package and bundled as published, and each redactor runs the
 * same lines, alternating, median of the rounds. Run: `pnpm bench redact`.
 */
export async function splitCost(lines: readonly string[], mb: number): Promise<void> {
  const commits = [
    ['before the split (610ffcd)', '610ffcd'],
    ['after the split (5de0404)', '5de0404'],
  ] as const
  const redactors: [string, Redact.Redactor][] = []
  try {
    for (const [name, sha] of commits) {
      const dir = `${BUNDLES}/src-${sha}`
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(dir, { recursive: true })
      const tar = execFileSync('git', ['-C', ROOT, 'archive', sha, 'packages/redact/src'])
      execFileSync('tar', ['-x', '-C', dir, '--strip-components=2'], { input: tar })
      redactors.push([name, (await bundled(sha, `${dir}/src`)).createRedactor()])
      rmSync(dir, { recursive: true, force: true }) // the bundle is built; its sources must not meet tsc or vitest
    }
    redactors.push([
      'this tree (split + issue 14 formats)',
      (await bundled('this tree', `${PACKAGE}/src`)).createRedactor(),
    ])
  } catch (error) {
    console.log(`_split cost not measured: ${(error as Error).message.split('\n')[0]}_\n`)
    return
  }
  const perLine = (r: Redact.Redactor) => () => {
    let chars = 0
    for (const line of lines) chars += r.redactString(line).text.length
    if (chars === 0) throw new Error('no output')
    return mb
  }
  const rows = await compare(
    redactors.map(([name, r], i) => ({ name, base: i === 0, run: perLine(r) })),
    {
      title: 'The scanner split, paired before/after in one run (same lines, CPU µs per MB)',
      unit: 'MB',
      rounds: 7,
      notes: [
        'Each commit’s src extracted with git archive and bundled with tsup as published; 7 rounds, median of the paired per-round CPU ratios.',
      ],
    },
  )
  const [, after, now] = rows as [Row, Row, Row]
  const pct = (row: Row) => `${row.cpuRatio >= 1 ? '+' : ''}${((row.cpuRatio - 1) * 100).toFixed(1)}%`
  const rounds = (row: Row) => row.cpuRounds.map((x, i) => (x / (rows[0]?.cpuRounds[i] ?? x)).toFixed(2)).join(', ')
  console.log(
    `split cost in CPU per MB, median of 7 paired rounds: ${pct(after)} right after the split (${rounds(after)}), ${pct(now)} for this tree (${rounds(now)}) (target ≤ +10%; aim ≤ 0%: no slower per MB than the pre-split scanner)\n`,
  )
}
