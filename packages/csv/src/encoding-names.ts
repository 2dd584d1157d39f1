// The encodings the reader knows, in a module that imports nothing: encoding.ts and encoding-detect.ts both need
// them, and neither may import the other back.

/** Text encodings the reader understands (and detects). */
export type CsvEncoding =
  | 'utf-8'
  | 'utf-16le'
  | 'utf-16be'
  | 'utf-32le'
  | 'utf-32be'
  | 'windows-1250'
  | 'windows-1251'
  | 'windows-1252'
  | 'windows-1253'
  | 'windows-1254'
  | 'windows-1257'
  | 'iso-8859-1'
  | 'iso-8859-2'
  | 'iso-8859-5'
  | 'iso-8859-7'
  | 'iso-8859-9'
  | 'iso-8859-15'
  | 'shift_jis'
  | 'gb18030'

/** Every {@link CsvEncoding}, for option checks. */
export const ENCODINGS: readonly CsvEncoding[] = [
  'utf-8',
  'utf-16le',
  'utf-16be',
  'utf-32le',
  'utf-32be',
  'windows-1250',
  'windows-1251',
  'windows-1252',
  'windows-1253',
  'windows-1254',
  'windows-1257',
  'iso-8859-1',
  'iso-8859-2',
  'iso-8859-5',
  'iso-8859-7',
  'iso-8859-9',
  'iso-8859-15',
  'shift_jis',
  'gb18030',
]
