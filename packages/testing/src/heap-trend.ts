import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8'
import { runInNewContext } from 'node:vm'

// What the soaks share (http's 100,000 requests, csv's 300 MB): the heap after a full gc sampled at steady
// intervals, the slope of a least-squares line through the samples (one early or late outlier cannot pass or fail
// the run on its own, as "first vs last" or "max minus first" let it), and, when the trend is over the bound, a
// diff of two heap snapshots by constructor that names what grew.

let collect: (() => void) | undefined

/**
 * The heap in use (bytes) after three full garbage collections: what is still reachable.
 *
 * @example
 * ```ts
 * const samples = [{ at: 0, heap: heapAfterGc() }]
 * ```
 */
export function heapAfterGc(): number {
  if (collect === undefined) {
    setFlagsFromString('--expose-gc')
    collect = runInNewContext('gc') as () => void
  }
  for (let i = 0; i < 3; i++) collect()
  return process.memoryUsage().heapUsed
}

/** One heap sample: where in the run (`at`: requests done, bytes read) and the heap after gc. */
export interface HeapSample {
  at: number
  heap: number
}

/** A least-squares line through heap samples, and what it says over the span of the run. */
export interface HeapTrend {
  /** Bytes of heap per unit of `at`. */
  slope: number
  /** The line's rise from the first sample's `at` to the last's, in bytes: the growth the run shows. */
  growth: number
  /** Largest minus smallest sample, in bytes (for the record: a step up that levels off is not a leak). */
  spread: number
  samples: number
}

/**
 * Fits a least-squares line through the samples and returns its slope and its rise over the sampled span.
 *
 * @example
 * ```ts
 * const trend = heapTrend(samples.slice(5))
 * expect(trend.growth).toBeLessThan(1024 * 1024)
 * ```
 */
export function heapTrend(samples: readonly HeapSample[]): HeapTrend {
  const n = samples.length
  if (n < 2) throw new Error(`heapTrend needs at least two samples, got ${n}`)
  let sx = 0
  let sy = 0
  for (const s of samples) {
    sx += s.at
    sy += s.heap
  }
  const mx = sx / n
  const my = sy / n
  let sxy = 0
  let sxx = 0
  for (const s of samples) {
    sxy += (s.at - mx) * (s.heap - my)
    sxx += (s.at - mx) ** 2
  }
  const slope = sxx === 0 ? 0 : sxy / sxx
  const first = samples[0] as HeapSample
  const last = samples[n - 1] as HeapSample
  const heaps = samples.map((s) => s.heap)
  return {
    slope,
    growth: slope * (last.at - first.at),
    spread: Math.max(...heaps) - Math.min(...heaps),
    samples: n,
  }
}

/** Count and self size of the heap's objects per constructor (`type:name`), from a V8 heap snapshot file. */
function byConstructor(file: string): Map<string, { count: number; size: number }> {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }
    nodes: number[]
    strings: string[]
  }
  const fields = snapshot.snapshot.meta.node_fields
  const types = snapshot.snapshot.meta.node_types[0]
  const width = fields.length
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const sizeAt = fields.indexOf('self_size')
  const out = new Map<string, { count: number; size: number }>()
  const nodes = snapshot.nodes
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt] as number] ?? '?'
    const name = type === 'string' || type === 'number' ? '' : (snapshot.strings[nodes[i + nameAt] as number] ?? '')
    const key = `${type}:${name.slice(0, 60)}`
    const entry = out.get(key) ?? { count: 0, size: 0 }
    entry.count++
    entry.size += nodes[i + sizeAt] as number
    out.set(key, entry)
  }
  return out
}

/** A heap snapshot taken now, to diff against a later one if the trend is over its bound. */
export interface HeapBaseline {
  /** Takes a second snapshot and lists the constructors whose objects grew most since the first, by size. */
  diff(top?: number): string[]
  /** Removes the snapshot file. */
  discard(): void
}

/**
 * Writes a heap snapshot now (a second or so for a small heap) so that a failing soak can name what grew.
 *
 * @example
 * ```ts
 * const baseline = heapBaseline()
 * // … the run …
 * if (trend.growth > bound) console.log(baseline.diff().join('\n'))
 * baseline.discard()
 * ```
 */
export function heapBaseline(): HeapBaseline {
  heapAfterGc()
  const first = writeHeapSnapshot(join(tmpdir(), `fk-heap-${process.pid}-${Date.now()}-a.heapsnapshot`))
  return {
    diff(top = 12) {
      heapAfterGc()
      const second = writeHeapSnapshot(join(tmpdir(), `fk-heap-${process.pid}-${Date.now()}-b.heapsnapshot`))
      try {
        const before = byConstructor(first)
        const after = byConstructor(second)
        const rows = [...after].map(([key, a]) => {
          const b = before.get(key) ?? { count: 0, size: 0 }
          return { key, count: a.count - b.count, size: a.size - b.size }
        })
        return rows
          .filter((r) => r.size > 0)
          .sort((x, y) => y.size - x.size)
          .slice(0, top)
          .map((r) => `${r.key} +${r.count} objects, +${Math.round(r.size / 1024)} KB`)
      } finally {
        rmSync(second, { force: true })
      }
    },
    discard() {
      rmSync(first, { force: true })
    },
  }
}
