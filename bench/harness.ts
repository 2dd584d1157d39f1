import { cpus, totalmem } from 'node:os'

/** One thing measured in a comparison. Exactly one contender per comparison is the `base` (ratio 1.00×). */
export interface Contender {
  name: string
  base?: boolean
  /** Prepares state the timed runs reuse (a client, a parsed file); its time is not counted. */
  setup?: () => Promise<void> | void
  /** One timed run; returns the units of work done (requests, bytes, records) so throughput can be computed. */
  run: () => Promise<number> | number
  teardown?: () => Promise<void> | void
}

export interface CompareOptions {
  title: string
  /** Unit of the work `run` returns: 'req', 'MB', 'ops'… */
  unit: string
  rounds?: number
  /** Warm-up runs per contender before the timed rounds. */
  warmup?: number
  /** Extra notes printed under the table (input size, machine caveats). */
  notes?: string[]
}

export interface Row {
  name: string
  median: number
  min: number
  max: number
  ratio: number
  cpuPerUnitUs: number
  /** Median over rounds of this contender's CPU per unit over the base's in the same round (paired). */
  cpuRatio: number
  /** This contender's CPU per unit in each round, in round order, for pairing two contenders with {@link pairedCpuRatio}. */
  cpuRounds: number[]
}

/**
 * The median over rounds of `a`'s CPU per unit over `b`'s in the same round: how many times cheaper `b` is than `a`,
 * paired round by round so a busy phase of the machine hits both alike.
 */
export function pairedCpuRatio(a: Row, b: Row): number {
  return median(a.cpuRounds.map((x, i) => x / (b.cpuRounds[i] ?? Number.NaN)))
}

const gc = (globalThis as { gc?: () => void }).gc

/**
 * Runs every contender alternately for `rounds` rounds (the order rotated each round; before each timed run, garbage
 * collected and one untimed warm-up run of that same contender), and reports the median throughput and the median of the paired per-round ratio to the base, so that a
 * slow phase of a shared machine hits both sides of a ratio alike.
 */
export async function compare(contenders: Contender[], options: CompareOptions): Promise<Row[]> {
  const rounds = options.rounds ?? 5
  const warmup = options.warmup ?? 1
  const base = contenders.find((c) => c.base)
  if (base === undefined) throw new Error(`bench "${options.title}": no contender is marked base`)
  for (const c of contenders) await c.setup?.()
  for (let w = 0; w < warmup; w++) for (const c of contenders) await c.run()

  const rates = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
  const cpu = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
  const ratios = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
  const cpuRatios = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length] as Contender)
    const thisRound = new Map<string, number>()
    const cpuThisRound = new Map<string, number>()
    for (const c of order) {
      // Every contender alike: collect garbage, then one untimed run, so the timed run starts from a warm, steady
      // state and does not pay for the garbage or the cold caches the contender before it left.
      gc?.()
      await c.run()
      const cpuStart = process.cpuUsage()
      const start = performance.now()
      const units = await c.run()
      const seconds = (performance.now() - start) / 1000
      const used = process.cpuUsage(cpuStart)
      rates.get(c.name)?.push(units / seconds)
      cpu.get(c.name)?.push((used.user + used.system) / units)
      thisRound.set(c.name, units / seconds)
      cpuThisRound.set(c.name, (used.user + used.system) / units)
    }
    const baseRate = thisRound.get(base.name) ?? 1
    const baseCpu = cpuThisRound.get(base.name) ?? 1
    for (const c of contenders) {
      ratios.get(c.name)?.push((thisRound.get(c.name) ?? 0) / baseRate)
      cpuRatios.get(c.name)?.push((cpuThisRound.get(c.name) ?? 0) / baseCpu)
    }
  }
  for (const c of contenders) await c.teardown?.()

  const rows = contenders.map((c) => {
    const r = rates.get(c.name) ?? []
    return {
      name: c.base ? `${c.name} (base)` : c.name,
      median: median(r),
      min: Math.min(...r),
      max: Math.max(...r),
      ratio: median(ratios.get(c.name) ?? []),
      cpuPerUnitUs: median(cpu.get(c.name) ?? []),
      cpuRatio: median(cpuRatios.get(c.name) ?? []),
      cpuRounds: cpu.get(c.name) ?? [],
    }
  })
  printTable(rows, options)
  return rows
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2))

function printTable(rows: Row[], options: CompareOptions): void {
  const lines = [
    `### ${options.title}`,
    '',
    `| contender | ${options.unit}/s (median) | min–max | × base | CPU µs/${options.unit} |`,
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.median)} | ${fmt(r.min)}–${fmt(r.max)} | ${r.ratio.toFixed(2)}× | ${fmt(r.cpuPerUnitUs)} |`,
    ),
    '',
    ...(options.notes ?? []).map((n) => `_${n}_`),
    '',
  ]
  console.log(lines.join('\n'))
}

/** The machine line every results table carries. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  return `${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform} ${process.arch}`
}
