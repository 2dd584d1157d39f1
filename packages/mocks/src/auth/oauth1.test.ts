import { createHmac, generateKeyPairSync, sign } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockServer, serve } from '../serve'
import { collectOAuth1Parameters, oauth1Provider, oauthEncode, signatureBaseString } from './oauth1'
import { vector } from './test-helpers'

const e = oauthEncode

describe('OAuth 1.0a base strings match RFC 5849', () => {
  it('RFC 5849 sections 3.4.1.1 and 3.4.1.3.2: query and body merged, repeated names, encode then sort', async () => {
    const v = vector('oauth1-rfc5849-3.4.1.1-base-string')
    const request = new Request('http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"',
      },
      body: 'c2&a3=2+q',
    })
    const params = await collectOAuth1Parameters(request)
    expect(params.realm).toBe('Example')
    const all = [...params.header, ...params.query, ...params.body]
    expect(signatureBaseString('POST', request.url, all)).toBe(v.expected.base_string)
  })

  it('RFC 5849 section 3.4.1.2: base string URI lower-cases scheme and host and drops the default port', () => {
    expect(signatureBaseString('GET', 'HTTP://EXAMPLE.COM:80/r%20v/X?id=123', [])).toBe(
      `GET&${e('http://example.com/r%20v/X')}&`,
    )
    expect(signatureBaseString('GET', 'https://www.example.net:8080/?q=1', [])).toBe(
      `GET&${e('https://www.example.net:8080/')}&`,
    )
  })

  it.each([
    ['oauth1-rfc5849-1.2-temporary-credentials', [['oauth_callback', 'http://printer.example.com/ready']]],
    [
      'oauth1-rfc5849-1.2-token-credentials',
      [
        ['oauth_token', 'hh5s93j4hdidpola'],
        ['oauth_verifier', 'hfdp7dh39dks9884'],
      ],
    ],
  ])('RFC 5849 section 1.2: %s', (name, extra) => {
    const v = vector(name)
    const i = v.inputs as Record<string, string>
    const params: [string, string][] = [
      ['oauth_consumer_key', i.consumer_key as string],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', i.oauth_timestamp as string],
      ['oauth_nonce', i.oauth_nonce as string],
      ...(extra as [string, string][]),
    ]
    const base = signatureBaseString(i.method as string, i.url as string, params)
    expect(base).toBe(v.derived?.base_string)
    const key = `${e(i.consumer_secret as string)}&${e(i.token_secret as string)}`
    expect(createHmac('sha1', key).update(base).digest('base64')).toBe(v.expected.oauth_signature)
  })
})

/** Sends a request with a chosen Host header over a real socket (the RFC examples sign photos.example.net). */
function send(
  mock: MockServer,
  input: { path: string; host?: string; method?: string; authorization?: string; body?: string; contentType?: string },
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: input.host ?? `127.0.0.1:${mock.port}` }
    if (input.authorization) headers.authorization = input.authorization
    if (input.contentType) headers['content-type'] = input.contentType
    const req = httpRequest(
      { host: '127.0.0.1', port: mock.port, path: input.path, method: input.method ?? 'GET', headers },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') }))
      },
    )
    req.on('error', reject)
    req.end(input.body)
  })
}

const RFC_HEADER =
  'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"'

describe('oauth1 provider', () => {
  let rfc: MockServer
  let live: MockServer
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
  beforeAll(async () => {
    const common = {
      consumers: { dpf43f3p2l4k3l03: 'kd94hf93k423kf44', djr9rjt0jd78jf88: 'djr9rjt0jd78jf88' },
      tokens: { nnch734d00sl2jdk: 'pfkkdhi9sl3r4s00', jjd99$tj88uiths3: 'jjd99$tj88uiths3' },
    }
    rfc = await serve(oauth1Provider({ ...common, path: '/photos', realm: 'Photos', now: () => 137131202_000 }))
    live = await serve([
      ...oauth1Provider({
        ...common,
        path: '/photos',
        rsaPublicKeys: { dpf43f3p2l4k3l03: rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string },
      }),
      ...oauth1Provider({ ...common, path: '/two-legged', allowMissingToken: true }),
    ])
  })
  afterAll(async () => {
    await rfc.close()
    await live.close()
  })

  it('RFC 5849 section 1.2: accepts the published protected-resource request, then refuses its replay (section 3.3)', async () => {
    const request = {
      path: '/photos?file=vacation.jpg&size=original',
      host: 'photos.example.net',
      authorization: RFC_HEADER,
    }
    const first = await send(rfc, request)
    expect(first).toEqual({
      status: 200,
      body: expect.objectContaining({ ok: true, user: 'nnch734d00sl2jdk', consumer: 'dpf43f3p2l4k3l03' }),
    })
    const replay = await send(rfc, request)
    expect(replay.status).toBe(401)
    expect(replay.body.oauth_problem).toBe('nonce_used')
  })

  it('RFC 5849 section 1.2: refuses the same request with a changed query, host or signature', async () => {
    const fresh = (h: string) => h.replace('chapoH', 'chapoX')
    const base = { host: 'photos.example.net', authorization: fresh(RFC_HEADER) }
    expect((await send(rfc, { ...base, path: '/photos?file=vacation.jpg&size=small' })).body.oauth_problem).toBe(
      'signature_invalid',
    )
    expect(
      (await send(rfc, { ...base, path: '/photos?file=vacation.jpg&size=original', host: 'photos.example.com' }))
        .status,
    ).toBe(401)
    const wrongSig = RFC_HEADER.replace('MdpQcU8', 'MdpQcU9').replace('chapoH', 'chapoY')
    expect(
      (await send(rfc, { ...base, authorization: wrongSig, path: '/photos?file=vacation.jpg&size=original' })).status,
    ).toBe(401)
  })

  it('refuses a timestamp outside the window', async () => {
    const res = await send(live, {
      path: '/photos?file=vacation.jpg&size=original',
      host: 'photos.example.net',
      authorization: RFC_HEADER,
    })
    expect(res.status).toBe(401)
    expect(res.body.oauth_problem).toBe('timestamp_refused')
  })

  /** A test-side signer: the parameters go where `place` says. */
  function signed(
    mock: MockServer,
    method: 'HMAC-SHA1' | 'HMAC-SHA256' | 'RSA-SHA1' | 'PLAINTEXT',
    opts: {
      path: string
      place?: 'header' | 'query' | 'body'
      token?: string | null
      secret?: string
      key?: typeof rsa.privateKey
      body?: [string, string][]
    },
  ) {
    const token = opts.token === undefined ? 'nnch734d00sl2jdk' : opts.token
    const oauth: [string, string][] = [
      ['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
      ['oauth_signature_method', method],
      ['oauth_timestamp', String(Math.floor(Date.now() / 1000))],
      ['oauth_nonce', Math.random().toString(36).slice(2)],
      ['oauth_version', '1.0'],
    ]
    if (token !== null) oauth.push(['oauth_token', token])
    const url = new URL(`${mock.url}${opts.path}`)
    const query = [...url.searchParams] as [string, string][]
    const bodyParams = opts.body ?? []
    const all = [...oauth, ...query, ...bodyParams]
    const enc = (pairs: [string, string][]) =>
      pairs
        .map(([k, v]) => [e(k), e(v)] as const)
        .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
        .map(([k, v]) => `${k}=${v}`)
        .join('&')
    const httpMethod = opts.place === 'body' || bodyParams.length > 0 ? 'POST' : 'GET'
    const base = `${httpMethod}&${e(`${url.origin}${url.pathname}`)}&${e(enc(all))}`
    const key = `${e('kd94hf93k423kf44')}&${e(opts.secret ?? (token === null ? '' : 'pfkkdhi9sl3r4s00'))}`
    const signature =
      method === 'PLAINTEXT'
        ? key
        : method === 'RSA-SHA1'
          ? sign('sha1', Buffer.from(base), opts.key ?? rsa.privateKey).toString('base64')
          : createHmac(method === 'HMAC-SHA1' ? 'sha1' : 'sha256', key)
              .update(base)
              .digest('base64')
    const withSig: [string, string][] = [...oauth, ['oauth_signature', signature]]
    const place = opts.place ?? 'header'
    const header =
      place === 'header' ? `OAuth realm="x", ${withSig.map(([k, v]) => `${k}="${e(v)}"`).join(', ')}` : undefined
    const path = place === 'query' ? `${opts.path}${opts.path.includes('?') ? '&' : '?'}${enc(withSig)}` : opts.path
    const formBody = [...bodyParams, ...(place === 'body' ? withSig : [])]
    return send(mock, {
      path,
      method: httpMethod,
      authorization: header,
      body: formBody.length > 0 ? enc(formBody) : undefined,
      contentType: formBody.length > 0 ? 'application/x-www-form-urlencoded' : undefined,
    })
  }

  it.each(['HMAC-SHA1', 'HMAC-SHA256', 'RSA-SHA1', 'PLAINTEXT'] as const)(
    'verifies %s and refuses a wrong secret or key',
    async (method) => {
      expect((await signed(live, method, { path: '/photos?a=1&b=x%20y' })).status).toBe(200)
      const wrong = method === 'RSA-SHA1' ? { key: other.privateKey } : { secret: 'wrong-secret' }
      const res = await signed(live, method, { path: '/photos?a=1', ...wrong })
      expect(res.status).toBe(401)
    },
  )

  it('OAuth Core 1.0 section 9.4.1: PLAINTEXT signatures with and without a token secret', async () => {
    const v = vector('oauth1-core-1.0-9.4.1-plaintext')
    const values = v.expected.header_values as string[]
    const plaintext = (token: string, signature: string) =>
      send(live, {
        path: token === '' ? '/two-legged' : '/photos',
        authorization: `OAuth oauth_consumer_key="djr9rjt0jd78jf88", ${token === '' ? '' : `oauth_token="${e(token)}", `}oauth_signature_method="PLAINTEXT", oauth_signature="${signature}"`,
      })
    expect((await plaintext('jjd99$tj88uiths3', values[1] as string)).status).toBe(200)
    expect((await plaintext('', values[2] as string)).status).toBe(200)
    expect((await plaintext('jjd99$tj88uiths3', values[0] as string)).status).toBe(401)
  })

  it('reads the parameters from the query and from a form body, with body parameters signed', async () => {
    expect((await signed(live, 'HMAC-SHA1', { path: '/photos?x=1', place: 'query' })).status).toBe(200)
    expect(
      (await signed(live, 'HMAC-SHA1', { path: '/photos', place: 'body', body: [['status', 'hello world']] })).status,
    ).toBe(200)
    expect(
      (
        await signed(live, 'HMAC-SHA256', {
          path: '/photos',
          body: [
            ['a3', '2 q'],
            ['a3', 'a'],
          ],
        })
      ).status,
    ).toBe(200)
  })

  it('refuses a request without a token unless two-legged requests are allowed', async () => {
    expect((await signed(live, 'HMAC-SHA1', { path: '/photos', token: null })).body.oauth_problem).toBe(
      'token_rejected',
    )
    expect((await signed(live, 'HMAC-SHA1', { path: '/two-legged', token: null })).status).toBe(200)
    expect((await signed(live, 'HMAC-SHA1', { path: '/photos', token: 'unknown' })).status).toBe(401)
  })

  it('answers 400 to duplicated protocol parameters and unsupported methods', async () => {
    const dup = `${RFC_HEADER.replace('chapoH', 'a1')}`
    expect((await send(live, { path: '/photos?oauth_nonce=zz', authorization: dup })).status).toBe(400)
    expect((await send(live, { path: '/photos', authorization: RFC_HEADER.replace('HMAC-SHA1', 'MD5') })).status).toBe(
      400,
    )
  })

  it('answers 400 or 401 to hostile headers, queries and bodies, never crashing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 100 }),
        fc.string({ maxLength: 300 }),
        async (header, query, body) => {
          const clean = (s: string) => s.replace(/[^\x20-\x7e]/g, '')
          const res = await send(live, {
            path: `/photos?${encodeURI(query).replace(/#/g, '%23')}`,
            method: 'POST',
            authorization: `OAuth ${clean(header)}`,
            body,
            contentType: 'application/x-www-form-urlencoded',
          })
          expect([400, 401]).toContain(res.status)
        },
      ),
      { numRuns: 150 },
    )
  })
})
