// fixtures/shared holds verbatim copies of ../shared/{vectors,external}: fail when one differs from its original.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const original = join(root, '..', 'shared')
const copy = join(root, 'fixtures', 'shared')

if (!existsSync(original)) {
  console.log('check-shared-copies: no ../shared beside this checkout; the copies in fixtures/shared stand alone')
  process.exit(0)
}

const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })

const problems = []
for (const folder of ['vectors', 'external']) {
  const wanted = files(join(original, folder)).map((f) => relative(original, f))
  const held = new Set(files(join(copy, folder)).map((f) => relative(copy, f)))
  for (const file of wanted) {
    if (!held.has(file)) problems.push(`missing: fixtures/shared/${file}`)
    else if (!readFileSync(join(original, file)).equals(readFileSync(join(copy, file))))
      problems.push(`differs from ../shared/${file}: fixtures/shared/${file}`)
    held.delete(file)
  }
  for (const file of held) problems.push(`not in ../shared: fixtures/shared/${file}`)
}

if (problems.length > 0) {
  console.error(
    `check-shared-copies: ${problems.length} problem(s); refresh as fixtures/shared/README.md says\n  ${problems.join('\n  ')}`,
  )
  process.exit(1)
}
console.log('check-shared-copies: fixtures/shared matches ../shared')
