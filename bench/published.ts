import { pathToFileURL } from 'node:url'

/**
 * `entry` bundled as `tsup.base.ts` publishes a package (ESM only, no types, no source maps) into `outDir`, then
 * imported: benches measure the code users install, not the sources through tsx, whose per-import getters charge a
 * package for how many files it is split into. `external` stays out of the bundle; `conditions` picks sibling
 * packages' sources (`@fieldkit/source`) when they are bundled in.
 */
export async function importPublished(
  entry: string,
  outDir: string,
  options: { external: string[]; noExternal?: string[]; conditions?: string[] },
): Promise<unknown> {
  const { build } = await import('tsup')
  await build({
    entry: { index: entry },
    outDir,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    dts: false,
    sourcemap: false,
    clean: true,
    config: false,
    silent: true,
    external: options.external,
    noExternal: options.noExternal,
    esbuildOptions(esbuild) {
      if (options.conditions !== undefined) esbuild.conditions = options.conditions
    },
  })
  return import(pathToFileURL(`${outDir}/index.js`).href)
}
