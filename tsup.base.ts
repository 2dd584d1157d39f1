import { defineConfig, type Options } from 'tsup'

/**
 * The one build every package shares: ESM + CommonJS + bundled `.d.ts` from `src/index.ts`.
 * A package's `tsup.config.ts` is `export default fieldkitBuild()`, with extra entries only when it ships a bin.
 */
export function fieldkitBuild(extra: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    // The maps point at src/, which ships in the tarball: no second copy of every source inside each map.
    esbuildOptions(options) {
      options.sourcesContent = false
    },
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    // import.meta.url in the CommonJS build (createRequire for optional peers loaded on first use)
    shims: true,
    ...extra,
  })
}
