import { FieldkitError } from './errors'

/** The code of the one error {@link requireOptionalPeer} throws. */
export type OptionalPeerErrorCode = 'FK_OPTIONAL_PEER_MISSING'

/**
 * A feature needs an optional peer dependency (ioredis, pino, csv-parse) that is not installed. The hint holds the
 * install line.
 *
 * @example
 * ```ts
 * try { createHttpClient({ rateLimit: { perSecond: 10, redis: url } }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_OPTIONAL_PEER_MISSING') console.error(e.hint) // npm install ioredis@^5
 * }
 * ```
 */
export class OptionalPeerError extends FieldkitError<OptionalPeerErrorCode> {
  override name = 'OptionalPeerError'
}

/** Which peer, for which package and feature. */
export interface OptionalPeer {
  /** npm name of the peer, e.g. `ioredis`. */
  name: string
  /** The range to install, e.g. `^5`. */
  range: string
  /** The Fieldkit package asking, e.g. `http`. */
  pkg: string
  /** What needs it, in the user's words: `rateLimit.redis`. */
  feature: string
}

/**
 * Loads an optional peer on first use: `load` is the package's own `require` (a `createRequire(import.meta.url)`, so
 * the peer is found next to the package in both the ESM and the CommonJS build). A missing peer is an
 * {@link OptionalPeerError} whose hint gives the install line; any other failure is rethrown as it is.
 *
 * @example
 * ```ts
 * const localRequire = createRequire(import.meta.url)
 * const { Redis } = requireOptionalPeer(() => localRequire('ioredis') as typeof import('ioredis'),
 *   { name: 'ioredis', range: '^5', pkg: 'http', feature: 'rateLimit.redis' })
 * ```
 */
export function requireOptionalPeer<T>(load: () => T, peer: OptionalPeer): T {
  try {
    return load()
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    const text = error instanceof Error ? error.message : ''
    if ((code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') || !text.includes(`'${peer.name}'`))
      throw error
    throw new OptionalPeerError({
      code: 'FK_OPTIONAL_PEER_MISSING',
      message: `[fieldkit/${peer.pkg}] ${peer.feature} needs ${peer.name}, an optional peer dependency of @fieldkit/${peer.pkg} that is not installed`,
      hint: `Install it next to @fieldkit/${peer.pkg} (npm install ${peer.name}@${peer.range}), or leave ${peer.feature} unset; run npx -p @fieldkit/cli fieldkit explain FK_OPTIONAL_PEER_MISSING for more`,
      details: { peer: peer.name, range: peer.range, feature: peer.feature },
      cause: error,
    })
  }
}
