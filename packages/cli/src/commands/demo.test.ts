import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { DemoSummary } from '../demo/run-demo'
import { runCli } from '../spawn-cli.test-helper'

const run = promisify(execFile)
const bin = fileURLToPath(new URL('../bin.ts', import.meta.url))

function addsUp(summary: DemoSummary): void {
  const { read, emitted, quarantined, skipped } = summary.payroll
  expect(read).toBe(emitted + quarantined + skipped.preamble + skipped.blank + skipped.summary)
  expect(emitted).toBe(summary.joined.records + summary.joined.unmatchedPayroll)
  expect(summary.delivered).toEqual([{ lake: 'eu', records: summary.joined.records }])
}

describe('fieldkit demo', () => {
  it('runs the integration end to end with plain lines when not on a terminal, and its counts add up', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fieldkit-demo-'))
    const { code, stdout, stderr } = await runCli(['demo', '--out', out], { timeoutMs: 90_000 })
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toContain('✔ HR employees over SOAP (NTLM + WS-Security)')
    expect(stdout).not.toContain('\u001b[')
    const summary = readFileSync(join(out, 'summary.md'), 'utf8')
    expect(summary).toMatch(/\| 120 employees \|/)
    expect(summary).toMatch(
      /126 records read \| 120 rows \+ 3 quarantined \+ 3 skipped \(preamble 1, blank 1, totals 1\) = 126 \|/,
    )
    expect(summary).toContain(
      'lake.us.demo refused for pii data (FK_RESIDENCY_DENIED, region us); nothing was sent to it.',
    )
    const lines = readFileSync(join(out, 'employees.jsonl'), 'utf8').trim().split('\n')
    expect(lines).toHaveLength(120)
    const first = JSON.parse(lines[0] as string)
    expect(first.employeeId).toMatch(/^\d{6}$/)
    expect(first.iban).toMatch(/^\*+\d{4}$/)
    expect(JSON.stringify(lines)).not.toMatch(/@corp\.example/)
    expect(readFileSync(join(out, 'quarantine.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3)
    // The model step: the summary lists the audit records, the US model endpoint is refused.
    expect(summary).toContain('## Model summary (language model behind pseudonyms)')
    expect(summary).toMatch(
      /\| http:\/\/model\.eu\.demo\/v1\/chat\/completions \| eu \| pseudonymised \| allowed \| denied 8, email 8 \| 16 \|/,
    )
    expect(summary).toMatch(/\| http:\/\/model\.us\.demo\/v1\/chat\/completions \| us \| pseudonymised \| denied \|/)
    expect(summary).toContain('model.us.demo refused for this call (FK_AI_RESIDENCY_DENIED, region us)')
    // Audit records carry counts, never a value or a placeholder.
    expect(summary).not.toMatch(/@corp\.example|<EMAIL_\d+>/)
    const restored = readFileSync(join(out, 'ai-summary.md'), 'utf8')
    expect(restored.match(/[\w.+-]+@corp\.example/g)).toHaveLength(8)
    expect(restored).not.toMatch(/<(EMAIL|DATA)_\d+>/)
  })

  it('prints the summary as JSON for scripts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fieldkit-demo-json-'))
    const { code, stdout } = await runCli(['--json', 'demo', '--out', out], { timeoutMs: 90_000 })
    expect(code).toBe(0)
    const summary = JSON.parse(stdout) as DemoSummary
    addsUp(summary)
    expect(summary.accounts.fetched).toBe(300)
    expect(summary.accounts.tokenRequests).toBe(1)
    expect(summary.refused).toEqual([
      { host: 'lake.us.demo', region: 'us', dataClass: 'pii', code: 'FK_RESIDENCY_DENIED' },
    ])
    expect(summary.model).toMatchObject({ records: 8, values: 16, restoredValues: 16, leakedToModel: 0 })
    expect(summary.model?.refused).toEqual([{ host: 'model.us.demo', region: 'us', code: 'FK_AI_RESIDENCY_DENIED' }])
    expect(summary.model?.audit.map((a) => a.decision)).toEqual(['allowed', 'denied'])
    expect(summary.seconds).toBeLessThan(30)
  })

  it('shows progress that redraws in a real terminal (script(1) pseudo-terminal)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fieldkit-demo-tty-'))
    const command = `stty cols 120 rows 40; ${process.execPath} --conditions=@fieldkit/source --import tsx ${bin} demo --out ${out}`
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' }
    for (const name of ['NO_COLOR', 'FORCE_COLOR', 'CI']) delete env[name]
    const { stdout } = await run('script', ['-qec', command, '/dev/null'], { env, timeout: 90_000 })
    expect(stdout).toContain('\u001b[2K') // lines are erased and redrawn
    expect(stdout).toContain('\u001b[32m') // colour on a terminal
    expect(stdout).toMatch(/accounts, \d+\/s/) // counts and rates while a stage runs
    expect(stdout).toContain('done')
  })
})
