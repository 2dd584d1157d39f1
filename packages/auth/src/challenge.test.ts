import { isFieldkitError } from '@fieldkit/core'
import { serve } from '@fieldkit/mocks'
import fc from 'fast-check'
import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import { parseChallenges } from './challenge'
import { digest } from './digest'
import { ntlm } from './ntlm/ntlm'
import { withAuth } from './with-auth'

describe('WWW-Authenticate parsing', () => {
  it('reads several challenges, quoted strings with escapes and token68', () => {
    const c = parseChallenges([
      'Negotiate, NTLM',
      'Basic realm="a \\"quoted\\" realm", charset="UTF-8", Digest realm="x", nonce="n,1", qop="auth,auth-int"',
      'NTLM TlRMTVNTUAACAAAA==',
    ])
    expect(c.map((x) => x.scheme)).toEqual(['Negotiate', 'NTLM', 'Basic', 'Digest', 'NTLM'])
    expect(c[2]?.params).toEqual({ realm: 'a "quoted" realm', charset: 'UTF-8' })
    expect(c[3]?.params.nonce).toBe('n,1')
    expect(c[4]?.token68).toBe('TlRMTVNTUAACAAAA==')
  })

  // A hang would hit the test timeout; the parser is a single forward pass over at most 16 KiB.
  it('gives FK_AUTH_CHALLENGE with the header redacted, never a crash or a hang, on hostile input', () => {
    const pieces = fc.constantFrom(
      'Digest',
      'NTLM',
      ' ',
      ',',
      '=',
      '"',
      '\\',
      'realm',
      'nonce',
      'x==',
      '\t',
      '\u0000',
      'é',
    )
    const hostile = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.array(pieces, { maxLength: 60 }).map((a) => a.join('')),
      fc.string({ unit: 'binary', maxLength: 200 }),
    )
    fc.assert(
      fc.property(hostile, fc.constantFrom('SECRET-MARKER', ''), (header, marker) => {
        const value = header + marker
        try {
          parseChallenges(value)
        } catch (error) {
          expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_CHALLENGE')
          const text = JSON.stringify(error) + String((error as Error).message)
          if (marker !== '') expect(text).not.toContain(marker)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses a huge header quickly', () => {
    const error = (() => {
      try {
        parseChallenges(`Digest realm="${'a'.repeat(1_000_000)}"`)
      } catch (e) {
        return e
      }
    })()
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_CHALLENGE')
  })

  it('digest.challenge() turns a malformed Digest header into FK_AUTH_CHALLENGE', async () => {
    const d = digest({ username: 'u', password: 'p' })
    const request = { method: 'GET', url: new URL('http://h/'), headers: {} }
    const error = await Promise.resolve()
      .then(() =>
        d.challenge?.({ status: 401, headers: { 'www-authenticate': 'Digest realm="unterminated' } }, request),
      )
      .catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_CHALLENGE')
  })
})

describe('a server that keeps answering 401', () => {
  it("stops after one retry with FK_AUTH_REJECTED and the scheme's hint naming what to check", async () => {
    const server = await serve([
      http.all(
        '*/always',
        () =>
          new HttpResponse(null, {
            status: 401,
            headers: { 'www-authenticate': 'Digest realm="r", nonce="same", qop="auth"' },
          }),
      ),
    ])
    try {
      const error = await withAuth(digest({ username: 'u', password: 'pw-xyz' }))(`${server.url}/always`).catch(
        (e: unknown) => e,
      )
      expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_REJECTED')
      expect(server.requests).toHaveLength(2)
      const hint = (error as { hint: string }).hint
      // Digest's own hint: the realm, algorithm and qop offered and used, and the per-realm user name and password.
      for (const word of ['realm "r"', 'algorithm MD5', 'qop auth', 'user name', 'password'])
        expect(hint).toContain(word)
      expect(hint).not.toContain('pw-xyz')
    } finally {
      await server.close()
    }
  })

  it('an NTLM server that refuses every handshake gives FK_AUTH_REJECTED without looping', async () => {
    const server = await serve([
      http.all('*/ntlm-always', () => new HttpResponse(null, { status: 401, headers: { 'www-authenticate': 'NTLM' } })),
    ])
    const auth = ntlm({ username: 'D\\u', password: 'p' })
    try {
      const error = await withAuth(auth)(`${server.url}/ntlm-always`).catch((e: unknown) => e)
      expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_REJECTED')
      expect(server.requests.length).toBeLessThanOrEqual(2)
    } finally {
      await auth.close()
      await server.close()
    }
  })
})
