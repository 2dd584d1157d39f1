import { existsSync, readdirSync } from 'node:fs'
import type { TestProjectInlineConfiguration } from 'vitest/config'

/** Test files import sibling packages from source through this export condition. */
export const sourceConditions = ['@fieldkit/source', 'node', 'import', 'default']

/** Settings one project adds to the shared ones, given its name and its place in the list. */
type ProjectSettings = (name: string, index: number) => NonNullable<TestProjectInlineConfiguration['test']>

/** One vitest project per package (and per example), found by folder name, each matching `pattern`. */
export function projectsFor(pattern: string, settings: ProjectSettings = () => ({})): TestProjectInlineConfiguration[] {
  const roots = ['packages', 'examples'].filter((dir) => existsSync(dir))
  const folders = roots.flatMap((root) =>
    readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => ({
        path: `${root}/${entry.name}`,
        name: `${root === 'packages' ? '' : 'example:'}${entry.name}`,
      })),
  )
  return folders.map(({ path, name }, index) => ({
    extends: true as const,
    test: { ...settings(name, index), name, include: [`${path}/${pattern}`] },
  }))
}
