import { constants, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { vector } from '../auth/test-helpers'
import { type MockServer, serve } from '../serve'
import { bearerResource, type OAuth2TokenEndpoint, oauth2TokenEndpoint } from './oauth2'

/** A JWS signer written in the test with node:crypto (the client side uses jose). */
function jwt(
  alg: 'RS256' | 'PS256' | 'ES256' | 'HS256' | 'none',
  key: KeyObject | undefined,
  claims: Record<string, unknown>,
): string {
  const head = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url')
  const data = Buffer.from(`${head}.${body}`)
  let signature = Buffer.alloc(0)
  if (alg === 'RS256') signature = sign('sha256', data, key as KeyObject)
  if (alg === 'PS256')
    signature = sign('sha256', data, {
      key: key as KeyObject,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    })
  if (alg === 'ES256') signature = sign('sha256', data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' })
  if (alg === 'HS256') signature = Buffer.alloc(32, 1)
  return `${head}.${body}.${signature.toString('base64url')}`
}

const AUDIENCE = 'https://login.example.test'
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string

describe('oauth2 token endpoint', () => {
  let mock: MockServer
  let tokens: OAuth2TokenEndpoint
  beforeAll(async () => {
    tokens = oauth2TokenEndpoint({
      path: '/oauth2/token',
      clients: { s6BhdRkqt3: 'gX1fBat3bV', 'app two': 'p@ss:word' },
      clientKeys: { 'signed-client': ec.publicKey.export({ format: 'jwk' }) },
      jwtIssuers: { '3MVG9connectedapp': pem(rsa.publicKey), 'sa@project.iam': ec.publicKey.export({ format: 'jwk' }) },
      audience: AUDIENCE,
      accessTokenTtlSeconds: 600,
      rotateRefreshTokens: true,
      refreshTokens: { 'rt-seed': 's6BhdRkqt3' },
      publicClients: ['cli-app'],
    })
    mock = await serve([...tokens.handlers, ...bearerResource({ path: '/api/me', tokenEndpoint: tokens })])
  })
  afterAll(() => mock.close())

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${mock.url}/oauth2/token`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    })
  const me = (token: string) => fetch(`${mock.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })

  it('RFC 6749 sections 4.4.2 and 2.3.1: client_credentials with the example client_secret_basic header', async () => {
    const v = vector('oauth2-client-secret-basic-rfc6749')
    const before = tokens.stats().tokenRequests
    const res = await post(v.inputs.request_body as string, { authorization: v.expected.authorization as string })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number }
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600 })
    expect(await (await me(body.access_token)).json()).toEqual({ ok: true, user: 's6BhdRkqt3', client: 's6BhdRkqt3' })
    expect(tokens.stats().tokenRequests).toBe(before + 1)
  })

  it('refuses a wrong client secret with 401 invalid_client and a Basic challenge', async () => {
    const res = await post('grant_type=client_credentials', {
      authorization: `Basic ${Buffer.from('s6BhdRkqt3:wrong').toString('base64')}`,
    })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic/)
    expect(await res.json()).toMatchObject({ error: 'invalid_client' })
  })

  it('accepts client_secret_post, form-decodes client_secret_basic, and refuses two methods at once', async () => {
    expect((await post('grant_type=client_credentials&client_id=app+two&client_secret=p%40ss%3Aword')).status).toBe(200)
    const basic = `Basic ${Buffer.from('app+two:p%40ss%3Aword').toString('base64')}`
    expect((await post('grant_type=client_credentials', { authorization: basic })).status).toBe(200)
    const both = await post('grant_type=client_credentials&client_id=app+two&client_secret=p%40ss%3Aword', {
      authorization: basic,
    })
    expect(await both.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('expires access tokens: the resource then answers 401 invalid_token', async () => {
    const res = await post('grant_type=client_credentials&client_id=app+two&client_secret=p%40ss%3Aword')
    const { access_token } = (await res.json()) as { access_token: string }
    expect((await me(access_token)).status).toBe(200)
    tokens.expireAccessTokens()
    const expired = await me(access_token)
    expect(expired.status).toBe(401)
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect((await me('made-up-token')).status).toBe(401)
  })

  it('rotates refresh tokens: an old one used twice gets invalid_grant and revokes the family', async () => {
    const auth = { authorization: `Basic ${Buffer.from('s6BhdRkqt3:gX1fBat3bV').toString('base64')}` }
    const first = (await (await post('grant_type=refresh_token&refresh_token=rt-seed', auth)).json()) as Record<
      string,
      string
    >
    expect(first.refresh_token).toMatch(/^rt_/)
    expect((await me(first.access_token as string)).status).toBe(200)
    const reused = await post('grant_type=refresh_token&refresh_token=rt-seed', auth)
    expect(reused.status).toBe(400)
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' })
    expect((await post(`grant_type=refresh_token&refresh_token=${first.refresh_token}`, auth)).status).toBe(400)
    expect((await me(first.access_token as string)).status).toBe(401)
  })

  it('keeps following the newest refresh token through several rotations', async () => {
    const auth = { authorization: `Basic ${Buffer.from('s6BhdRkqt3:gX1fBat3bV').toString('base64')}` }
    let refresh = tokens.issueRefreshToken('s6BhdRkqt3', 'alice')
    for (let i = 0; i < 3; i++) {
      const res = await post(`grant_type=refresh_token&refresh_token=${refresh}`, auth)
      expect(res.status).toBe(200)
      const body = (await res.json()) as Record<string, string>
      expect(await (await me(body.access_token as string)).json()).toMatchObject({ user: 'alice' })
      refresh = body.refresh_token as string
    }
  })

  it('lets a public client refresh with client_id alone, but not use client_credentials', async () => {
    const refresh = tokens.issueRefreshToken('cli-app', 'bob')
    const res = await post(`grant_type=refresh_token&client_id=cli-app&refresh_token=${refresh}`)
    expect(res.status).toBe(200)
    expect((await post(`grant_type=refresh_token&client_id=s6BhdRkqt3&refresh_token=${refresh}`)).status).toBe(401)
    expect((await post('grant_type=client_credentials&client_id=cli-app')).status).toBe(401)
  })

  const assertion = (claims: Record<string, unknown> = {}) => ({
    iss: '3MVG9connectedapp',
    sub: 'integration@client.example',
    aud: AUDIENCE,
    exp: Math.floor(Date.now() / 1000) + 120,
    ...claims,
  })
  const bearerGrant = (token: string) =>
    post(`grant_type=${encodeURIComponent('urn:ietf:params:oauth:grant-type:jwt-bearer')}&assertion=${token}`)

  it.each(['RS256', 'PS256'] as const)(
    'RFC 7523 section 2.1: accepts a %s JWT bearer assertion (Salesforce style)',
    async (alg) => {
      const res = await bearerGrant(jwt(alg, rsa.privateKey, assertion()))
      expect(res.status).toBe(200)
      const { access_token } = (await res.json()) as { access_token: string }
      expect(await (await me(access_token)).json()).toMatchObject({ user: 'integration@client.example' })
    },
  )

  it('RFC 7523 section 2.1: accepts an ES256 assertion whose issuer key is a JWK (Google service-account style)', async () => {
    const token = jwt(
      'ES256',
      ec.privateKey,
      assertion({ iss: 'sa@project.iam', sub: 'sa@project.iam', scope: 'read' }),
    )
    expect((await bearerGrant(token)).status).toBe(200)
  })

  it.each([
    ['another key', () => jwt('ES256', stranger.privateKey, assertion({ iss: 'sa@project.iam' }))],
    ['an unknown issuer', () => jwt('RS256', rsa.privateKey, assertion({ iss: 'someone-else' }))],
    ['a wrong audience', () => jwt('RS256', rsa.privateKey, assertion({ aud: 'https://test.salesforce.com' }))],
    [
      'exp more than 3 minutes ahead',
      () => jwt('RS256', rsa.privateKey, assertion({ exp: Math.floor(Date.now() / 1000) + 600 })),
    ],
    ['an expired assertion', () => jwt('RS256', rsa.privateKey, assertion({ exp: Math.floor(Date.now() / 1000) - 1 }))],
    ['no sub', () => jwt('RS256', rsa.privateKey, assertion({ sub: undefined }))],
    ['alg none', () => jwt('none', undefined, assertion())],
    ['alg HS256', () => jwt('HS256', undefined, assertion())],
    [
      'a signature over other claims',
      () => {
        const [h, , s] = jwt('RS256', rsa.privateKey, assertion()).split('.')
        return `${h}.${Buffer.from(JSON.stringify(assertion({ sub: 'admin@client.example' }))).toString('base64url')}.${s}`
      },
    ],
  ])('RFC 7523 section 3: refuses an assertion with %s (invalid_grant)', async (_, make) => {
    const res = await bearerGrant(make())
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('RFC 7523 section 2.2: private_key_jwt client authentication, refusing a replayed jti', async () => {
    const endpoint = `${mock.url}/oauth2/token`
    const clientAssertion = jwt('ES256', ec.privateKey, {
      iss: 'signed-client',
      sub: 'signed-client',
      aud: endpoint,
      exp: Math.floor(Date.now() / 1000) + 60,
      jti: randomUUID(),
    })
    const body = `grant_type=client_credentials&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=${clientAssertion}`
    const res = await post(body)
    expect(res.status).toBe(200)
    const { access_token } = (await res.json()) as { access_token: string }
    expect(await (await me(access_token)).json()).toMatchObject({ client: 'signed-client' })
    const replay = await post(body)
    expect(replay.status).toBe(401)
    expect(await replay.json()).toMatchObject({ error: 'invalid_client' })
  })

  it('answers 400 or 401 to hostile bodies and headers, never crashing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 400 }), fc.string({ maxLength: 100 }), async (body, header) => {
        const clean = header.replace(/[^\x20-\x7e]/g, '')
        const res = await post(body, clean ? { authorization: clean } : {})
        expect([400, 401]).toContain(res.status)
      }),
      { numRuns: 150 },
    )
    const garbage = `grant_type=${encodeURIComponent('urn:ietf:params:oauth:grant-type:jwt-bearer')}&assertion=${'e30.'.repeat(3)}`
    expect((await post(garbage)).status).toBe(400)
  })
})
