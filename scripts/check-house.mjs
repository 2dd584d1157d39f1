#!/usr/bin/env node
// The house rules `pnpm check` holds (issue 20), each printing its exact offenders grouped by package:
//   1. no import cycle, type-only imports included (Biome's noImportCycles with ignoreTypes: false, see biome.json);
//   2. every error class writes its name out as a literal (`override name = 'HttpError'`);
//   3. no copy-paste pair that scripts/duplicates-allowed.json does not explain.
// What ships in a tarball is checked on the packed tarballs by scripts/check-publish.mjs.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { findDuplicates } from './lib/duplicates.mjs'
import { errorNameProblems } from './lib/error-names.mjs'
import { packageSources, testFile } from './lib/source-files.mjs'

const root = new URL('..', import.meta.url).pathname
const read = (file) => readFileSync(join(root, file), 'utf8')
const library = packageSources(root)
  .filter(({ file }) => !testFile.test(file))
  .map(({ file }) => ({ file, text: read(file) }))

const sections = [
  ['import cycles (type-only included)', importCycles()],
  ['error classes without a literal name', errorNameProblems(library)],
  ['unexplained copy-paste pairs', unexplainedDuplicates()],
]

let failed = 0
for (const [title, offenders] of sections) {
  if (offenders.length === 0) {
    console.log(`house: ${title}: none`)
    continue
  }
  failed += offenders.length
  console.log(`house: ${title}: ${offenders.length}`)
  for (const [pkg, lines] of byPackage(offenders)) {
    console.log(`  ${pkg}`)
    for (const line of lines) console.log(`    ${line}`)
  }
}
if (failed > 0) process.exit(1)

function importCycles() {
  let out
  try {
    out = execFileSync(
      join(root, 'node_modules/.bin/biome'),
      ['lint', '--only=suspicious/noImportCycles', '--max-diagnostics=none', '--reporter=json', 'packages'],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
    )
  } catch (error) {
    out = error.stdout // biome exits 1 when it found something
  }
  const { diagnostics } = JSON.parse(out)
  return diagnostics
    .filter((d) => d.category === 'lint/suspicious/noImportCycles')
    .map((d) => `${d.location.path}:${d.location.start.line} imports a module that leads back to it`)
}

function unexplainedDuplicates() {
  const allowed = JSON.parse(read('scripts/duplicates-allowed.json')).pairs
  for (const pair of allowed) {
    if (typeof pair.why !== 'string' || pair.why.trim().length < 20)
      throw new Error(`scripts/duplicates-allowed.json: ${pair.files.join(' + ')} needs a reason in "why"`)
  }
  const explained = new Set(allowed.map((p) => [...p.files].sort().join('\u0000')))
  return findDuplicates(library)
    .filter((p) => !explained.has([...p.files].sort().join('\u0000')))
    .map(
      (p) =>
        `${p.a} = ${p.b} (${p.lines} lines): share the code, or add the pair to scripts/duplicates-allowed.json with why`,
    )
}

function byPackage(lines) {
  const groups = new Map()
  for (const line of lines) {
    const pkg = line.match(/^packages\/([^/]+)\//)?.[1] ?? '(root)'
    groups.set(`@fieldkit/${pkg}`, [...(groups.get(`@fieldkit/${pkg}`) ?? []), line])
  }
  return [...groups].sort((a, b) => a[0].localeCompare(b[0]))
}
