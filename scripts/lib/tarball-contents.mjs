// What may not ship: anything only a test needs. Checked on the file list of a packed tarball (`package/…` paths).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const testOnlyName = [
  [/\.test\.[cm]?[jt]s$/, 'a test file'],
  [/\.test-helper\.[cm]?[jt]s$/, 'a test helper'],
  [/\.verify\.[cm]?[jt]s$/, 'a verify-tier test'],
  [/(^|\/)(fixtures?|__fixtures__|__tests__)\//, 'a fixture'],
  [/(^|\/)test-(helpers?|servers?|utils?)\.[cm]?[jt]s$/, 'a test helper (name it *.test-helper.ts)'],
]
const testLibraries = ['vitest', 'msw', 'fast-check', '@fieldkit/testing']

/**
 * Problems in one packed tarball: a missing LICENSE, a test file, test helper, verify file or fixture, or a source or
 * built file that imports a test library (`msw` is allowed in `@fieldkit/mocks`, whose job it is).
 */
export function tarballProblems(tarball, name) {
  const dir = mkdtempSync(join(tmpdir(), 'fieldkit-tarball-'))
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', dir])
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean)
    const problems = []
    if (!files.includes('package/LICENSE')) problems.push(`${name}: no LICENSE in the tarball`)
    const allowed = name === '@fieldkit/mocks' ? ['msw'] : []
    for (const file of files) {
      const path = file.replace(/^package\//, '')
      for (const [pattern, what] of testOnlyName) {
        if (pattern.test(path)) problems.push(`${name}: ships ${what}: ${path}`)
      }
      if (!/\.[cm]?[jt]s$/.test(path)) continue
      const text = readFileSync(join(dir, file), 'utf8')
      for (const lib of testLibraries) {
        if (allowed.includes(lib)) continue
        const escaped = lib.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
        const imports = new RegExp(
          `(?:from\\s*|import\\s*\\(\\s*|require\\s*\\(\\s*|import\\s+)['"]${escaped}(?:/[^'"]*)?['"]`,
        )
        if (imports.test(text)) problems.push(`${name}: ${path} imports ${lib}, which only tests may use`)
      }
    }
    return problems
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
