import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = new URL('..', import.meta.url).pathname

/** Docs, READMEs and sources a user reads a command from (CHANGELOGs record history and stay as written). */
function readable(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (['node_modules', 'dist', '.git', '.tmp', 'fixtures', 'CHANGELOG.md'].includes(name)) return []
    if (statSync(path).isDirectory()) return readable(path)
    return /\.(md|ts|mjs)$/.test(name) && !/\.test\.ts$/.test(name) ? [relative(root, path)] : []
  })
}

// `npx fieldkit` runs an unrelated package called `fieldkit` from the registry; the CLI is `@fieldkit/cli`.
const bareNpx = /\bnpx\s+(?:(?:--yes|-y)\s+)?fieldkit\b/

// Every doc, runbook, README and example says `npx -p @fieldkit/cli fieldkit …` (issue 17): no exceptions left.
const stillOpen = new Set<string>()

describe('commands in the docs', () => {
  const files = readable(root)

  it('finds the bare form where it is planted', () => {
    expect(bareNpx.test('run `npx fieldkit probe https://x.example/`')).toBe(true)
    expect(bareNpx.test('npx -y fieldkit csv inspect a.csv')).toBe(true)
    expect(bareNpx.test('npx -p @fieldkit/cli fieldkit probe https://x.example/')).toBe(false)
    expect(bareNpx.test('npx @fieldkit/cli probe')).toBe(false)
  })

  it('say `npx -p @fieldkit/cli fieldkit …`, never the bare `npx fieldkit …`', () => {
    const offenders = files.filter((file) => bareNpx.test(readFileSync(join(root, file), 'utf8')))
    const unexpected = offenders.filter((file) => !stillOpen.has(file))
    expect(unexpected, `bare \`npx fieldkit\` in ${unexpected.join(', ')}`).toEqual([])
    if (offenders.length > 0) console.info(`still open (owners fixing): ${offenders.join(', ')}`)
  })

  it('cite decision records that exist', () => {
    const missing: string[] = []
    for (const file of [...files, 'vitest.config.ts', 'vitest.verify.config.ts']) {
      for (const m of readFileSync(join(root, file), 'utf8').matchAll(/docs\/decisions\/([\w.-]+\.md)/g)) {
        if (!readdirSync(join(root, 'docs/decisions')).includes(m[1] as string)) missing.push(`${file} → ${m[1]}`)
      }
    }
    expect(missing).toEqual([])
  })
})
