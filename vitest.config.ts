import { defineConfig } from 'vitest/config'
import { projectsFor, sourceConditions } from './vitest.shared.ts'

// The fast suite (`pnpm test`): colocated `src/**/*.test.ts` in every package and example.
// Vitest 4 reads no workspace file; projects are listed here (docs/decisions/0005-tooling.md).
export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    projects: [
      ...projectsFor('src/**/*.test.ts'),
      { extends: true, test: { name: 'house', include: ['scripts/*.test.ts'] } },
    ],
    passWithNoTests: false,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Spies, stubbed globals and stubbed env vars never outlive the test that made them.
    restoreMocks: true,
    unstubGlobals: true,
    unstubEnvs: true,
  },
})
