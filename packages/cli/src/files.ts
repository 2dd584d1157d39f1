import { stat } from 'node:fs/promises'
import { fileNotFound } from './errors'

/**
 * The size of a file named on the command line; a missing or unreadable one (or a folder) is `FK_CLI_FILE_NOT_FOUND`
 * (exit 4), `flag` naming the argument: `<file>`, `--schema`.
 *
 * @example
 * ```ts
 * const bytes = await fileSize(resolve(file), '<file>')
 * ```
 */
export async function fileSize(path: string, flag: string): Promise<number> {
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw Object.assign(new Error('a folder'), { code: 'EISDIR' })
    return info.size
  } catch (error) {
    throw fileNotFound(path, flag, error)
  }
}
