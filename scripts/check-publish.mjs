#!/usr/bin/env node
// What users install, checked as they get it: for every public package, publint --strict and
// are-the-types-wrong on the packed tarball; then all tarballs installed into a scratch project outside the
// workspace, imported from an .mjs file and required from a .cjs file, every exported name checked, and
// isFieldkitError checked across the two module formats; every tarball holds the root LICENSE (the same text) and
// nothing only a test needs (scripts/lib/tarball-contents.mjs). Run after `pnpm build`.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { tarballProblems } from './lib/tarball-contents.mjs'
import { keepTarballs } from './lib/tarballs.mjs'

const root = new URL('..', import.meta.url).pathname
const bin = (name) => join(root, 'node_modules/.bin', name)
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({
    dir: join(root, 'packages', dir),
    manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')),
  }))
  .filter(({ manifest }) => !manifest.private)

const failures = []
const scratch = mkdtempSync(join(tmpdir(), 'fieldkit-packed-'))
try {
  for (const { dir, manifest } of packages) {
    if (!existsSync(join(dir, 'dist/index.js'))) failures.push(`${manifest.name}: dist/ missing, run pnpm build first`)
    try {
      run(bin('publint'), ['--strict', '--pack', 'npm'], dir)
    } catch (error) {
      failures.push(`${manifest.name}: publint --strict\n${error.stdout}${error.stderr}`)
    }
    run('npx', ['-y', 'pnpm@10.34.8', 'pack', '--pack-destination', scratch], dir)
  }
  // `pnpm adoption` and `bench footprint` reuse these tarballs (node_modules/.cache/fieldkit-tarballs).
  keepTarballs(scratch)
  const tarballs = Object.fromEntries(
    packages.map(({ manifest }) => {
      const file = readdirSync(scratch).find((f) =>
        f.startsWith(`${manifest.name.replace('@', '').replace('/', '-')}-`),
      )
      return [manifest.name, `file:${join(scratch, file)}`]
    }),
  )
  const license = readFileSync(join(root, 'LICENSE'), 'utf8')
  for (const { dir, manifest } of packages) {
    const copy = join(dir, 'LICENSE')
    if (!existsSync(copy) || readFileSync(copy, 'utf8') !== license)
      failures.push(`${manifest.name}: LICENSE missing or not the root's text; copy the root LICENSE into the package`)
  }
  const contents = Object.entries(tarballs).flatMap(([name, spec]) => tarballProblems(spec.slice('file:'.length), name))
  if (contents.length > 0) failures.push(`tarball contents\n  ${contents.join('\n  ')}`)
  for (const [name, spec] of Object.entries(tarballs)) {
    try {
      run(bin('attw'), [spec.slice('file:'.length), '--profile', 'node16', '--format', 'ascii'], root)
    } catch (error) {
      failures.push(`${name}: are-the-types-wrong\n${error.stdout}${error.stderr}`)
    }
  }

  const app = join(scratch, 'app')
  execFileSync('mkdir', ['-p', app])
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, dependencies: tarballs, overrides: tarballs }, null, 2),
  )
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], app)

  const expected = Object.fromEntries(packages.map(({ dir, manifest }) => [manifest.name, runtimeExports(dir)]))
  writeFileSync(join(app, 'expected.json'), JSON.stringify(expected))
  writeFileSync(join(app, 'load.cjs'), `exports.load = (name) => require(name)\n`)
  writeFileSync(
    join(app, 'check.mjs'),
    `import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const { load } = require('./load.cjs')
const expected = JSON.parse(readFileSync(new URL('./expected.json', import.meta.url), 'utf8'))
const problems = []
for (const [name, names] of Object.entries(expected)) {
  const esm = await import(name)
  const cjs = load(name)
  for (const key of names) {
    if (esm[key] === undefined) problems.push(name + ': ESM import lacks ' + key)
    if (cjs[key] === undefined) problems.push(name + ': CommonJS require lacks ' + key)
  }
}
const esmCore = await import('@fieldkit/core')
const cjsCore = load('@fieldkit/core')
const fromCjs = new cjsCore.FieldkitError({ code: 'FK_X', message: 'm', hint: 'h' })
const fromEsm = new esmCore.FieldkitError({ code: 'FK_X', message: 'm', hint: 'h' })
if (esmCore.FieldkitError === cjsCore.FieldkitError) problems.push('ESM and CJS builds share one class; the check proves nothing')
if (!esmCore.isFieldkitError(fromCjs)) problems.push('ESM isFieldkitError misses an error made by the CommonJS build')
if (!cjsCore.isFieldkitError(fromEsm)) problems.push('CommonJS isFieldkitError misses an error made by the ESM build')
if (problems.length) { console.error(problems.join('\\n')); process.exit(1) }
console.log('packed tarballs: ' + Object.keys(expected).length + ' packages, ' + Object.values(expected).flat().length + ' exports, ESM and CommonJS')
`,
  )
  try {
    console.log(run('node', ['check.mjs'], app).trim())
  } catch (error) {
    failures.push(`packed-tarball import\n${error.stdout}${error.stderr}`)
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}

if (failures.length > 0) {
  console.error(failures.join('\n\n'))
  process.exit(1)
}
console.log(`publint --strict and attw clean for ${packages.map((p) => p.manifest.name).join(', ')}`)

/** Names a package exports at run time, read from the `export { … }` lists of its src/index.ts. */
function runtimeExports(dir) {
  const index = readFileSync(join(dir, 'src/index.ts'), 'utf8')
  const names = []
  for (const block of index.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    if (block[1]) continue
    for (const part of block[2]
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      if (part.startsWith('type ')) continue
      names.push(part.split(/\s+as\s+/).pop())
    }
  }
  for (const decl of index.matchAll(/export\s+(?:const|function|class|async function)\s+([A-Za-z0-9_$]+)/g))
    names.push(decl[1])
  return names
}
