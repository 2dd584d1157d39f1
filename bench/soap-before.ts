import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** The commit issue 16 measures SOAP against: the package as it was before the namespace and hostile-input work. */
export const BEFORE = '3065404'

/** What the before/after comparison calls: the three entry points the bench times. */
export interface SoapEntryPoints {
  parseEnvelope: typeof import('@fieldkit/soap').parseEnvelope
  streamRecords: typeof import('@fieldkit/soap').streamRecords
  createSoapClient: typeof import('@fieldkit/soap').createSoapClient
}

/**
 * `@fieldkit/soap` as it was at `rev`, loaded from source beside today's: `git archive` writes the package's `src/`
 * into `packages/soap/.tmp/before-<rev>/` (ignored by git), where its imports resolve through the package's own
 * node_modules, as today's do. Needs a git checkout with that commit.
 */
export async function soapAt(rev: string = BEFORE): Promise<SoapEntryPoints> {
  const pkg = fileURLToPath(new URL('../packages/soap/', import.meta.url))
  const dest = `${pkg}.tmp/before-${rev}`
  if (!existsSync(`${dest}/src/index.ts`)) {
    rmSync(dest, { recursive: true, force: true })
    mkdirSync(dest, { recursive: true })
    const tar = execFileSync('git', ['archive', rev, 'src'], { cwd: pkg, maxBuffer: 64 << 20 })
    execFileSync('tar', ['-x', '-C', dest], { input: tar })
  }
  return (await import(pathToFileURL(`${dest}/src/index.ts`).href)) as SoapEntryPoints
}
