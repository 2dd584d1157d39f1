export type { CsvEncoding } from './encoding'
export { CsvError, type CsvErrorCode } from './errors'
export type { HeaderCase, HeaderMapping, HeaderOptions } from './headers'
export type { CsvInput } from './input'
export {
  type ColumnRule,
  type CsvReport,
  type CsvRow,
  type NormalizeOptions,
  type NormalizeResult,
  normalizeCsv,
  type QuarantineEntry,
  type QuarantineIssue,
  type ValueOptions,
} from './normalize'
export type { RecordCounts, SkipKind, SkippedLine } from './record-router'
export type { ColumnKind } from './schema-columns'
export {
  type CsvDelimiter,
  type CsvDialect,
  type CsvSniffResult,
  type HeaderRow,
  type SniffOptions,
  sniffCsv,
} from './sniff'
export { type RowLike, type WriteColumn, type WriteOptions, writeCsv } from './write'
