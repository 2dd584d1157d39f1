import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { vector } from '../vectors.test-helper'
import { md4 } from './md4'

describe('md4', () => {
  const v = vector('md4-rfc1320-test-suite')
  const messages = (v.inputs as { messages: string[] }).messages
  const digests = (v.expected as { digests: string[] }).digests
  messages.forEach((message, i) => {
    it(`RFC 1320 appendix A.5: MD4("${message.length > 20 ? `${message.slice(0, 20)}…` : message}")`, () => {
      expect(Buffer.from(md4(Buffer.from(message, 'latin1'))).toString('hex')).toBe(digests[i])
    })
  })

  it('handles every length around the 56/64-byte padding boundary without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(md4(bytes)).toHaveLength(16)
      }),
    )
  })
})
