import { debugEnabled, type FieldkitError, isFieldkitError } from '@fieldkit/core'
import { CliError, EXIT, exitCodeOf, fileNotFound, isFileError } from './errors'

export { EXIT } from './errors'

/** How a command talks to the person or script that ran it. */
export interface Output {
  /** `--json`: one JSON document on stdout, nothing else there. */
  readonly json: boolean
  /** Colours only on a TTY, never with `--no-color` or a non-empty `NO_COLOR`, never under `--json`. */
  readonly color: boolean
  /** stdout is a terminal: progress may redraw lines. */
  readonly tty: boolean
  /** stderr is a terminal: progress redraws one line there; otherwise it prints plain lines. */
  readonly stderrTty: boolean
  /** Where results go: the process's stdout, or a stream a test gave {@link main}. */
  readonly stdout: NodeJS.WritableStream
  /** Where a command without a file argument reads from. */
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  /** The environment the command reads its secrets and settings from. */
  readonly env: NodeJS.ProcessEnv
  /** A line for people (stdout); suppressed under --json. */
  line(text?: string): void
  /** A JSON result (stdout) under --json; ignored otherwise. */
  result(value: unknown): void
  /** A warning or progress note for people (stderr). */
  note(text: string): void
  /** Raw text on stderr, without a newline (progress redraws). */
  raw(text: string): void
  bold(text: string): string
  dim(text: string): string
  red(text: string): string
  green(text: string): string
  yellow(text: string): string
}

/**
 * Whether colour is allowed by the environment: `NO_COLOR` set to anything but the empty string turns it off
 * (no-color.org), and so does `TERM=dumb`.
 */
export function colorAllowed(env: NodeJS.ProcessEnv): boolean {
  return (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb'
}

/** The streams and environment of one run: the process's own, or a test's. */
export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
}

/** The process's own streams and environment. */
export function processIo(): Io {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }
}

/** Builds the output for one run, from the flags and the environment. */
export function createOutput(options: {
  json: boolean
  /** `false` with `--no-color`. */
  color?: boolean
  io?: Partial<Io>
}): Output {
  const io = { ...processIo(), ...options.io }
  const { stdout, stderr, env } = io
  const tty = stdout.isTTY === true
  const color = tty && !options.json && options.color !== false && colorAllowed(env)
  const paint = (code: number, reset: number) => (text: string) =>
    color ? `\u001b[${code}m${text}\u001b[${reset}m` : text
  return {
    json: options.json,
    color,
    tty,
    stderrTty: stderr.isTTY === true,
    stdout,
    stdin: io.stdin,
    env,
    line(text = '') {
      if (!options.json) stdout.write(`${text}\n`)
    },
    result(value) {
      if (options.json) stdout.write(`${JSON.stringify(value, null, 2)}\n`)
    },
    note(text) {
      stderr.write(`${text}\n`)
    },
    raw(text) {
      stderr.write(text)
    },
    bold: paint(1, 22),
    dim: paint(2, 22),
    red: paint(31, 39),
    green: paint(32, 39),
    yellow: paint(33, 39),
  }
}

/**
 * Any failure as a Fieldkit error: Fieldkit errors as they are, a file error as `FK_CLI_FILE_NOT_FOUND`, anything
 * else as `FK_CLI_UNEXPECTED` (a fault of fieldkit's, not of the input: the stack is shown with FIELDKIT_DEBUG=cli).
 */
export function asFailure(error: unknown): FieldkitError {
  if (isFieldkitError(error)) return error
  if (isFileError(error)) return fileNotFound(error.path, 'a file argument', error)
  const message = error instanceof Error ? error.message : String(error)
  return new CliError({
    code: 'FK_CLI_UNEXPECTED',
    message: `[fieldkit/cli] ${message}`,
    hint: 'This is a fault in fieldkit, not in your input: rerun with FIELDKIT_DEBUG=cli to see the stack trace, and report it with the command you ran',
    cause: error,
  })
}

/**
 * Hints for the command line, where a package's own hint speaks of library options (`headers.aliases`,
 * `maxErrors`) the CLI user never sets: the same advice in flags and schema-file fields.
 */
const CLI_HINTS: ReadonlyMap<string, string> = new Map([
  [
    'FK_CSV_MISSING_COLUMNS',
    'Name the columns in the --schema file by the keys fieldkit csv inspect <file> prints (snake_case), or map the file’s own name with "aliases" in the --schema file',
  ],
  [
    'FK_CSV_TOO_MANY_ERRORS',
    'Run fieldkit csv inspect <file>: a wrong delimiter, encoding or header row fails every row; otherwise raise "maxErrorRatio" in the --schema file',
  ],
  ['FK_CSV_SPREADSHEET', 'Save the sheet as CSV (UTF-8) in Excel or LibreOffice and pass that file'],
  ['FK_CSV_NOT_TEXT', 'Check the path: pass the CSV export, not an archive or a binary file'],
  [
    'FK_CSV_FILE_UNREADABLE',
    'Check the path and that you may read the file; a relative path is taken from the current folder',
  ],
  [
    'FK_SOAP_FAULT',
    'The service refused the call: the fault and detail lines say why (a missing field, a wrong value, refused credentials); faults are never retried',
  ],
])

/** Exit codes of package errors that are the user's to fix from the shell, as the CLI's own codes have. */
const CLI_EXIT_CODES: ReadonlyMap<string, number> = new Map([
  ['FK_CSV_FILE_UNREADABLE', EXIT.fileNotFound],
  ['FK_CSV_SPREADSHEET', EXIT.binaryInput],
  ['FK_CSV_NOT_TEXT', EXIT.binaryInput],
])

/** The hint a command-line user gets: the CLI's wording where the package's speaks of library options. */
export function cliHint(failure: FieldkitError): string {
  return CLI_HINTS.get(failure.code) ?? failure.hint
}

/** Says why a command failed in one line (and the hint on a second), never with a secret: Fieldkit errors carry none. */
export function describeFailure(error: unknown): string {
  const failure = asFailure(error)
  return `fieldkit: ${failure.message} [${failure.code}]\n  hint: ${cliHint(failure)}`
}

/**
 * Reports a failure the way every command does and returns its exit code: the reason and hint on stderr, with
 * `--json` also `{ "error": { code, message, hint, exitCode } }` on stdout. No stack trace, unless FIELDKIT_DEBUG
 * names `cli` (or is `*`) and the failure is not one the user can fix from the shell.
 */
export function reportFailure(error: unknown, options: { json: boolean; io?: Partial<Io> }): number {
  const { stdout, stderr, env } = { ...processIo(), ...options.io }
  const failure = asFailure(error)
  const exitCode = CLI_EXIT_CODES.get(failure.code) ?? exitCodeOf(failure)
  const fault = soapFault(failure)
  const text = describeFailure(failure) + (fault ? describeFault(fault) : '')
  if (options.json) {
    const { code, message } = failure
    const error = { code, message, hint: cliHint(failure), exitCode, ...(fault ? { fault } : {}) }
    safeWrite(stdout, `${JSON.stringify({ error }, bigints, 2)}\n`)
  }
  safeWrite(stderr, `${text}\n`)
  const stack = failure.code === 'FK_CLI_UNEXPECTED' ? (failure.cause as Error | undefined)?.stack : undefined
  if (stack && debugEnabled('cli', env.FIELDKIT_DEBUG)) safeWrite(stderr, `${stack}\n`)
  return exitCode === EXIT.ok ? EXIT.failed : exitCode
}

/** The part of a SOAP fault a user acts on: code, subcodes, reason and the service's detail (`HR-404`). */
interface FaultSummary {
  code: string
  subcodes: string[]
  reason: string
  detail?: unknown
}

/** The fault of an `FK_SOAP_FAULT` error (read by shape: the CLI shows it, the soap package defines it). */
function soapFault(failure: FieldkitError): FaultSummary | undefined {
  if (failure.code !== 'FK_SOAP_FAULT') return undefined
  const fault = (
    failure as {
      fault?: { code?: { local?: string }; subcodes?: { local: string }[]; reason?: string; detail?: unknown }
    }
  ).fault
  if (fault === undefined) return undefined
  return {
    code: fault.code?.local ?? '',
    subcodes: (fault.subcodes ?? []).map((s) => s.local),
    reason: fault.reason ?? '',
    ...(fault.detail !== undefined ? { detail: fault.detail } : {}),
  }
}

function describeFault(fault: FaultSummary): string {
  const code = [fault.code, ...fault.subcodes].join('/')
  return `\n  fault: ${code}: ${fault.reason}${
    fault.detail !== undefined ? `\n  detail: ${JSON.stringify(fault.detail, bigints)}` : ''
  }`
}

const bigints = (_key: string, value: unknown) => (typeof value === 'bigint' ? String(value) : value)

/** Writes unless the reader has gone (a closed pipe): a report must never turn into an EPIPE crash. */
function safeWrite(stream: NodeJS.WritableStream, text: string): void {
  if ((stream as { destroyed?: boolean }).destroyed || (stream as { writableEnded?: boolean }).writableEnded) return
  stream.write(text)
}
