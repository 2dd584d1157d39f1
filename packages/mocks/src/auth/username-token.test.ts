import { createHash, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockServer, serve } from '../serve'
import { curl, vector } from './test-helpers'
import { usernameTokenEndpoint, verifyUsernameToken } from './username-token'

const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'
const PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0'

function envelope(token: {
  username: string
  password: string
  type?: 'PasswordDigest' | 'PasswordText'
  nonce?: string
  created?: string
  expires?: string
}): string {
  const nonce =
    token.nonce === undefined
      ? ''
      : `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${token.nonce}</wsse:Nonce>`
  const created = token.created === undefined ? '' : `<wsu:Created>${token.created}</wsu:Created>`
  const timestamp =
    token.expires === undefined
      ? ''
      : `<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>${token.created}</wsu:Created><wsu:Expires>${token.expires}</wsu:Expires></wsu:Timestamp>`
  return `<?xml version="1.0"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
  <soapenv:Header>
    <wsse:Security soapenv:mustUnderstand="1" xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}">${timestamp}
      <wsse:UsernameToken wsu:Id="UsernameToken-1">
        <wsse:Username>${token.username}</wsse:Username>
        <wsse:Password Type="${PROFILE}#${token.type ?? 'PasswordDigest'}">${token.password}</wsse:Password>
        ${nonce}${created}
      </wsse:UsernameToken>
    </wsse:Security>
  </soapenv:Header>
  <soapenv:Body><GetOrders xmlns="urn:example"/></soapenv:Body>
</soapenv:Envelope>`
}

const fresh = (password = 'geheim', created = new Date().toISOString()) => {
  const nonce = randomBytes(16)
  const digest = createHash('sha1').update(nonce).update(created).update(password).digest('base64')
  return { username: 'michael', password: digest, nonce: nonce.toString('base64'), created }
}

describe('verifyUsernameToken', () => {
  it('WS-Security UsernameToken Profile: accepts the node-soap PasswordDigest vector (nonce decoded, Created as sent)', () => {
    const v = vector('wsse-usernametoken-passworddigest-node-soap')
    const i = v.inputs as Record<string, string>
    const xml = envelope({
      username: 'bob',
      password: v.expected.password_digest as string,
      nonce: i.nonce_base64,
      created: i.created,
    })
    const at = () => Date.parse(i.created as string) + 1000
    expect(verifyUsernameToken(xml, { bob: i.password as string }, { now: at, seenNonces: new Map() })).toEqual({
      ok: true,
      username: 'bob',
    })
    expect(verifyUsernameToken(xml, { bob: 'other' }, { now: at, seenNonces: new Map() })).toMatchObject({ ok: false })
  })

  it('WS-Security UsernameToken Profile: accepts the python-zeep vector with a +00:00 Created', () => {
    const v = vector('wsse-usernametoken-passworddigest-zeep')
    const i = v.inputs as Record<string, string>
    const xml = envelope({
      username: i.username as string,
      password: v.expected.password_digest as string,
      nonce: i.nonce_base64,
      created: i.created,
    })
    const result = verifyUsernameToken(
      xml,
      { michael: 'geheim' },
      { now: () => Date.parse(i.created as string), seenNonces: new Map() },
    )
    expect(result).toEqual({ ok: true, username: 'michael' })
  })

  it('refuses the digest computed over the base64 text of the nonce (the common mistake)', () => {
    const i = vector('wsse-usernametoken-passworddigest-node-soap').inputs as Record<string, string>
    const xml = envelope({
      username: 'bob',
      password: 'on8N7PPmoWgtJ9AsDspeV5BngjU=',
      nonce: i.nonce_base64,
      created: i.created,
    })
    expect(
      verifyUsernameToken(
        xml,
        { bob: i.password as string },
        { now: () => Date.parse(i.created as string), seenNonces: new Map() },
      ),
    ).toMatchObject({ ok: false })
  })

  it('refuses a replayed nonce, a stale Created and one in the future', () => {
    const seenNonces = new Map<string, number>()
    const token = fresh()
    expect(verifyUsernameToken(envelope(token), { michael: 'geheim' }, { seenNonces })).toMatchObject({ ok: true })
    expect(verifyUsernameToken(envelope(token), { michael: 'geheim' }, { seenNonces })).toEqual({
      ok: false,
      reason: 'nonce already used (replay)',
    })
    const old = fresh('geheim', new Date(Date.now() - 301_000).toISOString())
    expect(verifyUsernameToken(envelope(old), { michael: 'geheim' }, { seenNonces })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/older/),
    })
    const ahead = fresh('geheim', new Date(Date.now() + 120_000).toISOString())
    expect(verifyUsernameToken(envelope(ahead), { michael: 'geheim' }, { seenNonces })).toMatchObject({
      ok: false,
      reason: 'Created is in the future',
    })
  })

  it('accepts PasswordText and refuses a wrong one or an unknown user', () => {
    const text = (username: string, password: string) => envelope({ username, password, type: 'PasswordText' })
    expect(verifyUsernameToken(text('michael', 'geheim'), { michael: 'geheim' })).toEqual({
      ok: true,
      username: 'michael',
    })
    expect(verifyUsernameToken(text('michael', 'Geheim'), { michael: 'geheim' })).toMatchObject({ ok: false })
    expect(verifyUsernameToken(text('eve', 'geheim'), { michael: 'geheim' })).toMatchObject({ ok: false })
    expect(verifyUsernameToken(text('michael', 'a&amp;b'), { michael: 'a&b' })).toMatchObject({ ok: true })
  })

  it('refuses an expired wsu:Timestamp, a DOCTYPE, a foreign namespace and a missing nonce for digests', () => {
    const token = fresh()
    const expired = envelope({ ...token, expires: new Date(Date.now() - 1000).toISOString() })
    expect(verifyUsernameToken(expired, { michael: 'geheim' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/expired/),
    })
    const doctype = `<!DOCTYPE x [<!ENTITY a "b">]>${envelope(fresh())}`
    expect(verifyUsernameToken(doctype, { michael: 'geheim' })).toMatchObject({ ok: false })
    expect(verifyUsernameToken(envelope(fresh()).replace(WSSE, 'urn:other'), { michael: 'geheim' })).toMatchObject({
      ok: false,
    })
    const { nonce: _, ...noNonce } = fresh()
    expect(verifyUsernameToken(envelope(noNonce), { michael: 'geheim' })).toMatchObject({ ok: false })
  })

  it('never throws on hostile or truncated XML', () => {
    const valid = envelope(fresh())
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 500 }),
          fc.nat(valid.length).map((n) => valid.slice(0, n)),
          fc
            .tuple(fc.nat(valid.length), fc.string({ maxLength: 20 }))
            .map(([n, s]) => valid.slice(0, n) + s + valid.slice(n + 1)),
        ),
        (xml) => {
          const result = verifyUsernameToken(xml, { michael: 'geheim' }, { seenNonces: new Map() })
          expect(typeof result.ok).toBe('boolean')
        },
      ),
      { numRuns: 500 },
    )
    const started = performance.now()
    expect(verifyUsernameToken(`<${'a'.repeat(1_000_000)}`, {}).ok).toBe(false)
    expect(verifyUsernameToken('<a:Envelope>'.repeat(80_000), {}).ok).toBe(false)
    expect(performance.now() - started).toBeLessThan(2000)
  })
})

describe('usernameTokenEndpoint', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve(usernameTokenEndpoint({ path: '/soap/secure', users: { michael: 'geheim' } }))
  })
  afterAll(() => mock.close())
  const post = (body: string) =>
    fetch(`${mock.url}/soap/secure`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/xml', soapaction: '"urn:GetOrders"' },
    })

  it('answers a SOAP 1.1 response to a valid token and a wsse:FailedAuthentication fault to a replay', async () => {
    const xml = envelope(fresh())
    const ok = await post(xml)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('<user>michael</user>')
    const replay = await post(xml)
    expect(replay.status).toBe(500)
    expect(await replay.text()).toMatch(/<faultcode>wsse:FailedAuthentication<\/faultcode>.*replay/)
  })

  it('answers a soap:Client fault with 400 to a body that is not an envelope', async () => {
    const res = await post('{"not":"xml"}')
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('soap:Client')
  })

  it('interoperates with curl posting a PasswordText envelope', async () => {
    const body = envelope({ username: 'michael', password: 'geheim', type: 'PasswordText' })
    const res = await curl(['-H', 'content-type: text/xml', '--data-binary', body, `${mock.url}/soap/secure`])
    expect(res.status).toBe(200)
  })
})
