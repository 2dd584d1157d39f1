import { defineConfig } from 'vitest/config'
import { projectsFor, sourceConditions } from './vitest.shared.ts'

// The long tier (`pnpm verify`): bounded fault runs, Redis restarts, large files, accuracy corpora and the
// packed-tarball import. Each lives in a `src/**/*.verify.ts` file beside the code it proves.
export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    projects: projectsFor('src/**/*.verify.ts'),
    passWithNoTests: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Spies, stubbed globals and stubbed env vars never outlive the test that made them.
    restoreMocks: true,
    unstubGlobals: true,
    unstubEnvs: true,
    fileParallelism: false,
  },
})
