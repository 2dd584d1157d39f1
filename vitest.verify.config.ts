import { defineConfig } from 'vitest/config'
import { projectsFor, sourceConditions } from './vitest.shared.ts'

// The long tier (`pnpm verify`): bounded fault runs, Redis restarts, large files, accuracy corpora and the
// packed-tarball import. Each lives in a `src/**/*.verify.ts` file beside the code it proves.
//
// One package at a time (each project its own `groupOrder`), so that a run that measures CPU time or memory (the ReDoS
// bounds, the 1 GB CSV, the heap soaks) never shares the machine with another package's run. Inside `http` two files
// run at once: its runs are bounded by the wall clock (10 s quota windows against real Redis, fault schedules), not
// by CPU, and running them in pairs halves the tier's longest stretch.
const wallClockBound = new Set(['http'])

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    projects: projectsFor('src/**/*.verify.ts', (name, index) => ({
      ...(wallClockBound.has(name) ? { maxWorkers: 2 } : { fileParallelism: false }),
      sequence: { groupOrder: index },
    })),
    passWithNoTests: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Spies, stubbed globals and stubbed env vars never outlive the test that made them.
    restoreMocks: true,
    unstubGlobals: true,
    unstubEnvs: true,
  },
})
