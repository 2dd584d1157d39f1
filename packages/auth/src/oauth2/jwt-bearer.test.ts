import { generateKeyPairSync } from 'node:crypto'
import { isFieldkitError } from '@fieldkit/core'
import { type MockServer, serve } from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withAuth } from '../with-auth'
import { jwtBearer } from './jwt-bearer'
import { tokenServer } from './token-server.test-helper'

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = (k: { export(o: { type: 'pkcs8'; format: 'pem' }): string | Buffer }) =>
  String(k.export({ type: 'pkcs8', format: 'pem' }))

describe('jwtBearer (RFC 7523)', () => {
  const server = tokenServer({
    jwtIssuers: {
      'sf-consumer-key': {
        key: rsa.publicKey,
        subjects: ['integration@client.example'],
        audience: 'https://login.salesforce.com',
      },
      'svc@project.iam.gserviceaccount.com': { key: rsa.publicKey },
      'ec-issuer': { key: ec.publicKey },
    },
  })
  let mock: MockServer
  let tokenUrl: string
  beforeAll(async () => {
    mock = await serve(server.handlers)
    tokenUrl = `${mock.url}/oauth2/token`
  })
  afterAll(() => mock.close())

  it('Salesforce style: iss = consumer key, sub = username, aud = login.salesforce.com, exp within 3 minutes', async () => {
    const auth = jwtBearer({
      tokenUrl,
      issuer: 'sf-consumer-key',
      subject: 'integration@client.example',
      audience: 'https://login.salesforce.com',
      privateKey: pem(rsa.privateKey),
    })
    const res = await withAuth(auth)(`${mock.url}/api/resource`)
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    const claims = server.state.lastAssertion as Record<string, number | string>
    expect(claims).toMatchObject({
      iss: 'sf-consumer-key',
      sub: 'integration@client.example',
      aud: 'https://login.salesforce.com',
    })
    expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(180)
    expect(server.state.lastAssertionHeader).toMatchObject({ alg: 'RS256' })
    await auth.close()
  })

  it('Google service-account style: scope as a claim, kid from private_key_id, aud = token URI, no sub', async () => {
    const auth = jwtBearer({
      tokenUrl,
      issuer: 'svc@project.iam.gserviceaccount.com',
      keyId: 'a1b2c3',
      privateKey: pem(rsa.privateKey),
      claims: { scope: 'https://www.googleapis.com/auth/cloud-platform' },
    })
    expect(await auth.getToken()).toMatch(/^at-/)
    expect(server.state.lastAssertion).toMatchObject({
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      aud: tokenUrl,
    })
    expect(server.state.lastAssertion).not.toHaveProperty('sub')
    expect(server.state.lastAssertionHeader).toMatchObject({ kid: 'a1b2c3' })
    await auth.close()
  })

  it.each([
    ['PS256', rsa.privateKey, 'svc@project.iam.gserviceaccount.com'],
    ['ES256', ec.privateKey, 'ec-issuer'],
  ] as const)('signs with %s', async (algorithm, privateKey, issuer) => {
    const auth = jwtBearer({ tokenUrl, issuer, privateKey, algorithm })
    expect(await auth.getToken()).toMatch(/^at-/)
    expect(server.state.lastAssertionHeader).toMatchObject({ alg: algorithm })
    await auth.close()
  })

  it('an assertion for a user who has not approved the app gives FK_AUTH_INVALID_GRANT with the reason', async () => {
    const auth = jwtBearer({
      tokenUrl,
      issuer: 'sf-consumer-key',
      subject: 'someone@else.example',
      audience: 'https://login.salesforce.com',
      privateKey: rsa.privateKey,
    })
    const error = await auth.getToken().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_INVALID_GRANT')
    expect(String(error)).toContain('user has not approved this consumer')
    await auth.close()
  })

  it('a long assertion lifetime is refused by a Salesforce-like server; the default (120 s) is not', async () => {
    const auth = jwtBearer({
      tokenUrl,
      issuer: 'ec-issuer',
      algorithm: 'ES256',
      privateKey: ec.privateKey,
      assertionLifetimeSeconds: 600,
    })
    const error = await auth.getToken().catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_INVALID_GRANT')
    await auth.close()
  })

  it('reports a key that cannot sign the algorithm at construction', () => {
    const attempt = () => jwtBearer({ tokenUrl, issuer: 'x', privateKey: ec.privateKey, algorithm: 'RS256' })
    expect(attempt).toThrow(expect.objectContaining({ code: 'FK_AUTH_PRIVATE_KEY' }))
    expect(() => jwtBearer({ tokenUrl, issuer: 'x', privateKey: rsa.publicKey, algorithm: 'RS256' })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_PRIVATE_KEY' }),
    )
    expect(() => jwtBearer({ tokenUrl, issuer: 'x', privateKey: 'not a pem' })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_PRIVATE_KEY' }),
    )
    expect(() => jwtBearer({ tokenUrl, issuer: '', privateKey: rsa.privateKey })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_INVALID_OPTIONS' }),
    )
    expect(() =>
      jwtBearer({ tokenUrl, issuer: 'x', privateKey: rsa.privateKey, algorithm: 'HS256' as unknown as 'RS256' }),
    ).toThrow(expect.objectContaining({ code: 'FK_AUTH_INVALID_OPTIONS' }))
  })
})
