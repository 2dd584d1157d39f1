import type { Output } from './output'

/** Inputs at least this large show progress without `--progress` (smaller ones finish before it would help). */
export const PROGRESS_MIN_BYTES = 4 * 1024 * 1024

/** Progress of one long piece of work: bytes read (and rows, where there are rows), rate and time left. */
export interface Progress {
  /** Counts `bytes` more read and, optionally, `rows` more done. */
  advance(bytes: number, rows?: number): void
  /** The closing line: totals, time taken and the mean rate. */
  done(): void
}

/** Options of {@link startProgress}. */
export interface ProgressOptions {
  /** What is being done, first on the line: `csv normalize`, `redact`. */
  label: string
  /** Size of the input when known (a file): gives the percentage and the ETA. */
  totalBytes?: number
  /** Whether rows are counted (CSV) or only bytes (redact). */
  countRows?: boolean
  /** `--progress` (true), `--no-progress` (false), or neither (undefined: shown for inputs of 4 MiB or more). */
  flag?: boolean
  /** The clock, in ms (tests). */
  now?: () => number
}

const quiet: Progress = { advance() {}, done() {} }

/**
 * Progress on stderr: on a terminal one line redrawn in place at most ten times a second; when stderr is a pipe or a
 * file, a plain line at each further tenth of the input (or every 5 s when the size is unknown); nothing under
 * `--json`, nothing for small inputs unless `--progress` asks.
 *
 * @example
 * ```ts
 * const progress = startProgress(out, { label: 'redact', totalBytes: size, flag: options.progress })
 * stream.on('data', (chunk) => progress.advance(chunk.length))
 * progress.done()
 * ```
 */
export function startProgress(out: Output, options: ProgressOptions): Progress {
  const large = options.totalBytes !== undefined && options.totalBytes >= PROGRESS_MIN_BYTES
  if (out.json || options.flag === false || !(options.flag === true || large)) return quiet
  const now = options.now ?? (() => performance.now())
  const started = now()
  let bytes = 0
  let rows = 0
  let lastDraw = -Infinity
  let lastStep = 0
  const line = (final: boolean) => describe({ ...options, bytes, rows, ms: now() - started, final })
  return {
    advance(more, moreRows = 0) {
      bytes += more
      rows += moreRows
      const t = now()
      if (out.stderrTty) {
        if (t - lastDraw < 100) return
        lastDraw = t
        out.raw(`\r\u001b[2K${line(false)}`)
        return
      }
      const step =
        options.totalBytes !== undefined && options.totalBytes > 0
          ? Math.floor((bytes / options.totalBytes) * 10)
          : Math.floor((t - started) / 5000)
      if (step > lastStep && bytes < (options.totalBytes ?? Infinity)) {
        lastStep = step
        out.note(line(false))
      }
    },
    done() {
      if (out.stderrTty) out.raw(`\r\u001b[2K${line(true)}\n`)
      else out.note(line(true))
    },
  }
}

/** One progress line: `redact  12.0 MiB of 48.0 MiB (25%)  8.0 MiB/s  ETA 5 s`. */
export function describe(state: ProgressOptions & { bytes: number; rows: number; ms: number; final: boolean }): string {
  const seconds = Math.max(state.ms, 1) / 1000
  const rate = state.bytes / seconds
  const parts = [state.label]
  const total = state.totalBytes
  parts.push(
    total !== undefined && total > 0
      ? `${size(state.bytes)} of ${size(total)} (${Math.min(100, Math.floor((state.bytes / total) * 100))}%)`
      : size(state.bytes),
  )
  if (state.countRows) parts.push(`${state.rows.toLocaleString('en-US')} rows`)
  parts.push(`${size(rate)}/s`)
  if (state.final) parts.push(`done in ${seconds.toFixed(1)} s`)
  else if (total !== undefined && rate > 0) parts.push(`ETA ${Math.ceil(Math.max(0, total - state.bytes) / rate)} s`)
  return parts.join('  ')
}

function size(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
