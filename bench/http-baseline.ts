import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { importPublished } from './published'

/**
 * `createHttpClient` as it was at `commit`, for a paired bench against today's: `packages/http/src` and
 * `packages/core/src` of that commit are extracted into `bench/.tmp/` (git-ignored), the old http wired to the old
 * core, bundled as published (see {@link publishedHttp}), and undici resolved from bench's own dependencies.
 */
export async function baselineClient(commit: string): Promise<typeof import('@fieldkit/http').createHttpClient> {
  return (await baselineHttp(commit, 'client.ts')).createHttpClient
}

/**
 * The whole `@fieldkit/http` as it was at `commit` (from `src/index.ts`), extracted and bundled as
 * {@link baselineClient} does — for pairing today's interceptors with an older commit's.
 */
export async function baselineHttp(
  commit: string,
  entry: 'client.ts' | 'index.ts' = 'index.ts',
): Promise<typeof import('@fieldkit/http')> {
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
  const label = entry === 'client.ts' ? `http-${commit}` : `http-${commit}-index`
  return (await bundledHttp(label, join(root, 'packages/http/src', entry))) as typeof import('@fieldkit/http')
}

/**
 * `@fieldkit/http` of this tree as it is published: bundled by tsup into one ES module, `@fieldkit/core` included,
 * undici external (resolved from bench's own dependencies, the same copy as the baseline's). Run from its sources
 * through tsx instead, every import between its files becomes a getter call, which charges a package split into many
 * files for a cost the published bundle does not have.
 */
export async function publishedHttp(): Promise<typeof import('@fieldkit/http')> {
  const entry = fileURLToPath(new URL('../packages/http/src/index.ts', import.meta.url))
  return (await bundledHttp('http-this-tree', entry)) as typeof import('@fieldkit/http')
}

/** `entry` bundled as published into `bench/.tmp/<label>-bundle/`, `@fieldkit/core` included, then imported. */
function bundledHttp(label: string, entry: string): Promise<unknown> {
  const outDir = join(dirname(fileURLToPath(import.meta.url)), '.tmp', `${label}-bundle`)
  return importPublished(entry, outDir, {
    external: ['undici', 'ioredis', 'pino', 'zod'],
    noExternal: ['@fieldkit/core'],
    conditions: ['@fieldkit/source'],
  })
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : []
  })
}
