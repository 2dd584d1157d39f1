import { createVerify, generateKeyPairSync } from 'node:crypto'
import { isFieldkitError } from '@fieldkit/core'
import { describe, expect, it } from 'vitest'
import { oauth1, oauthBaseString, oauthBaseUri, oauthEncode, oauthNormalizedParameters, oauthSignature } from './oauth1'
import { vector } from './vectors.test-helper'

type Inputs = Record<string, string>

function protocolParams(i: Inputs): Array<[string, string]> {
  const p: Array<[string, string]> = [
    ['oauth_consumer_key', i.consumer_key as string],
    ['oauth_signature_method', i.oauth_signature_method as string],
    ['oauth_timestamp', i.oauth_timestamp as string],
    ['oauth_nonce', i.oauth_nonce as string],
  ]
  if (i.token !== undefined) p.push(['oauth_token', i.token])
  if (i.oauth_callback !== undefined) p.push(['oauth_callback', i.oauth_callback])
  if (i.oauth_verifier !== undefined) p.push(['oauth_verifier', i.oauth_verifier])
  if (i.realm !== undefined) p.push(['realm', i.realm])
  return p
}

describe('oauth1 vectors', () => {
  for (const name of [
    'oauth1-rfc5849-1.2-temporary-credentials',
    'oauth1-rfc5849-1.2-token-credentials',
    'oauth1-rfc5849-1.2-protected-resource',
    'oauth1-hmac-sha256-DERIVED-from-rfc5849-1.2',
  ]) {
    it(`RFC 5849 section 1.2: ${name}`, () => {
      const v = vector(name)
      const i = v.inputs as Inputs
      const base = oauthBaseString(i.method as string, new URL(i.url as string), protocolParams(i))
      const expectedBase = (v.expected.base_string ?? v.derived?.base_string) as string
      expect(base).toBe(expectedBase)
      const signature = oauthSignature(
        i.oauth_signature_method as 'HMAC-SHA1',
        base,
        i.consumer_secret as string,
        i.token_secret ?? '',
      )
      expect(signature).toBe(v.expected.oauth_signature)
      if (v.expected.header_value !== undefined) expect(oauthEncode(signature)).toBe(v.expected.header_value)
    })
  }

  it('RFC 5849 section 3.4.1.1 and 3.4.1.3.2: base string with query, form body, duplicates and encoded names', () => {
    const v = vector('oauth1-rfc5849-3.4.1.1-base-string')
    const url = new URL('http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b')
    const params: Array<[string, string]> = [
      ['realm', 'Example'],
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ['oauth_signature', 'bYT5CMsGcbgUdFHObYMEfcx6bsw='],
    ]
    expect(oauthNormalizedParameters(url, params, 'c2&a3=2+q')).toBe(v.expected.normalized_parameters)
    expect(oauthBaseString('POST', url, params, 'c2&a3=2+q')).toBe(v.expected.base_string)
  })

  it('RFC 5849 section 3.4.1.2: base string URI, host lower-cased and default port dropped', () => {
    const v = vector('oauth1-rfc5849-3.4.1.2-base-string-uri')
    expect(oauthBaseUri(new URL('http://EXAMPLE.COM:80/r%20v/X?id=123'))).toBe(v.expected.base_uri_1)
    expect(oauthBaseUri(new URL('https://www.example.net:8080/?q=1'))).toBe(v.expected.base_uri_2)
  })

  it('OAuth Core 1.0 section 9.4.1: PLAINTEXT', () => {
    const v = vector('oauth1-core-1.0-9.4.1-plaintext')
    const secrets = (v.inputs as { token_secrets: string[] }).token_secrets
    secrets.forEach((ts, k) => {
      const sig = oauthSignature('PLAINTEXT', 'ignored', v.inputs.consumer_secret as string, ts)
      expect(oauthEncode(sig)).toBe((v.expected.header_values as string[])[k])
    })
  })
})

describe('oauth1 strategy', () => {
  it('signs a form post over its body parameters, with realm outside the signature, fresh on each attempt', async () => {
    const auth = oauth1({
      consumerKey: 'ck',
      consumerSecret: 'cs',
      token: 'tk',
      tokenSecret: 'ts',
      signatureMethod: 'HMAC-SHA256',
      realm: '1234567_SB1',
    })
    const request = {
      method: 'POST',
      url: new URL('https://Api.Example.com:443/rest?x=1&x=0'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' } as Record<string, string>,
      body: 'b=2&a=1',
    }
    await auth.apply(request)
    const first = request.headers.authorization as string
    expect(first).toMatch(
      /^OAuth realm="1234567_SB1", oauth_consumer_key="ck", oauth_token="tk", oauth_signature_method="HMAC-SHA256", oauth_version="1.0", oauth_timestamp="\d+", oauth_nonce="[0-9a-f]{32}", oauth_signature="/,
    )
    const get = (name: string) => decodeURIComponent(new RegExp(`${name}="([^"]*)"`).exec(first)?.[1] ?? '')
    const params: Array<[string, string]> = [
      'oauth_consumer_key',
      'oauth_token',
      'oauth_signature_method',
      'oauth_version',
      'oauth_timestamp',
      'oauth_nonce',
    ].map((n) => [n, get(n)])
    const base = oauthBaseString('POST', new URL('https://api.example.com/rest?x=1&x=0'), params, 'b=2&a=1')
    expect(base).toContain('a%3D1%26b%3D2')
    expect(base).toContain('x%3D0%26x%3D1')
    expect(get('oauth_signature')).toBe(oauthSignature('HMAC-SHA256', base, 'cs', 'ts'))
    await auth.apply(request)
    expect(request.headers.authorization).not.toBe(first)
  })

  it('signs with RSA-SHA1', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const auth = oauth1({ consumerKey: 'ck', signatureMethod: 'RSA-SHA1', privateKey, version: false })
    const request = { method: 'GET', url: new URL('http://h.example/p?q=1'), headers: {} as Record<string, string> }
    await auth.apply(request)
    const h = request.headers.authorization as string
    const get = (name: string) => decodeURIComponent(new RegExp(`${name}="([^"]*)"`).exec(h)?.[1] ?? '')
    const params: Array<[string, string]> = [
      'oauth_consumer_key',
      'oauth_signature_method',
      'oauth_timestamp',
      'oauth_nonce',
    ].map((n) => [n, get(n)])
    const base = oauthBaseString('GET', request.url, params)
    expect(createVerify('RSA-SHA1').update(base).verify(publicKey, get('oauth_signature'), 'base64')).toBe(true)
  })

  it('names an unsupported signature method and the supported ones', () => {
    let error: unknown
    try {
      oauth1({ consumerKey: 'a', consumerSecret: 'b', signatureMethod: 'HMAC-MD5' as never })
    } catch (e) {
      error = e
    }
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_UNSUPPORTED_ALGORITHM')
    expect((error as Error).message).toContain('HMAC-MD5')
    expect((error as Error).message).toContain('HMAC-SHA256')
  })
})
