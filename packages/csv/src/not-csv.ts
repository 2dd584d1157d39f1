import { CsvError } from './errors'

/** Magic numbers of files people export instead of CSV, or pick by mistake. */
const SPREADSHEETS: { magic: number[]; what: string }[] = [
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an .xlsx or .ods workbook is one)' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'an OLE2 compound file (an .xls workbook)' },
]
const BINARIES: { magic: number[]; what: string }[] = [
  { magic: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF executable' },
  { magic: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { magic: [0x1f, 0x8b], what: 'a gzip archive' },
  { magic: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
]

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)
}

/**
 * Refuses bytes that are not text before anything is sniffed: a workbook (with the hint to export CSV), an
 * executable or archive by its magic number. Called on the raw head of byte input.
 */
export function refuseBinaryHead(bytes: Uint8Array): void {
  for (const s of SPREADSHEETS)
    if (startsWith(bytes, s.magic))
      throw new CsvError({
        code: 'FK_CSV_SPREADSHEET',
        message: `[fieldkit/csv] The input is ${s.what}, not CSV text`,
        hint: 'Open the workbook in Excel or LibreOffice and save the sheet as CSV (UTF-8), then read that file',
        details: { kind: s.what },
      })
  for (const b of BINARIES) if (startsWith(bytes, b.magic)) throw notText(b.what)
}

/**
 * Refuses decoded head text that is empty or is not text: NUL characters, or more than 1% of C0 control
 * characters other than tab, line feed, form feed and carriage return (no export writes those).
 */
export function refuseNonText(head: string, complete: boolean): void {
  if (complete && head.trim() === '')
    throw new CsvError({
      code: 'FK_CSV_EMPTY',
      message: `[fieldkit/csv] The input is empty${head.length > 0 ? ' (only white space)' : ''}: no header and no records`,
      hint: 'The export produced an empty file; check the query or filter that produced it, and the path that was read',
      details: { characters: head.length },
    })
  let controls = 0
  const n = Math.min(head.length, 64 * 1024)
  for (let i = 0; i < n; i++) {
    const c = head.charCodeAt(i)
    if (c === 0) throw notText('text with NUL characters')
    if (c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13) controls++
  }
  if (controls > Math.max(4, n / 100)) throw notText(`text with ${controls} control characters in its first ${n}`)
}

function notText(what: string): CsvError {
  return new CsvError({
    code: 'FK_CSV_NOT_TEXT',
    message: `[fieldkit/csv] The input is not CSV: it looks like ${what}`,
    hint: 'Check that the path points at the CSV export and not at a binary file; a UTF-16 or UTF-32 export without a byte order mark can be read by passing `encoding`',
    details: { kind: what },
  })
}

/** A file that cannot be opened (missing, a directory, no permission) as a typed error. */
export function unreadableFile(path: string, cause: unknown): CsvError {
  const code = (cause as { code?: unknown } | null)?.code
  const why =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read (permission denied)'
          : 'cannot be read'
  return new CsvError({
    code: 'FK_CSV_FILE_UNREADABLE',
    message: `[fieldkit/csv] The file ${JSON.stringify(path)} ${why}`,
    hint: 'Check the path (relative paths start at the process working directory) and that the process may read it',
    details: { path, errno: typeof code === 'string' ? code : null },
    cause,
  })
}
