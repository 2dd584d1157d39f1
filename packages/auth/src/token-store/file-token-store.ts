import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { OAuth2Error } from '../oauth2/oauth2-error'
import { parseStoredTokens, type StoredTokens, type TokenStore } from './token-store'

/** Options of {@link fileTokenStore}. */
export interface FileTokenStoreOptions {
  /** The JSON file holding the tokens (one entry per store key); created with permissions 0600. */
  path: string
}

/**
 * Keeps tokens in a JSON file readable by its owner only (0600), written atomically (a temporary file, fsync, then
 * rename), so that a rotated refresh token survives a restart and a crash mid-write never leaves half a file.
 *
 * @example
 * ```ts
 * const auth = refreshToken({
 *   tokenUrl, clientId, clientSecret, refreshToken: process.env.INITIAL_REFRESH_TOKEN,
 *   tokenStore: fileTokenStore({ path: '/var/lib/erp-sync/tokens.json' }),
 * })
 * ```
 */
export function fileTokenStore(options: FileTokenStoreOptions): TokenStore {
  if (typeof options?.path !== 'string' || options.path.length === 0) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] Expected \`path\` of fileTokenStore to be a non-empty string, got ${typeof options?.path}`,
      hint: 'Give the file the tokens are kept in, e.g. fileTokenStore({ path: "/var/lib/app/tokens.json" })',
    })
  }
  const path = options.path
  // Writes from this process run one after another, so that two rotations never interleave their read-modify-write.
  let queue: Promise<unknown> = Promise.resolve()

  async function readAll(): Promise<Record<string, StoredTokens>> {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw storeError(error, 'read')
    }
    if (text.trim() === '') return {}
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      throw new OAuth2Error({
        code: 'FK_AUTH_TOKEN_STORE_CORRUPT',
        message: `[fieldkit/auth] the token file ${path} does not hold valid JSON`,
        hint: 'Delete the file (the strategy then starts again from its configured refresh token) and check that nothing else writes to it',
        cause: error,
      })
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {}
    const entries: Record<string, StoredTokens> = {}
    for (const [key, value] of Object.entries(parsed)) {
      entries[key] = parseStoredTokens(JSON.stringify(value), `${path} (${key})`)
    }
    return entries
  }

  async function writeAll(entries: Record<string, StoredTokens>): Promise<void> {
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 })
      const handle = await open(temporary, 'wx', 0o600)
      try {
        await handle.writeFile(`${JSON.stringify(entries, null, 2)}\n`, 'utf8')
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temporary, path)
    } catch (error) {
      await unlink(temporary).catch(() => {})
      throw storeError(error, 'write')
    }
  }

  function storeError(error: unknown, action: 'read' | 'write'): OAuth2Error {
    return new OAuth2Error({
      code: 'FK_AUTH_TOKEN_STORE_IO',
      message: `[fieldkit/auth] could not ${action} the token file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      hint: 'Check that the directory exists or can be created and that this process may read and write it',
      cause: error,
      details: { path, action },
    })
  }

  function serialised<T>(task: () => Promise<T>): Promise<T> {
    const next = queue.then(task, task)
    queue = next.catch(() => {})
    return next
  }

  return {
    async get(key) {
      const entries = await serialised(readAll)
      const found = entries[key]
      return found === undefined ? undefined : { ...found }
    },
    set(key, tokens) {
      return serialised(async () => {
        const entries = await readAll()
        entries[key] = { ...tokens }
        await writeAll(entries)
      })
    },
    delete(key) {
      return serialised(async () => {
        const entries = await readAll()
        if (!(key in entries)) return
        delete entries[key]
        await writeAll(entries)
      })
    },
  }
}
