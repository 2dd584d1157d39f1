import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseChallenges } from './challenges'

describe('parseChallenges', () => {
  it.each([
    ['Basic realm="hr", charset="UTF-8"', [{ scheme: 'Basic', params: { realm: 'hr', charset: 'UTF-8' } }]],
    ['NTLM', [{ scheme: 'NTLM', params: {} }]],
    [
      'Negotiate, NTLM',
      [
        { scheme: 'Negotiate', params: {} },
        { scheme: 'NTLM', params: {} },
      ],
    ],
    ['NTLM TlRMTVNTUAACAAAA==', [{ scheme: 'NTLM', params: {}, token: 'TlRMTVNTUAACAAAA==' }]],
    [
      'Digest realm="a, b", qop="auth,auth-int", algorithm=SHA-256, nonce="n1", Digest realm="a, b", algorithm=MD5, nonce="n2"',
      [
        { scheme: 'Digest', params: { realm: 'a, b', qop: 'auth,auth-int', algorithm: 'SHA-256', nonce: 'n1' } },
        { scheme: 'Digest', params: { realm: 'a, b', algorithm: 'MD5', nonce: 'n2' } },
      ],
    ],
    [
      'Bearer realm="api", error="invalid_token", error_description="the \\"token\\" expired"',
      [
        {
          scheme: 'Bearer',
          params: { realm: 'api', error: 'invalid_token', error_description: 'the "token" expired' },
        },
      ],
    ],
  ])('%s', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected)
  })

  it('reads challenges spread over several headers', () => {
    expect(parseChallenges(['Negotiate', 'NTLM']).map((c) => c.scheme)).toEqual(['Negotiate', 'NTLM'])
  })

  it('never throws or hangs on hostile headers', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 })), (header) => {
        expect(Array.isArray(parseChallenges(header))).toBe(true)
      }),
      { numRuns: 3000 },
    )
    expect(parseChallenges(`Digest ${'a="'.repeat(50_000)}`).length).toBeLessThan(10)
  })
})
