import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM scripts without declarations
import { findDuplicates } from './lib/duplicates.mjs'
// @ts-expect-error plain ESM scripts without declarations
import { errorNameProblems } from './lib/error-names.mjs'
// @ts-expect-error plain ESM scripts without declarations
import { tarballProblems } from './lib/tarball-contents.mjs'

const root = new URL('..', import.meta.url).pathname
const scratch = mkdtempSync(join(tmpdir(), 'fieldkit-house-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function project(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name)
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true })
    writeFileSync(join(dir, file), text)
  }
  return dir
}

describe('import cycles: the repository biome.json refuses them, type-only ones included', () => {
  const rule = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8')).linter.rules.suspicious.noImportCycles
  const lint = (dir: string) =>
    spawnSync(join(root, 'node_modules/.bin/biome'), ['lint', '--only=suspicious/noImportCycles', '.'], {
      cwd: dir,
      encoding: 'utf8',
    })
  const config = JSON.stringify({ root: true, linter: { rules: { suspicious: { noImportCycles: rule } } } })

  it('fails on two modules that import each other only for types', () => {
    const dir = project('type-cycle', {
      'biome.json': config,
      'a.ts': "import type { B } from './b'\nexport interface A { b?: B }\n",
      'b.ts': "import type { A } from './a'\nexport interface B { a?: A }\n",
    })
    const result = lint(dir)
    expect(result.status).toBe(1)
    expect(result.stdout + result.stderr).toMatch(/noImportCycles/)
  })

  it('passes the same modules once the shared type moves to a module that imports nothing back', () => {
    const dir = project('no-cycle', {
      'biome.json': config,
      'types.ts': 'export interface A { b?: B }\nexport interface B { a?: A }\n',
      'a.ts': "import type { B } from './types'\nexport const a = (b: B) => b\n",
      'b.ts': "import type { A } from './types'\nexport const b = (a: A) => a\n",
    })
    expect(lint(dir).status).toBe(0)
  })
})

describe('error classes write their name out', () => {
  const check = (text: string) => errorNameProblems([{ file: 'packages/x/src/errors.ts', text }]) as string[]

  it('passes a literal name equal to the class name', () => {
    expect(check("export class XError extends FieldkitError {\n  override name = 'XError'\n}\n")).toEqual([])
  })

  it.each([
    ['no name at all', 'export class XError extends FieldkitError {\n  x = 1\n}\n'],
    [
      'a getter on constructor.name',
      'export class XError extends Error {\n  get name() { return this.constructor.name }\n}\n',
    ],
    ['another class name', "export class XError extends FieldkitError {\n  override name = 'YError'\n}\n"],
    [
      'a subclass that inherits its parent’s name',
      "class Base extends Error {\n  override name = 'Base'\n}\nclass Refusal extends Base {}\n",
    ],
  ])('fails on %s', (_title, text) => {
    expect(check(text).length).toBeGreaterThan(0)
  })
})

describe('copy-paste pairs', () => {
  const body = Array.from(
    { length: 12 },
    (_, i) => `  const value${i} = compute(input, ${i}, 'some longer text ${i}')`,
  ).join('\n')

  it('finds a function pasted into a second package, with both places', () => {
    const pairs = findDuplicates([
      { file: 'packages/a/src/x.ts', text: `export function f(input) {\n${body}\n}\n` },
      { file: 'packages/b/src/y.ts', text: `// a copy\n\nexport function g(input) {\n${body}\n}\n` },
    ])
    expect(pairs).toHaveLength(1)
    expect(pairs[0].a).toMatch(/^packages\/a\/src\/x\.ts:2-14$/)
    expect(pairs[0].b).toMatch(/^packages\/b\/src\/y\.ts:4-16$/)
  })

  it('finds nothing in code that differs', () => {
    const other = body.replace(/compute/g, 'measure')
    expect(
      findDuplicates([
        { file: 'packages/a/src/x.ts', text: `export function f(input) {\n${body}\n}\n` },
        { file: 'packages/b/src/y.ts', text: `export function g(input) {\n${other}\n}\n` },
      ]),
    ).toEqual([])
  })

  it('every kept pair in scripts/duplicates-allowed.json says why', () => {
    const { pairs } = JSON.parse(readFileSync(join(root, 'scripts/duplicates-allowed.json'), 'utf8'))
    for (const pair of pairs) expect(pair.why.length).toBeGreaterThan(20)
  })
})

describe('what a tarball may hold', () => {
  const pack = (dir: string) => {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: dir, encoding: 'utf8' })
    return join(dir, JSON.parse(out)[0].filename)
  }
  const manifest = (name: string) =>
    JSON.stringify({ name, version: '1.0.0', files: ['src', '!src/**/*.test.ts', '!src/**/*.test-helper.ts'] })

  it('names a test helper, a fixture, a vitest import and a missing LICENSE', () => {
    const dir = project('leaky-package', {
      'package.json': JSON.stringify({ name: '@fieldkit/leaky', version: '1.0.0', files: ['src'] }),
      'src/index.js': 'export const x = 1\n',
      'src/servers.test-helper.ts': "import { expect } from 'vitest'\n",
      'src/fixtures/rows.csv': 'a,b\n',
      'src/harness.ts': "import { http } from 'msw'\nexport { http }\n",
    })
    const problems = tarballProblems(pack(dir), '@fieldkit/leaky') as string[]
    expect(problems).toEqual(
      expect.arrayContaining([
        '@fieldkit/leaky: no LICENSE in the tarball',
        '@fieldkit/leaky: ships a test helper: src/servers.test-helper.ts',
        '@fieldkit/leaky: ships a fixture: src/fixtures/rows.csv',
        '@fieldkit/leaky: src/servers.test-helper.ts imports vitest, which only tests may use',
        '@fieldkit/leaky: src/harness.ts imports msw, which only tests may use',
      ]),
    )
  })

  it('passes a package whose files glob keeps test helpers out, and lets mocks import msw', () => {
    const dir = project('clean-package', {
      'package.json': manifest('@fieldkit/mocks'),
      LICENSE: 'MIT\n',
      'src/index.js': "import { http } from 'msw'\nexport { http }\n",
      'src/index.test.ts': "import { it } from 'vitest'\n",
      'src/servers.test-helper.ts': "import { expect } from 'vitest'\n",
    })
    expect(tarballProblems(pack(dir), '@fieldkit/mocks')).toEqual([])
  })
})
