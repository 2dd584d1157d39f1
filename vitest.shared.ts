import { existsSync, readdirSync } from 'node:fs'
import type { TestProjectInlineConfiguration } from 'vitest/config'

/** Test files import sibling packages from source through this export condition. */
export const sourceConditions = ['@fieldkit/source', 'node', 'import', 'default']

/** One vitest project per package (and per example), found by folder name, each matching `pattern`. */
export function projectsFor(pattern: string): TestProjectInlineConfiguration[] {
  const roots = ['packages', 'examples'].filter((dir) => existsSync(dir))
  return roots.flatMap((root) =>
    readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => ({
        extends: true as const,
        test: {
          name: `${root === 'packages' ? '' : 'example:'}${entry.name}`,
          include: [`${root}/${entry.name}/${pattern}`],
        },
      })),
  )
}
