import { isFieldkitError } from '@fieldkit/core'
import { serve } from '@fieldkit/mocks'
import { errorTexts, expectNoLeak, rejection } from '@fieldkit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseChallenges } from './challenge'
import { type DigestInputs, digest, digestHa1Base, digestResponse, digestUserhash } from './digest'
import { digestServer } from './test-servers.test-helper'
import { vector } from './vectors.test-helper'
import { withAuth } from './with-auth'

type Inputs = Record<string, string>

describe('digest vectors', () => {
  it('RFC 2617 section 3.5: MD5, qop=auth', () => {
    const v = vector('digest-rfc2617-3.5-md5-auth')
    const i = v.inputs as Inputs
    expect(digestHa1Base('MD5', i.username as string, i.realm as string, i.password as string)).toBe(v.derived?.ha1)
    expect(digestResponse({ ...(i as object), algorithm: 'MD5', qop: 'auth' } as DigestInputs)).toBe(
      v.expected.response,
    )
  })

  for (const [name, algorithm] of [
    ['digest-rfc7616-3.9.1-md5', 'MD5'],
    ['digest-rfc7616-3.9.1-sha256', 'SHA-256'],
  ] as const) {
    it(`RFC 7616 section 3.9.1: ${algorithm}`, () => {
      const v = vector(name)
      const i = v.inputs as Inputs
      expect(digestHa1Base(algorithm, i.username as string, i.realm as string, i.password as string)).toBe(
        v.derived?.ha1,
      )
      expect(digestResponse({ ...(i as object), algorithm, qop: 'auth' } as DigestInputs)).toBe(v.expected.response)
    })
  }

  it('RFC 7616 section 3.9.2: true SHA-512/256 with userhash (the FIPS values, not the misprinted ones)', () => {
    const v = vector('digest-rfc7616-3.9.2-sha512-256-userhash-AS-PRINTED')
    const i = v.inputs as Inputs
    const fips = v.fips_sha512_256_values as Inputs
    expect(digestUserhash('SHA-512-256', i.username as string, i.realm as string)).toBe(fips.username_hash)
    const response = digestResponse({ ...(i as object), algorithm: 'SHA-512-256', qop: 'auth' } as DigestInputs)
    expect(response).toBe(fips.response)
    expect(response).not.toBe(v.expected.response)
  })
})

describe('digest auth against a verifying server', () => {
  const users = { username: 'Mufasa', password: 'Circle of Life' }
  let server: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    server = await serve([
      digestServer({ path: '/md5', ...users }),
      digestServer({ path: '/md5-sess', ...users, algorithms: ['MD5-sess'] }),
      digestServer({ path: '/sha256-sess', ...users, algorithms: ['SHA-256-sess'] }),
      digestServer({ path: '/two', ...users, algorithms: ['SHA-256', 'MD5'] }),
      digestServer({ path: '/sha512', ...users, algorithms: ['SHA-512-256'], userhash: true }),
      digestServer({ path: '/int', ...users, qop: 'auth-int' }),
      digestServer({ path: '/stale', ...users, nonceUses: 2 }),
      digestServer({ path: '/strict', ...users, strictNc: true }),
      digestServer({ path: '/once', ...users, nonceUses: 1 }),
      digestServer({ path: '/alpha/*', ...users, realm: 'alpha' }),
      digestServer({ path: '/beta/*', ...users, realm: 'beta' }),
      digestServer({
        path: '/unicode',
        username: 'Jäsøn Doe',
        password: 'Secret, or not?',
        algorithms: ['SHA-256'],
        userhash: true,
      }),
    ])
  })
  afterAll(() => server.close())

  for (const path of ['/md5', '/md5-sess', '/sha256-sess', '/sha512']) {
    it(`is accepted on ${path}`, async () => {
      const res = await withAuth(digest(users))(`${server.url}${path}`)
      expect(res.statusCode).toBe(200)
      expect(((await res.body.json()) as { algorithm: string }).algorithm).toBeTruthy()
    })
  }

  it('picks the strongest algorithm the server offers (SHA-256 over MD5)', async () => {
    const res = await withAuth(digest(users))(`${server.url}/two`)
    expect(((await res.body.json()) as { algorithm: string }).algorithm).toBe('SHA-256')
  })

  it('hashes the body with qop=auth-int', async () => {
    const res = await withAuth(digest(users))(`${server.url}/int`, { method: 'POST', body: '{"a":1}' })
    expect(((await res.body.json()) as { qop: string }).qop).toBe('auth-int')
  })

  it('sends the full request-URI with its query, echoes opaque and counts nc per nonce', async () => {
    const send = withAuth(digest(users))
    const first = await send(`${server.url}/md5?a=1&b=%20x`)
    expect(((await first.body.json()) as { nc: string }).nc).toBe('00000001')
    const second = await send(`${server.url}/md5?a=2`)
    expect(((await second.body.json()) as { nc: string }).nc).toBe('00000002')
    const sent = server.requests.filter((r) => r.path.startsWith('/md5?a=')).map((r) => r.headers.authorization ?? '')
    expect(sent.at(-1)).toContain('uri="/md5?a=2"')
    expect(sent.at(-1)).toMatch(/opaque="[0-9a-f]{16}"/)
    const cnonces = sent.filter((h) => h.length > 0).map((h) => /cnonce="([^"]+)"/.exec(h)?.[1])
    expect(new Set(cnonces).size).toBe(cnonces.length)
    expect(cnonces[0]).toMatch(/^[0-9a-f]{32}$/)
  })

  it('retries once with the new nonce on stale=true', async () => {
    const send = withAuth(digest(users))
    for (let i = 0; i < 5; i++) {
      const res = await send(`${server.url}/stale`)
      expect(res.statusCode).toBe(200)
      await res.body.dump()
    }
  })

  it('answers stale=true on an answered request each time: one-time nonces, 10 concurrent requests (RFC 7616 section 3.3)', async () => {
    const send = withAuth(digest(users))
    for (let round = 0; round < 3; round++) {
      const codes = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const res = await send(`${server.url}/once`)
          await res.body.dump()
          return res.statusCode
        }),
      )
      expect(codes).toEqual(Array(10).fill(200))
    }
  })

  it('answers a fresh challenge of a new realm and keeps each realm, so switching back costs no 401 (RFC 7235 section 2.2)', async () => {
    const send = withAuth(digest(users))
    const statuses: number[] = []
    for (const path of ['/alpha/a', '/alpha/b', '/beta/a', '/beta/b', '/alpha/c', '/beta/c']) {
      const res = await send(`${server.url}${path}`)
      await res.body.dump()
      statuses.push(res.statusCode)
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200])
    const sent = server.requests.filter((r) => /^\/(alpha|beta)\//.test(r.path))
    // One 401 per realm the first time (no credentials yet, then realm alpha's sent to beta); none when switching back.
    expect(sent.map((r) => r.path)).toEqual([
      '/alpha/a',
      '/alpha/a',
      '/alpha/b',
      '/beta/a',
      '/beta/a',
      '/beta/b',
      '/alpha/c',
      '/beta/c',
    ])
  })

  it('names realm, algorithm and qop offered and used when the password is wrong, never the password', async () => {
    const error = await rejection(withAuth(digest({ ...users, password: 'wrong-password' }))(`${server.url}/two`))
    expect(error.code).toBe('FK_AUTH_REJECTED')
    expect(error.hint).toContain('realm "test@fieldkit"')
    expect(error.hint).toContain('algorithm SHA-256, MD5')
    expect(error.hint).toContain('the answer used realm "test@fieldkit", algorithm SHA-256, qop auth')
    expect(error.message).toContain('after answering 1 challenge')
    expectNoLeak(['wrong-password', 'Mufasa:wrong-password'], errorTexts(error))
  })

  it('survives 50 concurrent requests against a server that wants nc to grow (late ones retried once)', async () => {
    const send = withAuth(digest(users))
    const codes = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const res = await send(`${server.url}/strict`)
        await res.body.dump()
        return res.statusCode
      }),
    )
    expect(codes.every((c) => c === 200)).toBe(true)
  })

  it('sends username* or the userhash for a non-ASCII user name', async () => {
    const res = await withAuth(digest({ username: 'Jäsøn Doe', password: 'Secret, or not?' }))(`${server.url}/unicode`)
    expect(res.statusCode).toBe(200)
    await res.body.dump()
  })

  it('is refused with FK_AUTH_REJECTED after one retry when the password is wrong', async () => {
    const before = server.requests.length
    const error = await withAuth(digest({ ...users, password: 'wrong' }))(`${server.url}/md5`).catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_REJECTED')
    expect(server.requests.length - before).toBe(2)
    expect(JSON.stringify(error)).not.toContain('wrong')
  })
})

describe('digest challenge handling', () => {
  const res = (header: string) => ({ status: 401, headers: { 'www-authenticate': header } })
  const req = () => ({ method: 'GET', url: new URL('http://h/x'), headers: {} as Record<string, string> })

  it('returns false for a repeated identical challenge after a failed response', async () => {
    const d = digest({ username: 'u', password: 'p' })
    const challenge = 'Digest realm="r", qop="auth", nonce="n1", opaque="o"'
    const r = req()
    expect(await d.challenge?.(res(challenge), r)).toBe(true)
    await d.apply(r)
    expect(await d.challenge?.(res(challenge), r)).toBe(false)
  })

  it('answers every stale=true with a new nonce, also right after a stale retry (the caller bounds the attempts)', async () => {
    const d = digest({ username: 'u', password: 'p' })
    const r = req()
    expect(await d.challenge?.(res('Digest realm="r", qop="auth", nonce="n1"'), r)).toBe(true)
    await d.apply(r)
    expect(await d.challenge?.(res('Digest realm="r", qop="auth", nonce="n2", stale=true'), r)).toBe(true)
    await d.apply(r)
    expect(await d.challenge?.(res('Digest realm="r", qop="auth", nonce="n3", stale=TRUE'), r)).toBe(true)
    await d.apply(r)
    // The same nonce back as stale teaches nothing.
    expect(await d.challenge?.(res('Digest realm="r", qop="auth", nonce="n3", stale=true'), r)).toBe(false)
  })

  it('returns true for a fresh challenge of another realm than the one answered, false for the same realm', async () => {
    const d = digest({ username: 'u', password: 'p' })
    const r = req()
    expect(await d.challenge?.(res('Digest realm="a", qop="auth", nonce="n1"'), r)).toBe(true)
    await d.apply(r)
    expect(await d.challenge?.(res('Digest realm="b", qop="auth", nonce="n2"'), r)).toBe(true)
    await d.apply(r)
    expect(r.headers.authorization).toContain('realm="b"')
    expect(await d.challenge?.(res('Digest realm="b", qop="auth", nonce="n3"'), r)).toBe(false)
  })

  it('withAuth stops a server that answers stale=true forever after four attempts', async () => {
    let sent = 0
    const { serve: serveOn } = await import('@fieldkit/mocks')
    const { http, HttpResponse } = await import('msw')
    const looping = await serveOn([
      http.get('*/loop', () => {
        sent++
        return new HttpResponse(null, {
          status: 401,
          headers: { 'www-authenticate': `Digest realm="r", qop="auth", nonce="n${sent}", stale=true` },
        })
      }),
    ])
    try {
      const error = await rejection(withAuth(digest({ username: 'u', password: 'p' }))(`${looping.url}/loop`))
      expect(error.code).toBe('FK_AUTH_REJECTED')
      expect(sent).toBe(4)
    } finally {
      await looping.close()
    }
  })

  it('names an unsupported algorithm and the supported ones', async () => {
    const d = digest({ username: 'u', password: 'p' })
    const error = await Promise.resolve()
      .then(() => d.challenge?.(res('Digest realm="r", nonce="n", algorithm=SHA-1'), req()))
      .catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_UNSUPPORTED_ALGORITHM')
    expect((error as Error).message).toContain('SHA-1')
    expect((error as Error).message).toContain('SHA-512-256')
  })

  it('parses the RFC 7616 double challenge', () => {
    const c = parseChallenges([
      'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
      'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    ])
    expect(c.map((x) => x.params.algorithm)).toEqual(['SHA-256', 'MD5'])
  })
})
