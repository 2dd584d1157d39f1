import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

// Each package README opens with an example of at most ten lines that runs: this runs it, from source.
const run = promisify(execFile)
const root = new URL('..', import.meta.url).pathname
const packages = readdirSync(join(root, 'packages')).filter((p) => existsSync(join(root, 'packages', p, 'README.md')))

describe('README examples', () => {
  it.each(packages)('@fieldkit/%s opens with a runnable example of at most ten lines', async (pkg) => {
    const readme = readFileSync(join(root, 'packages', pkg, 'README.md'), 'utf8')
    const block = readme.match(/```ts\n([\s\S]*?)```/)
    expect(block, 'README has a ```ts example').not.toBeNull()
    const code = block?.[1] ?? ''
    expect(code.trim().split('\n').length).toBeLessThanOrEqual(10)
    const file = join(root, 'packages', pkg, `.readme-example-${process.pid}.mts`)
    writeFileSync(file, code)
    try {
      await run(process.execPath, ['--conditions=@fieldkit/source', '--import', 'tsx', file], {
        cwd: join(root, 'packages', pkg),
        timeout: 60_000,
      })
    } finally {
      rmSync(file, { force: true })
    }
  })
})
