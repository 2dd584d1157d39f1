import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkUsernameToken } from './username-token'

interface Vector {
  name: string
  inputs: { nonce_base64: string; created: string; password: string; username?: string }
  expected: { password_digest: string }
}
const vectors = (
  JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../../../fixtures/shared/vectors/auth-vectors.json', import.meta.url)),
      'utf8',
    ),
  ) as { vectors: (Vector & { category?: string })[] }
).vectors.filter((v) => v.category === 'wsse')

const token = (
  username: string,
  password: string,
  type: 'PasswordDigest' | 'PasswordText',
  nonce?: string,
  created?: string,
) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><wsse:Security xmlns:wsse="urn:wsse" xmlns:wsu="urn:wsu"><wsse:UsernameToken>` +
  `<wsse:Username>${username}</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#${type}">${password}</wsse:Password>` +
  (nonce ? `<wsse:Nonce>${nonce}</wsse:Nonce>` : '') +
  (created ? `<wsu:Created>${created}</wsu:Created>` : '') +
  `</wsse:UsernameToken></wsse:Security></soapenv:Header><soapenv:Body/></soapenv:Envelope>`

describe('checkUsernameToken (the mock SOAP service side)', () => {
  it.each(vectors)('accepts the published PasswordDigest vector: $name', (v) => {
    const user = v.inputs.username ?? 'user'
    const xml = token(user, v.expected.password_digest, 'PasswordDigest', v.inputs.nonce_base64, v.inputs.created)
    expect(
      checkUsernameToken(xml, { users: { [user]: v.inputs.password }, maxAgeSeconds: Number.POSITIVE_INFINITY }),
    ).toEqual({ ok: true, username: user })
    expect(
      checkUsernameToken(xml, { users: { [user]: `${v.inputs.password}x` }, maxAgeSeconds: Number.POSITIVE_INFINITY }),
    ).toEqual({ ok: false, reason: 'bad-digest' })
  })

  it('refuses a stale Created, a replayed nonce, an unknown user and a wrong text password', () => {
    const v = vectors[0] as Vector
    const xml = token('u', v.expected.password_digest, 'PasswordDigest', v.inputs.nonce_base64, v.inputs.created)
    expect(checkUsernameToken(xml, { users: { u: v.inputs.password } })).toEqual({ ok: false, reason: 'stale-created' })
    const seenNonces = new Set<string>()
    const now = Date.parse(v.inputs.created) + 1000
    expect(checkUsernameToken(xml, { users: { u: v.inputs.password }, now, seenNonces }).ok).toBe(true)
    expect(checkUsernameToken(xml, { users: { u: v.inputs.password }, now, seenNonces })).toEqual({
      ok: false,
      reason: 'replayed-nonce',
    })
    expect(checkUsernameToken(xml, { users: { other: 'x' } })).toEqual({ ok: false, reason: 'unknown-user' })
    expect(checkUsernameToken(token('u', 'nope', 'PasswordText'), { users: { u: 'yes' } })).toEqual({
      ok: false,
      reason: 'bad-password',
    })
    expect(checkUsernameToken(token('u', 'a&amp;b', 'PasswordText'), { users: { u: 'a&b' } })).toEqual({
      ok: true,
      username: 'u',
    })
    expect(checkUsernameToken('<Envelope/>', { users: { u: 'x' } })).toEqual({
      ok: false,
      reason: 'missing-security-header',
    })
  })
})
