import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import { CODES } from '../explain/codes.generated'
import { runCli } from '../spawn-cli.test-helper'
import { explainCode } from './explain'

describe('fieldkit explain', () => {
  it('ships every code of docs/errors.md, each with a hint and the class that throws it', () => {
    const reference = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8')
    const documented = [...reference.matchAll(/^\| `(FK_[A-Z0-9_]+)`/gm)].map((m) => m[1])
    expect(CODES.map((c) => c.code).sort()).toEqual([...documented].sort())
    for (const entry of CODES) expect(entry.hints.length, entry.code).toBeGreaterThan(0)
    expect(explainCode(' fk_residency_denied ')).toMatchObject({
      package: '@fieldkit/residency',
      classes: ['ResidencyError'],
      runbook: { file: 'docs/runbooks/egress-refused.md' },
    })
    expect(explainCode('FK_NOPE')).toBeUndefined()
  })

  it('explains a code outside any repository, offline: package, class, what to check', async () => {
    const { code, stdout } = await runCli(['explain', 'FK_HTTP_RETRY_EXHAUSTED'], { cwd: tmpdir() })
    expect(code).toBe(0)
    expect(stdout).toMatch(/^FK_HTTP_RETRY_EXHAUSTED {2}thrown by @fieldkit\/http as HttpError/)
    expect(stdout).toContain('What to check')
    expect(stdout).toContain(explainCode('FK_HTTP_RETRY_EXHAUSTED')?.hints[0])
  })

  it('lists every code as JSON with --list --json', async () => {
    const { code, stdout } = await runCli(['--json', 'explain', '--list'], { cwd: tmpdir() })
    expect(code).toBe(0)
    const listed = JSON.parse(stdout) as { code: string; package: string }[]
    expect(listed).toHaveLength(CODES.length)
    expect(listed).toContainEqual(expect.objectContaining({ code: 'FK_CSV_TOO_MANY_ERRORS', package: '@fieldkit/csv' }))
  })

  it('refuses an unknown code with exit code 2, the package’s codes and a hint', async () => {
    const { code, stderr } = await runCli(['explain', 'FK_RESIDENCY_NOPE'])
    expect(code).toBe(2)
    expect(stderr).toMatch(
      /no Fieldkit error has the code "FK_RESIDENCY_NOPE"; codes of that package: FK_RESIDENCY_DENIED/,
    )
    expect(stderr).toMatch(/hint: .*fieldkit explain --list/)
  })
})
