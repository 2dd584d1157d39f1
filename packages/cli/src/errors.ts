import { type ErrorDetail, FieldkitError } from '@fieldkit/core'

/** Codes of the errors the `fieldkit` command line itself raises (the packages under it raise their own). */
export type CliErrorCode =
  | 'FK_CLI_USAGE'
  | 'FK_CLI_FILE_NOT_FOUND'
  | 'FK_CLI_SCHEMA_FILE'
  | 'FK_CLI_COLUMN_TYPE'
  | 'FK_CLI_BINARY_INPUT'
  | 'FK_CLI_NO_CREDENTIALS'
  | 'FK_CLI_UNEXPECTED'
  | 'FK_CLI_SIMULATOR_MISSING'

/**
 * A failure of the command line the user can fix from the shell: a wrong flag, a missing file, a bad schema file,
 * binary input. Its hint speaks in flags (`--schema`, `--tries`), never in library option names, and
 * {@link exitCodeOf} gives each code its documented exit code.
 *
 * @example
 * ```ts
 * throw new CliError({
 *   code: 'FK_CLI_USAGE',
 *   message: '[fieldkit/cli] Expected `--tries` to be an integer from 1 to 100, got 0',
 *   hint: 'Pass --tries with a whole number such as --tries 5',
 * })
 * ```
 */
export class CliError extends FieldkitError<CliErrorCode> {
  override name = 'CliError'
  constructor(options: {
    code: CliErrorCode
    message: string
    hint: string
    cause?: unknown
    details?: Record<string, ErrorDetail>
  }) {
    super(options)
  }
}

/** Exit codes, the same for every command (documented in the README and in `fieldkit --help`). */
export const EXIT = {
  ok: 0,
  /** The operation failed: the one-line reason is on stderr (and, with --json, a JSON error on stdout). */
  failed: 1,
  /** The command line was wrong: unknown command, missing argument, bad flag value. */
  usage: 2,
  /** The run completed but found problems that need attention (probe findings, quarantined rows). */
  findings: 3,
  /** A file named on the command line does not exist or cannot be read. */
  fileNotFound: 4,
  /** The `--schema` file is not JSON, or not the shape `csv normalize` reads. */
  schemaFile: 5,
  /** The `--schema` file names a column type `csv normalize` does not know. */
  columnType: 6,
  /** The input is binary (a zip, an image, a spreadsheet) where text was expected. */
  binaryInput: 7,
} as const

/**
 * The exit code of a failure: its own documented code for the CLI's user errors, {@link EXIT.failed} for the rest.
 *
 * @example
 * ```ts
 * exitCodeOf(new CliError({ code: 'FK_CLI_FILE_NOT_FOUND', message, hint })) // 4
 * ```
 */
export function exitCodeOf(error: unknown): number {
  if (!(error instanceof CliError)) return EXIT.failed
  switch (error.code) {
    case 'FK_CLI_USAGE':
    case 'FK_CLI_NO_CREDENTIALS':
      return EXIT.usage
    case 'FK_CLI_FILE_NOT_FOUND':
      return EXIT.fileNotFound
    case 'FK_CLI_SCHEMA_FILE':
      return EXIT.schemaFile
    case 'FK_CLI_COLUMN_TYPE':
      return EXIT.columnType
    case 'FK_CLI_BINARY_INPUT':
      return EXIT.binaryInput
    default:
      return EXIT.failed
  }
}

/** A file named on the command line that cannot be opened; `flag` says which argument named it. */
export function fileNotFound(path: string, flag: string, cause?: unknown): CliError {
  return new CliError({
    code: 'FK_CLI_FILE_NOT_FOUND',
    message: `[fieldkit/cli] Cannot read ${path} (${flag}): ${describeIoError(cause)}`,
    hint: 'Check the path and that you may read the file; a relative path is taken from the current folder',
    cause,
    details: { path, flag },
  })
}

/**
 * Node's file errors in plain words (ENOENT → "no such file"); the raw code stays on the cause.
 *
 * @example
 * ```ts
 * describeIoError(Object.assign(new Error('x'), { code: 'ENOENT' })) // 'no such file'
 * ```
 */
export function describeIoError(cause: unknown): string {
  const code = (cause as { code?: unknown } | undefined)?.code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'it is a folder, not a file'
  return cause instanceof Error ? cause.message : 'unreadable'
}

/** A Node file error (ENOENT, EACCES, EISDIR) on a path, as opposed to any other failure. */
export function isFileError(error: unknown): error is Error & { code: string; path: string } {
  const e = error as { code?: unknown; path?: unknown } | undefined
  return (
    error instanceof Error &&
    typeof e?.path === 'string' &&
    (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EISDIR')
  )
}
