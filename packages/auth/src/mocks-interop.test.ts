// The client side against the @fieldkit/mocks auth servers, written apart from this package on purpose: each
// strategy is accepted with the right secret and refused (FK_AUTH_REJECTED) with a wrong one.
import { isFieldkitError } from '@fieldkit/core'
import {
  basicAuth,
  digestAuth,
  type MockServer,
  ntlmAuth,
  oauth1Provider,
  serve,
  sigv4Endpoint,
  verifyUsernameToken,
} from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basic } from './basic'
import { authContractSuite } from './contract-suite.test-helper'
import { digest } from './digest'
import { ntlm } from './ntlm/ntlm'
import { oauth1 } from './oauth1'
import { awsSigV4 } from './sigv4'
import { withAuth } from './with-auth'
import { wsSecurityUsernameToken } from './ws-security'

const consumers = { 'ck-mock': 'consumer-secret-mock' }
const tokens = { 'tok-mock': 'token-secret-mock' }

describe('against the @fieldkit/mocks auth servers', () => {
  let server: MockServer
  beforeAll(async () => {
    server = await serve([
      ...basicAuth({ path: '/basic', users: { Aladdin: 'open sesame' }, realm: 'WallyWorld' }),
      ...digestAuth({
        path: '/digest',
        users: { Mufasa: 'Circle of Life' },
        realm: 'http-auth@example.org',
        algorithm: ['SHA-256', 'MD5'],
      }),
      ...digestAuth({
        path: '/digest-512',
        users: { 'Jäsøn Doe': 'Secret, or not?' },
        realm: 'api@example.org',
        algorithm: 'SHA-512-256',
        userhash: true,
      }),
      ...digestAuth({
        path: '/digest-int',
        users: { Mufasa: 'Circle of Life' },
        realm: 'r',
        algorithm: 'MD5-sess',
        qop: 'auth-int',
      }),
      ...digestAuth({ path: '/digest-stale', users: { Mufasa: 'Circle of Life' }, realm: 'r', staleAfterUses: 2 }),
      ...ntlmAuth({
        path: '/ntlm',
        users: [{ username: 'svc', domain: 'CONTOSO', password: 'Passw0rd!' }],
        requireMic: true,
      }),
      ...ntlmAuth({
        path: '/negotiate',
        users: [{ username: 'svc', domain: 'CONTOSO', password: 'Passw0rd!' }],
        negotiateOnly: true,
      }),
      ...oauth1Provider({ path: '/oauth', consumers, tokens, realm: '1234567' }),
      ...sigv4Endpoint({
        path: '/aws',
        credentials: { AKIDMOCK: { secretAccessKey: 'aws-secret-mock', sessionToken: 'session-mock' } },
        region: 'eu-west-1',
        service: 'execute-api',
      }),
    ])
  })
  afterAll(() => server.close())

  const accepted = async (
    send: ReturnType<typeof withAuth>,
    path: string,
    init?: Parameters<ReturnType<typeof withAuth>>[1],
  ) => {
    const res = await send(`${server.url}${path}`, init)
    await res.body.dump()
    return res.statusCode
  }
  const refused = async (send: ReturnType<typeof withAuth>, path: string) => {
    const error = await send(`${server.url}${path}`).catch((e: unknown) => e)
    return isFieldkitError(error) ? error.code : String(error)
  }

  it('Basic: accepted, and refused with a wrong password', async () => {
    expect(await accepted(withAuth(basic({ username: 'Aladdin', password: 'open sesame' })), '/basic')).toBe(200)
    expect(await refused(withAuth(basic({ username: 'Aladdin', password: 'open sesam' })), '/basic')).toBe(
      'FK_AUTH_REJECTED',
    )
  })

  it('Digest SHA-256 (chosen over MD5), SHA-512-256 with userhash, MD5-sess with auth-int, stale nonces', async () => {
    const send = withAuth(digest({ username: 'Mufasa', password: 'Circle of Life' }))
    expect(await accepted(send, '/digest?x=1&y=%20')).toBe(200)
    expect(await accepted(send, '/digest')).toBe(200)
    expect(
      await accepted(withAuth(digest({ username: 'Jäsøn Doe', password: 'Secret, or not?' })), '/digest-512'),
    ).toBe(200)
    expect(
      await accepted(withAuth(digest({ username: 'Mufasa', password: 'Circle of Life' })), '/digest-int', {
        method: 'POST',
        body: 'a=1',
      }),
    ).toBe(200)
    const stale = withAuth(digest({ username: 'Mufasa', password: 'Circle of Life' }))
    for (let i = 0; i < 5; i++) expect(await accepted(stale, '/digest-stale')).toBe(200)
    expect(await refused(withAuth(digest({ username: 'Mufasa', password: 'Circle of Death' })), '/digest')).toBe(
      'FK_AUTH_REJECTED',
    )
  })

  it('NTLM with a MIC and Negotiate-wrapped NTLM: accepted, and refused with a wrong password', async () => {
    for (const [username, path] of [
      ['CONTOSO\\svc', '/ntlm'],
      ['svc@CONTOSO', '/ntlm'],
      ['CONTOSO\\svc', '/negotiate'],
    ] as const) {
      const auth = ntlm({ username, password: 'Passw0rd!' })
      expect(await accepted(withAuth(auth), path)).toBe(200)
      await auth.close()
    }
    const wrong = ntlm({ username: 'CONTOSO\\svc', password: 'Passw0rd?' })
    expect(await refused(withAuth(wrong), '/ntlm')).toBe('FK_AUTH_REJECTED')
    await wrong.close()
  })

  it('SigV4 with a session token: accepted, and refused with a wrong secret', async () => {
    const aws = {
      accessKeyId: 'AKIDMOCK',
      secretAccessKey: 'aws-secret-mock',
      sessionToken: 'session-mock',
      region: 'eu-west-1',
      service: 'execute-api',
    }
    expect(await accepted(withAuth(awsSigV4(aws)), '/aws?b=2&a=1&c=%20x')).toBe(200)
    expect(
      await accepted(withAuth(awsSigV4(aws)), '/aws', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      }),
    ).toBe(200)
    expect(await refused(withAuth(awsSigV4({ ...aws, secretAccessKey: 'nope' })), '/aws')).toBe('FK_AUTH_REJECTED')
  })

  it('WS-Security UsernameToken: PasswordDigest and PasswordText verified, a wrong password and a replay refused', () => {
    const envelope = (header: string) =>
      `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>${header}</soap:Header><soap:Body><Ping xmlns="urn:t"/></soap:Body></soap:Envelope>`
    const users = { svc: 'ws-Secret&<1>' }
    const seenNonces = new Map<string, number>()
    const digestToken = wsSecurityUsernameToken({ username: 'svc', password: 'ws-Secret&<1>', digest: true })
    const first = envelope(digestToken.securityHeader())
    expect(verifyUsernameToken(first, users, { seenNonces })).toEqual({ ok: true, username: 'svc' })
    expect(verifyUsernameToken(envelope(digestToken.securityHeader()), users, { seenNonces }).ok).toBe(true)
    expect(verifyUsernameToken(first, users, { seenNonces }).ok).toBe(false)
    const text = wsSecurityUsernameToken({ username: 'svc', password: 'ws-Secret&<1>', digest: false })
    expect(verifyUsernameToken(envelope(text.securityHeader()), users, { seenNonces }).ok).toBe(true)
    const wrong = wsSecurityUsernameToken({ username: 'svc', password: 'ws-Secret&<2>' })
    expect(verifyUsernameToken(envelope(wrong.securityHeader()), users, { seenNonces }).ok).toBe(false)
  })

  it('OAuth 1.0a HMAC-SHA1 and HMAC-SHA256 with realm, form body signed: accepted, and refused with a wrong secret', async () => {
    const creds = {
      consumerKey: 'ck-mock',
      consumerSecret: 'consumer-secret-mock',
      token: 'tok-mock',
      tokenSecret: 'token-secret-mock',
    }
    expect(await accepted(withAuth(oauth1(creds)), '/oauth?b=2&a=1&a=0')).toBe(200)
    const sha256 = withAuth(oauth1({ ...creds, signatureMethod: 'HMAC-SHA256', realm: '1234567' }))
    expect(
      await accepted(sha256, '/oauth?q=x', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'c2&a3=2+q',
      }),
    ).toBe(200)
    expect(await refused(withAuth(oauth1({ ...creds, tokenSecret: 'nope' })), '/oauth')).toBe('FK_AUTH_REJECTED')
  })
})

authContractSuite('digest against @fieldkit/mocks digestAuth', async ({ logger }) => ({
  strategy: digest({ username: 'Mufasa', password: 'Circle of Life', logger }),
  server: await serve(
    digestAuth({ path: '/d', users: { Mufasa: 'Circle of Life' }, realm: 'r', algorithm: 'SHA-256' }),
  ),
  path: '/d',
  secrets: ['Circle of Life'],
  wrong: digest({ username: 'Mufasa', password: 'Circle of Death' }),
}))

authContractSuite('ntlm against @fieldkit/mocks ntlmAuth', async ({ logger }) => ({
  strategy: ntlm({ username: 'CONTOSO\\svc', password: 'Passw0rd!', logger }),
  server: await serve(
    ntlmAuth({ path: '/n', users: [{ username: 'svc', domain: 'CONTOSO', password: 'Passw0rd!' }], requireMic: true }),
  ),
  path: '/n',
  secrets: ['Passw0rd!'],
  wrong: ntlm({ username: 'CONTOSO\\svc', password: 'Passw0rd?' }),
}))

authContractSuite('awsSigV4 against @fieldkit/mocks sigv4Endpoint', async () => ({
  strategy: awsSigV4({
    accessKeyId: 'AKIDMOCK',
    secretAccessKey: 'aws-secret-mock',
    region: 'us-east-1',
    service: 's3',
  }),
  server: await serve(
    sigv4Endpoint({ path: '/s3', credentials: { AKIDMOCK: 'aws-secret-mock' }, region: 'us-east-1', service: 's3' }),
  ),
  path: '/s3',
  secrets: ['aws-secret-mock'],
  wrong: awsSigV4({ accessKeyId: 'AKIDMOCK', secretAccessKey: 'wrong-secret', region: 'us-east-1', service: 's3' }),
}))

authContractSuite('basic against @fieldkit/mocks basicAuth', async () => ({
  strategy: basic({ username: 'Aladdin', password: 'open sesame' }),
  server: await serve(basicAuth({ path: '/b', users: { Aladdin: 'open sesame' }, realm: 'WallyWorld' })),
  path: '/b',
  secrets: ['open sesame'],
  wrong: basic({ username: 'Aladdin', password: 'open sesam' }),
}))

authContractSuite('oauth1 against @fieldkit/mocks oauth1Provider', async () => ({
  strategy: oauth1({
    consumerKey: 'ck-mock',
    consumerSecret: 'consumer-secret-mock',
    token: 'tok-mock',
    tokenSecret: 'token-secret-mock',
  }),
  server: await serve(oauth1Provider({ path: '/o', consumers, tokens })),
  path: '/o',
  secrets: ['consumer-secret-mock', 'token-secret-mock'],
  wrong: oauth1({
    consumerKey: 'ck-mock',
    consumerSecret: 'consumer-secret-mock',
    token: 'tok-mock',
    tokenSecret: 'wrong',
  }),
}))
