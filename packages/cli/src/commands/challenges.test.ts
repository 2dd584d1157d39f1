import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { describeChallenge, readChallenges } from './challenges'

describe('readChallenges (auth’s parser, as the probe uses it)', () => {
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
    ['NTLM TlRMTVNTUAACAAAA==', [{ scheme: 'NTLM', params: {}, token68: 'TlRMTVNTUAACAAAA==' }]],
    [
      'Digest realm="a, b", qop="auth,auth-int", algorithm=SHA-256, nonce="n1", Digest realm="a, b", algorithm=MD5, nonce="n2"',
      [
        { scheme: 'Digest', params: { realm: 'a, b', qop: 'auth,auth-int', algorithm: 'SHA-256', nonce: 'n1' } },
        { scheme: 'Digest', params: { realm: 'a, b', algorithm: 'MD5', nonce: 'n2' } },
      ],
    ],
  ])('%s', (header, expected) => {
    expect(readChallenges(header)).toEqual({ challenges: expected })
  })

  it('reads challenges spread over several headers', () => {
    expect(readChallenges(['Negotiate', 'NTLM']).challenges.map((c) => c.scheme)).toEqual(['Negotiate', 'NTLM'])
  })

  it('reports a header auth refuses as malformed, with the reason and without its text', () => {
    const read = readChallenges('Digest realm="never closed, nonce=SECRET-ish')
    expect(read.challenges).toEqual([])
    expect(read.malformed).toMatch(/\w/)
    expect(read.malformed).not.toContain('SECRET-ish')
  })

  it('never throws or hangs on hostile headers', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 })), (header) => {
        const read = readChallenges(header)
        expect(Array.isArray(read.challenges)).toBe(true)
      }),
      { numRuns: 3000 },
    )
    expect(readChallenges(`Digest ${'a="'.repeat(50_000)}`).challenges.length).toBeLessThan(10)
  })

  it('describes a Digest challenge with its realm, algorithm and qop', () => {
    const [digest] = readChallenges('Digest realm="api", qop="auth", nonce="n", algorithm=SHA-256').challenges
    expect(digest && describeChallenge(digest)).toBe('Digest (realm "api", algorithm SHA-256, qop auth)')
  })
})
