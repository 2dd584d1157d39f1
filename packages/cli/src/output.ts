import { isFieldkitError } from '@fieldkit/core'

/** How a command talks to the person or script that ran it. */
export interface Output {
  /** `--json`: one JSON document on stdout, nothing else there. */
  readonly json: boolean
  /** Colours only on a TTY, and never with NO_COLOR set. */
  readonly color: boolean
  /** stdout is a terminal: progress may redraw lines. */
  readonly tty: boolean
  /** A line for people (stdout); suppressed under --json. */
  line(text?: string): void
  /** A JSON result (stdout) under --json; ignored otherwise. */
  result(value: unknown): void
  /** A warning or progress note for people (stderr). */
  note(text: string): void
  bold(text: string): string
  dim(text: string): string
  red(text: string): string
  green(text: string): string
  yellow(text: string): string
}

/** Builds the output for one run, from the flags and the environment. */
export function createOutput(options: {
  json: boolean
  stdout?: NodeJS.WriteStream
  stderr?: NodeJS.WriteStream
  env?: NodeJS.ProcessEnv
}): Output {
  const stdout = options.stdout ?? process.stdout
  const stderr = options.stderr ?? process.stderr
  const env = options.env ?? process.env
  const tty = stdout.isTTY === true
  const color = tty && !options.json && env.NO_COLOR === undefined && env.TERM !== 'dumb'
  const paint = (code: number, reset: number) => (text: string) =>
    color ? `\u001b[${code}m${text}\u001b[${reset}m` : text
  return {
    json: options.json,
    color,
    tty,
    line(text = '') {
      if (!options.json) stdout.write(`${text}\n`)
    },
    result(value) {
      if (options.json) stdout.write(`${JSON.stringify(value, null, 2)}\n`)
    },
    note(text) {
      stderr.write(`${text}\n`)
    },
    bold: paint(1, 22),
    dim: paint(2, 22),
    red: paint(31, 39),
    green: paint(32, 39),
    yellow: paint(33, 39),
  }
}

/** Exit codes, the same for every command (documented in the README). */
export const EXIT = {
  ok: 0,
  /** The operation failed: the one-line reason is on stderr. */
  failed: 1,
  /** The command line was wrong: unknown command, missing argument, bad option. */
  usage: 2,
  /** The run completed but found problems that need attention (probe findings, quarantined rows). */
  findings: 3,
} as const

/** Says why a command failed in one line (and the hint on a second), never with a secret: Fieldkit errors carry none. */
export function describeFailure(error: unknown): string {
  if (isFieldkitError(error)) return `fieldkit: ${error.message} [${error.code}]\n  hint: ${error.hint}`
  const message = error instanceof Error ? error.message : String(error)
  return `fieldkit: ${message}`
}
