import { createRequire } from 'node:module'
import { requireOptionalPeer } from '@fieldkit/core'

const localRequire = createRequire(import.meta.url)

/**
 * ioredis, an optional peer: loaded the first time a `redis://` URL is given to the quota or the vault, so a user
 * who never shares them installs and loads nothing of it (FK_OPTIONAL_PEER_MISSING with the install line otherwise).
 */
export function loadIoredis(feature: string): typeof import('ioredis') {
  return requireOptionalPeer(() => localRequire('ioredis') as typeof import('ioredis'), {
    name: 'ioredis',
    range: '^5',
    pkg: 'ai',
    feature,
  })
}
