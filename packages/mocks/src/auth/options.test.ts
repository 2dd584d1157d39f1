import { describe, expect, it } from 'vitest'
import { loginPortal } from '../tokens/login-portal'
import { oauth2TokenEndpoint } from '../tokens/oauth2'
import { basicAuth } from './basic'
import { digestAuth } from './digest'
import { ntlmAuth } from './ntlm'
import { oauth1Provider } from './oauth1'
import { sigv4Endpoint } from './sigv4'
import { usernameTokenEndpoint } from './username-token'

describe('auth mock options', () => {
  it.each([
    ['basicAuth without a leading slash', () => basicAuth({ path: 'basic', users: { a: 'b' }, realm: 'r' }), /`path`/],
    ['basicAuth with no users', () => basicAuth({ path: '/b', users: {}, realm: 'r' }), /at least one entry/],
    [
      'digestAuth with an unknown algorithm',
      () => digestAuth({ path: '/d', users: { a: 'b' }, realm: 'r', algorithm: 'SHA-1' as never }),
      /`algorithm`/,
    ],
    [
      'digestAuth with nonceTtlMs 0',
      () => digestAuth({ path: '/d', users: { a: 'b' }, realm: 'r', nonceTtlMs: 0 }),
      /nonceTtlMs/,
    ],
    [
      'ntlmAuth with a user lacking a domain',
      () => ntlmAuth({ path: '/n', users: [{ username: 'a', password: 'b' } as never] }),
      /users\[0\]\.domain/,
    ],
    [
      'oauth1Provider with a bad RSA key',
      () => oauth1Provider({ path: '/o', consumers: { k: 's' }, tokens: {}, rsaPublicKeys: { k: 'nope' } }),
      /rsaPublicKeys/,
    ],
    [
      'sigv4Endpoint without a region',
      () => sigv4Endpoint({ path: '/s', credentials: { A: 's' }, region: '', service: 's' }),
      /`region`/,
    ],
    [
      'usernameTokenEndpoint with a non-string password',
      () => usernameTokenEndpoint({ path: '/u', users: { a: 1 as never } }),
      /users`\["a"\]/,
    ],
    [
      'oauth2TokenEndpoint with a bad issuer key',
      () => oauth2TokenEndpoint({ path: '/t', clients: { c: 's' }, audience: 'a', jwtIssuers: { i: 'x' } }),
      /jwtIssuers/,
    ],
    ['loginPortal with a negative TTL', () => loginPortal({ users: { a: 'b' }, sessionTtlMs: -1 }), /sessionTtlMs/],
  ])('throws FK_MOCK_AUTH_OPTIONS for %s, naming the option', (_, make, pattern) => {
    expect(make).toThrow(
      expect.objectContaining({ code: 'FK_MOCK_AUTH_OPTIONS', message: expect.stringMatching(pattern) }),
    )
  })

  it('never puts a secret in the option error', () => {
    try {
      oauth2TokenEndpoint({
        path: '/t',
        clients: { c: 'super-secret-value' },
        audience: 'a',
        refreshTokens: { 'refresh-secret-1234': 'nobody' },
      })
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain('refresh-secret-1234')
      expect(String((error as Error).message)).not.toContain('refresh-secret-1234')
      return
    }
    throw new Error('expected a throw')
  })
})
