import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../spawn-cli.test-helper'

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
    columns: { id: 'string', amount: 'number', paidOn: 'date', email: 'email' },
    aliases: { email: ['E-mail'] },
    dateFormats: ['DD.MM.YYYY'],
    decimal: ',',
  }),
)

describe('fieldkit csv', () => {
  it('inspect shows dialect, header map and counts that add up', async () => {
    const { code, stdout } = await runCli(['--json', 'csv', 'inspect', file])
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    expect(result.dialect).toMatchObject({ delimiter: ';', headerLine: 2, preambleRecords: 1 })
    const r = result.report.records
    expect(r.read).toBe(r.emitted + r.quarantined + r.skipped.preamble + r.skipped.blank + r.skipped.summary)
    expect(result.sample[0]).toMatchObject({ id: '0042' })
  })

  it('normalize writes typed rows, the quarantine and a report, and exits 3 for quarantined rows', async () => {
    const out = join(dir, 'out')
    const { code, stdout } = await runCli(['csv', 'normalize', file, '--schema', schema, '--out', out])
    expect(code).toBe(3)
    expect(stdout).toContain('records     5 read = 2 rows + 1 quarantined + 2 skipped')
    const rows = readFileSync(join(out, 'rows.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(rows[0]).toMatchObject({ id: '0042', amount: 1234.56, email: 'a@corp.example' })
    const quarantine = readFileSync(join(out, 'quarantine.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(quarantine).toHaveLength(1)
    expect(quarantine[0].line).toBe(4)
  })

  it('refuses an invalid schema file with exit code 2 and names the field', async () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ columns: { id: 'uuid' } }))
    const { code, stderr } = await runCli(['csv', 'normalize', file, '--schema', bad])
    expect(code).toBe(2)
    expect(stderr).toContain('columns.id')
  })

  it('says what is wrong with a missing file, exit code 1', async () => {
    const { code, stderr } = await runCli(['csv', 'inspect', join(dir, 'nope.csv')])
    expect(code).toBe(1)
    expect(stderr).toMatch(/^fieldkit: /)
  })
})
