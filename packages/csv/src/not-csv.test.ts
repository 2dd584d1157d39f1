import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isFieldkitError } from '@fieldkit/core'
import { rejection } from '@fieldkit/testing'
import { describe, expect, it } from 'vitest'
import { normalizeCsv } from './normalize'
import { sniffCsv } from './sniff'

const dir = mkdtempSync(join(tmpdir(), 'fk-csv-not-csv-'))
const file = (name: string, bytes: Uint8Array | string) => {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  return { path }
}

async function readAll(input: Parameters<typeof normalizeCsv>[0]) {
  const result = normalizeCsv(input)
  for await (const _ of result.rows);
  return result.report
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const e = await rejection(p)
  expect(isFieldkitError(e)).toBe(true)
  return (e as { code?: string }).code
}

// A minimal .xlsx-shaped ZIP: local file header of [Content_Types].xml (we did not write a real workbook).
const zip = Buffer.concat([
  Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]),
  Buffer.from('[Content_Types].xml'),
])

describe('inputs that are not CSV', () => {
  it('refuses an executable (this Node binary) as FK_CSV_NOT_TEXT', async () => {
    const exe = readFileSync(process.execPath).subarray(0, 256 * 1024)
    expect(await codeOf(readAll(exe))).toBe('FK_CSV_NOT_TEXT')
    expect(await codeOf(sniffCsv(exe))).toBe('FK_CSV_NOT_TEXT')
  })

  it('refuses bytes with NUL characters that are not UTF-16', async () => {
    expect(await codeOf(readAll(Buffer.from('a,b\n1,\0\0\0\0x\n')))).toBe('FK_CSV_NOT_TEXT')
    expect(await codeOf(readAll('a,b\n1,\0\n'))).toBe('FK_CSV_NOT_TEXT')
  })

  it('refuses an .xlsx (a ZIP) and an .xls with a hint to export CSV', async () => {
    const e = await rejection(readAll(file('export.xlsx', zip)))
    expect((e as { code?: string }).code).toBe('FK_CSV_SPREADSHEET')
    expect((e as { hint?: string }).hint).toMatch(/save the sheet as CSV/)
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0])
    expect(await codeOf(readAll(xls))).toBe('FK_CSV_SPREADSHEET')
  })

  it('refuses an empty file, a BOM alone and white space alone as FK_CSV_EMPTY', async () => {
    expect(await codeOf(readAll(file('empty.csv', '')))).toBe('FK_CSV_EMPTY')
    expect(await codeOf(readAll(Buffer.from([0xef, 0xbb, 0xbf])))).toBe('FK_CSV_EMPTY')
    expect(await codeOf(readAll('\r\n\n  \n'))).toBe('FK_CSV_EMPTY')
    expect(await codeOf(sniffCsv(''))).toBe('FK_CSV_EMPTY')
  })

  it('gives a missing path, a directory and a missing file URL as FK_CSV_FILE_UNREADABLE, never a raw ENOENT', async () => {
    const missing = await rejection(readAll({ path: join(dir, 'nope.csv') }))
    expect(isFieldkitError(missing)).toBe(true)
    expect((missing as { code?: string }).code).toBe('FK_CSV_FILE_UNREADABLE')
    expect((missing as Error).message).toContain('does not exist')
    expect(await codeOf(readAll({ path: dir }))).toBe('FK_CSV_FILE_UNREADABLE')
    expect(await codeOf(readAll(new URL(`file://${join(dir, 'gone.csv')}`)))).toBe('FK_CSV_FILE_UNREADABLE')
    expect(await codeOf(sniffCsv({ path: join(dir, 'nope.csv') }))).toBe('FK_CSV_FILE_UNREADABLE')
  })

  it('still reads a one-column file, a tab-separated file and text that starts like a magic number', async () => {
    expect((await readAll('id\n1\n2\n')).records.emitted).toBe(2)
    expect((await readAll(Buffer.from('PK;name\n1;a\n'))).records.emitted).toBe(1)
    expect((await readAll('a\tb\f\n1\t2\n')).records.emitted).toBe(1)
  })
})
