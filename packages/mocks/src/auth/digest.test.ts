import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockServer, serve } from '../serve'
import { type DigestAlgorithm, digestAuth, digestResponse } from './digest'
import { parseAuthorization } from './params'
import { curl, vector } from './test-helpers'

type Inputs = Record<string, string>
type DigestInput = Parameters<typeof digestResponse>[0]

describe('digest computations match the published examples', () => {
  it('RFC 2617 section 3.5: MD5, qop=auth', () => {
    const v = vector('digest-rfc2617-3.5-md5-auth')
    const i = v.inputs as Inputs
    expect(digestResponse({ ...(i as unknown as DigestInput), algorithm: 'MD5', qop: 'auth' })).toBe(
      v.expected.response,
    )
  })

  it.each([
    ['digest-rfc7616-3.9.1-md5', 'MD5'],
    ['digest-rfc7616-3.9.1-sha256', 'SHA-256'],
  ] as const)('RFC 7616 section 3.9.1: %s', (name, algorithm) => {
    const v = vector(name)
    const i = v.inputs as Inputs
    expect(digestResponse({ ...(i as unknown as DigestInput), algorithm, qop: 'auth' })).toBe(v.expected.response)
  })

  it('RFC 7616 section 3.9.2: SHA-512-256 with userhash, the true FIPS 180-4 values (the printed ones are SHA-512 cut short)', () => {
    const v = vector('digest-rfc7616-3.9.2-sha512-256-userhash-AS-PRINTED')
    const i = v.inputs as Inputs
    const fips = v.fips_sha512_256_values as Record<string, string>
    const userHash = createHash('sha512-256').update(`${i.username}:${i.realm}`).digest('hex')
    expect(userHash).toBe(fips.username_hash)
    expect(digestResponse({ ...(i as unknown as DigestInput), algorithm: 'SHA-512-256', qop: 'auth' })).toBe(
      fips.response,
    )
    expect(digestResponse({ ...(i as unknown as DigestInput), algorithm: 'SHA-512-256', qop: 'auth' })).not.toBe(
      v.expected.response,
    )
  })
})

/** A minimal Digest client written in the test, to drive the server through cases curl cannot produce. */
function answer(
  challenge: string,
  input: { username: string; password: string; method?: string; uri: string; nc?: number; body?: string },
  overrides: Record<string, string> = {},
): string {
  const params = parseAuthorization(challenge)?.params
  if (!params) throw new Error(`bad challenge ${challenge}`)
  const algorithm = (params.get('algorithm') ?? 'MD5') as DigestAlgorithm
  const hashName = algorithm.startsWith('SHA-512-256')
    ? 'sha512-256'
    : algorithm.startsWith('SHA-256')
      ? 'sha256'
      : 'md5'
  const h = (s: string) => createHash(hashName).update(s).digest('hex')
  const realm = params.get('realm') as string
  const nonce = params.get('nonce') as string
  const nc = (input.nc ?? 1).toString(16).padStart(8, '0')
  const cnonce = 'b1a5e0c0ffee'
  const qop = overrides.qop ?? 'auth'
  let ha1 = h(`${input.username}:${realm}:${input.password}`)
  if (algorithm.endsWith('-sess')) ha1 = h(`${ha1}:${nonce}:${cnonce}`)
  const method = input.method ?? 'GET'
  const ha2 = qop === 'auth-int' ? h(`${method}:${input.uri}:${h(input.body ?? '')}`) : h(`${method}:${input.uri}`)
  const response = h(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
  const fields: Record<string, string> = {
    username: `"${input.username}"`,
    realm: `"${realm}"`,
    nonce: `"${nonce}"`,
    uri: `"${input.uri}"`,
    algorithm,
    qop,
    nc,
    cnonce: `"${cnonce}"`,
    response: `"${response}"`,
    opaque: `"${params.get('opaque')}"`,
    ...overrides,
  }
  return `Digest ${Object.entries(fields)
    .filter(([, value]) => value !== '')
    .map(([k, value]) => `${k}=${value}`)
    .join(', ')}`
}

describe('digest auth server', () => {
  let mock: MockServer
  let clock = 1_000_000
  const users = { Mufasa: 'Circle of Life', 'Jäsøn Doe': 'Secret, or not?' }
  beforeAll(async () => {
    mock = await serve([
      ...digestAuth({ path: '/md5', users, realm: 'http-auth@example.org', qop: ['auth', 'auth-int'] }),
      ...digestAuth({ path: '/sha256', users, realm: 'http-auth@example.org', algorithm: 'SHA-256' }),
      ...digestAuth({ path: '/sess', users, realm: 'r', algorithm: 'SHA-256-sess' }),
      ...digestAuth({ path: '/sha512', users, realm: 'api@example.org', algorithm: 'SHA-512-256', userhash: true }),
      ...digestAuth({ path: '/hashed', users, realm: 'api@example.org', algorithm: 'SHA-256', userhash: true }),
      ...digestAuth({ path: '/stale', users, realm: 'r', staleAfterUses: 2, nonceTtlMs: 60_000, now: () => clock }),
    ])
  })
  afterAll(() => mock.close())

  const challengeOf = async (path: string) => {
    const res = await fetch(`${mock.url}${path}`)
    expect(res.status).toBe(401)
    return res.headers.get('www-authenticate') as string
  }
  const send = (path: string, authorization: string, init: RequestInit = {}) =>
    fetch(`${mock.url}${path}`, { ...init, headers: { authorization, ...(init.headers as Record<string, string>) } })

  it('challenges with realm, qop, algorithm, nonce and opaque', async () => {
    const challenge = await challengeOf('/md5')
    expect(challenge).toMatch(
      /^Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="[^"]+", opaque="[^"]+"$/,
    )
  })

  it('accepts a correct response with an increasing nc and refuses a replayed nc', async () => {
    const challenge = await challengeOf('/md5')
    const first = answer(challenge, { username: 'Mufasa', password: 'Circle of Life', uri: '/md5?x=1&y=2', nc: 1 })
    const res = await send('/md5?x=1&y=2', first)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ ok: true, user: 'Mufasa', algorithm: 'MD5' })
    expect(res.headers.get('authentication-info')).toMatch(/^rspauth="[0-9a-f]{32}"/)
    expect((await send('/md5?x=1&y=2', first)).status).toBe(401)
    const second = answer(challenge, { username: 'Mufasa', password: 'Circle of Life', uri: '/md5?x=1&y=2', nc: 2 })
    expect((await send('/md5?x=1&y=2', second)).status).toBe(200)
    expect((await send('/md5?x=1&y=2', first)).status).toBe(401)
  })

  it('refuses a wrong password, a missing or changed opaque, and a foreign realm', async () => {
    const challenge = await challengeOf('/md5')
    const base = { username: 'Mufasa', uri: '/md5' }
    expect((await send('/md5', answer(challenge, { ...base, password: 'Circle Of Life' }))).status).toBe(401)
    expect(
      (await send('/md5', answer(challenge, { ...base, password: 'Circle of Life' }, { opaque: '' }))).status,
    ).toBe(401)
    expect(
      (await send('/md5', answer(challenge, { ...base, password: 'Circle of Life' }, { opaque: '"x"' }))).status,
    ).toBe(401)
    expect(
      (await send('/md5', answer(challenge, { ...base, password: 'Circle of Life' }, { realm: '"other"' }))).status,
    ).toBe(401)
  })

  it('refuses a uri that is not the request-target with its query', async () => {
    const challenge = await challengeOf('/md5')
    const auth = answer(challenge, { username: 'Mufasa', password: 'Circle of Life', uri: '/md5' })
    expect((await send('/md5?page=2', auth)).status).toBe(400)
  })

  it('checks the body hash with qop=auth-int', async () => {
    const challenge = await challengeOf('/md5')
    const input = { username: 'Mufasa', password: 'Circle of Life', uri: '/md5', method: 'POST', body: '{"a":1}' }
    const auth = answer(challenge, input, { qop: 'auth-int' })
    expect((await send('/md5', auth, { method: 'POST', body: '{"a":1}' })).status).toBe(200)
    const again = answer(challenge, { ...input, nc: 2 }, { qop: 'auth-int' })
    expect((await send('/md5', again, { method: 'POST', body: '{"a":2}' })).status).toBe(401)
  })

  it('refuses an algorithm that was not offered', async () => {
    const challenge = await challengeOf('/sha256')
    const auth = answer(
      challenge,
      { username: 'Mufasa', password: 'Circle of Life', uri: '/sha256' },
      { algorithm: 'MD5' },
    )
    expect((await send('/sha256', auth)).status).toBe(401)
  })

  it('verifies SHA-256-sess', async () => {
    const challenge = await challengeOf('/sess')
    expect(
      (await send('/sess', answer(challenge, { username: 'Mufasa', password: 'Circle of Life', uri: '/sess' }))).status,
    ).toBe(200)
  })

  it('accepts userhash=true with SHA-512-256 and username* for a non-ASCII name (RFC 7616 sections 3.4.4, 3.9.2)', async () => {
    const challenge = await challengeOf('/sha512')
    expect(challenge).toContain('userhash=true')
    const name = 'Jäsøn Doe'
    const hashed = createHash('sha512-256').update(`${name}:api@example.org`).digest('hex')
    const plain = answer(challenge, { username: name, password: 'Secret, or not?', uri: '/sha512' })
    const withHash = plain.replace(`username="${name}"`, `username="${hashed}", userhash=true`)
    const res = await send('/sha512', Buffer.from(withHash, 'utf8').toString('latin1'))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ user: name })
    const extended = answer(challenge, { username: name, password: 'Secret, or not?', uri: '/sha512', nc: 2 }).replace(
      `username="${name}"`,
      `username*=UTF-8''${encodeURIComponent(name)}`,
    )
    expect((await send('/sha512', extended)).status).toBe(200)
  })

  it('marks a worn-out or expired nonce stale=true and accepts the new nonce', async () => {
    const first = await challengeOf('/stale')
    const creds = { username: 'Mufasa', password: 'Circle of Life', uri: '/stale' }
    expect((await send('/stale', answer(first, { ...creds, nc: 1 }))).status).toBe(200)
    expect((await send('/stale', answer(first, { ...creds, nc: 2 }))).status).toBe(200)
    const worn = await send('/stale', answer(first, { ...creds, nc: 3 }))
    expect(worn.status).toBe(401)
    const fresh = worn.headers.get('www-authenticate') as string
    expect(fresh).toContain('stale=true')
    expect((await send('/stale', answer(fresh, { ...creds, nc: 1 }))).status).toBe(200)
    clock += 61_000
    const expired = await send('/stale', answer(fresh, { ...creds, nc: 2 }))
    expect(expired.status).toBe(401)
    expect(expired.headers.get('www-authenticate')).toContain('stale=true')
  })

  it('does not mark stale a nonce used with a wrong password', async () => {
    const first = await challengeOf('/stale')
    clock += 61_000
    const res = await send('/stale', answer(first, { username: 'Mufasa', password: 'nope', uri: '/stale' }))
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).not.toContain('stale=true')
  })

  it.each(['MD5', 'SHA-256'])(
    'interoperates with curl --digest (%s) and refuses it with a wrong password',
    async (alg) => {
      const path = alg === 'MD5' ? '/md5' : '/sha256'
      const ok = await curl(['--digest', '-u', 'Mufasa:Circle of Life', `${mock.url}${path}?q=a%20b&z=1`])
      expect(ok.status).toBe(200)
      expect(JSON.parse(ok.body)).toMatchObject({ ok: true, user: 'Mufasa', algorithm: alg })
      expect((await curl(['--digest', '-u', 'Mufasa:Circle Of Life', `${mock.url}${path}`])).status).toBe(401)
    },
  )

  it('interoperates with curl --digest when the challenge offers userhash=true (RFC 7616 section 3.4.4)', async () => {
    const ok = await curl(['--digest', '-u', 'Mufasa:Circle of Life', `${mock.url}/hashed`])
    expect(ok.status).toBe(200)
    expect(mock.requests.at(-1)?.headers.authorization).toContain('userhash=true')
    expect((await curl(['--digest', '-u', 'Mufasa:circle of life', `${mock.url}/hashed`])).status).toBe(401)
  })

  it('answers 400 or 401 to hostile Digest headers, never crashing', async () => {
    const challenge = await challengeOf('/md5')
    const valid = answer(challenge, { username: 'Mufasa', password: 'Circle of Life', uri: '/md5' })
    // used once first, so that a mutation that is still a valid response (extra spaces, reordered commas) is a
    // replay of nc=1 and must be refused as well
    expect((await send('/md5', valid)).status).toBe(200)
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 400 }).map((s) => `Digest ${s}`),
          fc
            .tuple(fc.nat(valid.length), fc.nat(valid.length), fc.string({ maxLength: 20 }))
            .map(([a, b, s]) => valid.slice(0, Math.min(a, b)) + s + valid.slice(Math.max(a, b))),
          fc
            .array(fc.tuple(fc.stringMatching(/^[a-z*]{1,10}$/), fc.string({ maxLength: 30 })), { maxLength: 12 })
            .map((pairs) => `Digest ${pairs.map(([k, v]) => `${k}="${v}"`).join(', ')}`),
        ),
        async (value) => {
          const clean = value.replace(/[^\t\x20-\x7e]/g, '')
          const res = await send('/md5', clean)
          expect([400, 401]).toContain(res.status)
          await res.arrayBuffer()
        },
      ),
      { numRuns: 200 },
    )
  })
})
