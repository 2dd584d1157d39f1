import { type ErrorDetail, FieldkitError } from '@fieldkit/core'

/** Codes of the errors `@fieldkit/csv` throws; match on these, never on the message. */
export type CsvErrorCode =
  | 'FK_CSV_INVALID_OPTIONS'
  | 'FK_CSV_INVALID_INPUT'
  | 'FK_CSV_INVALID_ENCODING'
  | 'FK_CSV_RECORD_TOO_LARGE'
  | 'FK_CSV_MISSING_COLUMNS'
  | 'FK_CSV_TOO_MANY_ERRORS'
  | 'FK_CSV_INVALID_ROW'
  | 'FK_CSV_PARSE_FAILED'
  | 'FK_CSV_EMPTY'
  | 'FK_CSV_NOT_TEXT'
  | 'FK_CSV_SPREADSHEET'
  | 'FK_CSV_FILE_UNREADABLE'
  | 'FK_CSV_SCHEMA_UNREADABLE'

/**
 * The error every `@fieldkit/csv` failure is: a {@link FieldkitError} with one of the {@link CsvErrorCode} codes.
 *
 * @example
 * ```ts
 * try { for await (const row of normalizeCsv(input, { schema }).rows) use(row) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_CSV_TOO_MANY_ERRORS') console.error(e.hint)
 * }
 * ```
 */
export class CsvError extends FieldkitError<CsvErrorCode> {
  override name = 'CsvError'
  constructor(options: {
    code: CsvErrorCode
    message: string
    hint: string
    cause?: unknown
    details?: Record<string, ErrorDetail>
  }) {
    super(options)
  }
}

export function invalidOption(name: string, expected: string, got: unknown): CsvError {
  const shown = typeof got === 'string' ? JSON.stringify(got) : typeof got === 'object' ? typeof got : String(got)
  return new CsvError({
    code: 'FK_CSV_INVALID_OPTIONS',
    message: `[fieldkit/csv] Expected \`${name}\` to be ${expected}, got ${shown}`,
    hint: 'Check the options passed to normalizeCsv, sniffCsv or writeCsv against the README',
    details: { option: name },
  })
}

/** A record longer than `maxRecordSize`: both tokenizers throw this one error. */
export function recordTooLarge(line: number, maxRecordSize: number): CsvError {
  return new CsvError({
    code: 'FK_CSV_RECORD_TOO_LARGE',
    message: `[fieldkit/csv] The record starting on line ${line} is longer than ${maxRecordSize} characters`,
    hint: 'Usually a quote that is never closed, or the wrong quote or escape character; check the dialect, or raise maxRecordSize',
    details: { line, maxRecordSize },
  })
}
