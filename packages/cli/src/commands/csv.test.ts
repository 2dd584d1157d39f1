import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runMain } from '../run-main.test-helper'
import { runCli, runCliInTerminal } from '../spawn-cli.test-helper'

const dir = mkdtempSync(join(tmpdir(), 'fieldkit-cli-csv-'))
const file = join(dir, 'export.csv')
writeFileSync(
  file,
  Buffer.from(
    'Report generated 03/04/2026\r\nId;Amount;Paid on;E-mail\r\n0042;1.234,56;03.04.2026;a@corp.example\r\n0043;12,00;31.02.2026;b@corp.example\r\n0044;7,5;01.05.2026;c@corp.example\r\nTotal;1.254,06;;\r\n',
    'latin1',
  ),
)
const schema = join(dir, 'schema.json')
writeFileSync(
  schema,
  JSON.stringify({
    columns: { id: 'string', amount: 'number', paid_on: 'date', email: 'email' },
    aliases: { email: ['E-mail'] },
    dateFormats: ['DD.MM.YYYY'],
    decimal: ',',
  }),
)
const schemaFile = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe('fieldkit csv', () => {
  it('inspect shows dialect, header map and counts that add up', async () => {
    const { code, stdout } = await runMain(['--json', 'csv', 'inspect', file])
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    expect(result.dialect).toMatchObject({ delimiter: ';', headerLine: 2, preambleRecords: 1 })
    const r = result.report.records
    expect(r.read).toBe(
      r.emitted + r.quarantined + r.skipped.preamble + r.skipped.blank + r.skipped.summary + r.skipped.footer,
    )
    expect(result.sample[0]).toMatchObject({ id: '0042' })
  })

  it('normalize writes typed rows, the quarantine and a report, and exits 3 for quarantined rows', async () => {
    const out = join(dir, 'out')
    const { code, stdout } = await runMain(['csv', 'normalize', file, '--schema', schema, '--out', out])
    expect(code).toBe(3)
    expect(stdout).toContain('records     5 read = 2 rows + 1 quarantined + 2 skipped')
    expect(stdout).toContain('quarantine.jsonl holds the quarantined rows’ values (personal data)'.replace('’', "'"))
    const rows = readFileSync(join(out, 'rows.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(rows[0]).toMatchObject({ id: '0042', amount: 1234.56, email: 'a@corp.example' })
    expect(rows[0].paid_on).toMatch(/^2026-04-03/)
    const quarantine = readFileSync(join(out, 'quarantine.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(quarantine).toHaveLength(1)
    expect(quarantine[0].line).toBe(4)
  })

  it('normalize takes the keys csv inspect shows (snake_case), as the library does', async () => {
    const { stdout } = await runMain(['--json', 'csv', 'inspect', file])
    const keys = (JSON.parse(stdout).report.headers as { key: string }[]).map((h) => h.key)
    expect(keys).toEqual(['id', 'amount', 'paid_on', 'e_mail'])
    const copied = schemaFile(
      'copied.json',
      JSON.stringify({ columns: Object.fromEntries(keys.map((k) => [k, 'string'])) }),
    )
    const { code, stdout: result } = await runMain([
      '--json',
      'csv',
      'normalize',
      file,
      '--schema',
      copied,
      '--out',
      join(dir, 'copied'),
    ])
    expect(code).toBe(0)
    expect(JSON.parse(result).records.emitted).toBe(3)
  })

  it('an unknown column type has exit code 6 and names the file, the column and the known types', async () => {
    const bad = schemaFile('uuid.json', JSON.stringify({ columns: { id: 'uuid' } }))
    const { code, stderr } = await runMain(['csv', 'normalize', file, '--schema', bad])
    expect(code).toBe(6)
    expect(stderr).toContain(`The --schema file ${bad} gives column "id" the type "uuid"`)
    expect(stderr).toContain('[FK_CLI_COLUMN_TYPE]')
    expect(stderr).toMatch(/hint: Use one of string, number, integer, boolean, date, email in the --schema file/)
  })

  it('a --schema file that is not JSON has exit code 5 and names the file', async () => {
    const bad = schemaFile('broken.json', '{ "columns": { "id": "string", } }')
    const { code, stderr } = await runMain(['csv', 'normalize', file, '--schema', bad])
    expect(code).toBe(5)
    expect(stderr).toContain(`The --schema file ${bad} is not JSON`)
    expect(stderr).toContain('[FK_CLI_SCHEMA_FILE]')
    expect(stderr).not.toMatch(/^\s+at /m)
  })

  it('a --schema file of the wrong shape has exit code 5 and names the field', async () => {
    const bad = schemaFile('shape.json', JSON.stringify({ columns: { id: 'string' }, decimal: ';' }))
    const { code, stderr } = await runMain(['csv', 'normalize', file, '--schema', bad])
    expect(code).toBe(5)
    expect(stderr).toContain(`The --schema file ${bad} is not valid: decimal`)
  })

  it('a missing file has exit code 4, for the CSV and for the --schema file, without a stack trace', async () => {
    const missing = join(dir, 'nope.csv')
    const inspect = await runCli(['csv', 'inspect', missing])
    expect(inspect.code).toBe(4)
    expect(inspect.stderr).toBe(
      `fieldkit: [fieldkit/cli] Cannot read ${missing} (<file>): no such file [FK_CLI_FILE_NOT_FOUND]\n  hint: Check the path and that you may read the file; a relative path is taken from the current folder\n`,
    )
    const normalize = await runMain(['csv', 'normalize', file, '--schema', join(dir, 'nope.json')])
    expect(normalize.code).toBe(4)
    expect(normalize.stderr).toContain('(--schema): no such file')
  })

  it('with --json a failure is a JSON error on stdout, with the exit code', async () => {
    const bad = schemaFile('uuid2.json', JSON.stringify({ columns: { id: 'uuid' } }))
    const { code, stdout } = await runMain(['--json', 'csv', 'normalize', file, '--schema', bad])
    expect(code).toBe(6)
    const { error } = JSON.parse(stdout)
    expect(error).toMatchObject({ code: 'FK_CLI_COLUMN_TYPE', exitCode: 6 })
    expect(error.message).toContain('"uuid"')
    expect(error.hint).toContain('--schema')
  })

  it('a package error gets its hint in flags and schema-file fields, not library option names', async () => {
    const wrong = schemaFile('wrong-names.json', JSON.stringify({ columns: { id: 'string', paidOn: 'date' } }))
    const { code, stdout, stderr } = await runMain([
      '--json',
      'csv',
      'normalize',
      file,
      '--schema',
      wrong,
      '--out',
      join(dir, 'w'),
    ])
    expect(code).toBe(1)
    const { error } = JSON.parse(stdout)
    expect(error.code).toBe('FK_CSV_MISSING_COLUMNS')
    expect(error.hint).toContain('fieldkit csv inspect')
    expect(stderr).not.toContain('headers.aliases')
  })

  it('a workbook passed as CSV exits 7 with the hint to save it as CSV', async () => {
    const xlsx = join(dir, 'export.xlsx')
    writeFileSync(xlsx, Buffer.from('PK\u0003\u0004\u0014\u0000\u0006\u0000[Content_Types].xml'))
    const { code, stderr } = await runMain(['csv', 'inspect', xlsx])
    expect(code).toBe(7)
    expect(stderr).toContain('[FK_CSV_SPREADSHEET]')
    expect(stderr).toContain('hint: Save the sheet as CSV (UTF-8)')
  })

  describe('progress', () => {
    it('is plain lines on stderr when piped, ending with the totals', async () => {
      const { code, stderr } = await runMain([
        'csv',
        'normalize',
        file,
        '--schema',
        schema,
        '--out',
        join(dir, 'p1'),
        '--progress',
      ])
      expect(code).toBe(3)
      expect(stderr).not.toContain('\r')
      expect(stderr).toMatch(
        /^csv normalize {2}\d+ B of \d+ B \(100%\) {2}2 rows {2}[\d.]+ (B|KiB|MiB)\/s {2}done in [\d.]+ s$/m,
      )
    })

    it('is nothing under --json', async () => {
      const { stdout, stderr } = await runMain([
        '--json',
        'csv',
        'normalize',
        file,
        '--schema',
        schema,
        '--out',
        join(dir, 'p2'),
        '--progress',
      ])
      expect(stderr).toBe('')
      expect(JSON.parse(stdout).records.read).toBe(5)
    })

    it('redraws one line on a terminal (script(1) pseudo-terminal), with rows, rate and the total', async () => {
      const big = join(dir, 'big.csv')
      const lines = ['id,name,amount']
      for (let i = 0; i < 60_000; i++) lines.push(`${i},name ${i},${i}.50`)
      writeFileSync(big, `${lines.join('\n')}\n`)
      const s = schemaFile('big.json', JSON.stringify({ columns: { id: 'integer', name: 'string', amount: 'number' } }))
      const { code, output } = await runCliInTerminal([
        'csv',
        'normalize',
        big,
        '--schema',
        s,
        '--out',
        join(dir, 'p3'),
        '--progress',
      ])
      expect(code).toBe(0)
      expect(output).toContain('\r\u001b[2Kcsv normalize  ')
      expect(output).toMatch(/60,000 rows {2}[\d.]+ (KiB|MiB)\/s {2}done in/)
    })
  })
})
