import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * `createHttpClient` as it was at `commit`, for a paired bench against today's: `packages/http/src` and
 * `packages/core/src` of that commit are extracted into `bench/.tmp/` (git-ignored), the old http wired to the old
 * core, and undici resolved from bench's own dependencies.
 */
export async function baselineClient(commit: string): Promise<typeof import('@fieldkit/http').createHttpClient> {
  const bench = dirname(fileURLToPath(import.meta.url))
  const root = join(bench, '.tmp', `http-${commit}`)
  if (!existsSync(join(root, 'packages/http/src/client.ts'))) {
    mkdirSync(root, { recursive: true })
    const tar = execFileSync('git', ['archive', commit, 'packages/http/src', 'packages/core/src'], {
      cwd: join(bench, '..'),
      maxBuffer: 64 * 1024 * 1024,
    })
    execFileSync('tar', ['-x', '-C', root], { input: tar })
    const core = join(root, 'packages/core/src/index.ts')
    for (const file of walk(join(root, 'packages/http/src'))) {
      const text = readFileSync(file, 'utf8')
      let to = relative(dirname(file), core).replace(/\.ts$/, '')
      if (!to.startsWith('.')) to = `./${to}`
      writeFileSync(file, text.replaceAll("from '@fieldkit/core'", `from '${to}'`))
    }
  }
  const module = await import(pathToFileURL(join(root, 'packages/http/src/client.ts')).href)
  return module.createHttpClient
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : []
  })
}
