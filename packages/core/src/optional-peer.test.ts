import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { isFieldkitError } from './errors'
import { requireOptionalPeer } from './optional-peer'

const localRequire = createRequire(import.meta.url)
const peer = { name: 'fieldkit-no-such-peer', range: '^5', pkg: 'http', feature: 'rateLimit.redis' }

describe('requireOptionalPeer', () => {
  it('returns the module when it is installed', () => {
    const loaded = requireOptionalPeer(() => localRequire('node:path') as typeof import('node:path'), peer)
    expect(typeof loaded.join).toBe('function')
  })

  it('turns a missing peer into FK_OPTIONAL_PEER_MISSING with the install line', () => {
    let caught: unknown
    try {
      requireOptionalPeer(() => localRequire('fieldkit-no-such-peer'), peer)
    } catch (error) {
      caught = error
    }
    expect(isFieldkitError(caught)).toBe(true)
    const error = caught as { code: string; hint: string; message: string; name: string }
    expect(error.name).toBe('OptionalPeerError')
    expect(error.code).toBe('FK_OPTIONAL_PEER_MISSING')
    expect(error.message).toContain('rateLimit.redis needs fieldkit-no-such-peer')
    expect(error.hint).toContain('npm install fieldkit-no-such-peer@^5')
  })

  it('rethrows any other failure of the peer as it is (a broken install is not "missing")', () => {
    const broken = new Error('boom inside the peer')
    expect(() =>
      requireOptionalPeer(() => {
        throw broken
      }, peer),
    ).toThrow(broken)
    // A module the peer itself needs is missing: not our peer's name, so not reported as the peer missing.
    const inner = Object.assign(new Error("Cannot find module 'some-dependency-of-the-peer'"), {
      code: 'MODULE_NOT_FOUND',
    })
    expect(() =>
      requireOptionalPeer(() => {
        throw inner
      }, peer),
    ).toThrow(inner)
  })
})
