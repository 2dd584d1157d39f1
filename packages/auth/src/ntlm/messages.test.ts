import { isFieldkitError } from '@fieldkit/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeChallenge } from './messages'

describe('NTLM CHALLENGE decoding of hostile tokens', () => {
  it('gives FK_AUTH_CHALLENGE or a consistent message, never another error', () => {
    const signature = Buffer.from('NTLMSSP\0', 'latin1')
    const token = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((rest) => Buffer.concat([signature, Buffer.from([2, 0, 0, 0]), rest])),
    )
    fc.assert(
      fc.property(token, (bytes) => {
        try {
          const m = decodeChallenge(bytes)
          expect(m.serverChallenge).toHaveLength(8)
        } catch (error) {
          expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_CHALLENGE')
        }
      }),
      { numRuns: 3000 },
    )
  })
})
