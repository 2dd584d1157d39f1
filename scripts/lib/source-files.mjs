// The source files the house checks read: every package's `src/**/*.ts`, tests told apart by their suffix.
import { existsSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'

/** Test files (run by vitest) and test helpers (imported only by tests); neither is library code. */
export const testFile = /\.(test|verify|bench)\.ts$/

/** Every `.ts` file under `dir`, depth first, as paths relative to `root`. */
export function* tsFiles(root, dir) {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') yield* tsFiles(root, path)
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield relative(root, path)
  }
}

/** `{ pkg, file }` for every `.ts` file of every package under `root/packages`, sorted. */
export function packageSources(root) {
  const out = []
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    for (const file of tsFiles(root, join(root, 'packages', pkg, 'src'))) out.push({ pkg, file })
  }
  return out.sort((a, b) => a.file.localeCompare(b.file))
}
