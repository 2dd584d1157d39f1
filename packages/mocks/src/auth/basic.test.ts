import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockServer, serve } from '../serve'
import { basicAuth } from './basic'
import { curl, vector } from './test-helpers'

describe('basic auth server', () => {
  let mock: MockServer
  let latin1: MockServer
  const aladdin = vector('basic-rfc7617-aladdin')
  const utf8 = vector('basic-rfc7617-utf8-charset')
  beforeAll(async () => {
    mock = await serve(
      basicAuth({
        path: '/basic',
        users: { Aladdin: 'open sesame', test: '123£' },
        realm: 'WallyWorld',
        charset: 'UTF-8',
      }),
    )
    latin1 = await serve(basicAuth({ path: '/basic', users: { test: '123£' }, realm: 'legacy', charset: 'ISO-8859-1' }))
  })
  afterAll(async () => {
    await mock.close()
    await latin1.close()
  })

  const get = (server: MockServer, authorization?: string) =>
    fetch(`${server.url}/basic`, { headers: authorization ? { authorization } : {} })

  it('accepts the RFC 7617 section 2 example credentials', async () => {
    const res = await get(mock, aladdin.expected.authorization as string)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ ok: true, user: 'Aladdin', scheme: 'Basic' })
  })

  it('accepts the RFC 7617 section 2.1 UTF-8 example and refuses its Latin-1 form', async () => {
    expect((await get(mock, utf8.expected.authorization as string)).status).toBe(200)
    expect((await get(mock, 'Basic dGVzdDoxMjOj')).status).toBe(401)
  })

  it('decodes Latin-1 when configured so (RFC 7617 section 2.1, legacy servers)', async () => {
    expect((await get(latin1, 'Basic dGVzdDoxMjOj')).status).toBe(200)
    expect((await get(latin1, utf8.expected.authorization as string)).status).toBe(401)
  })

  it('challenges with the realm and charset when credentials are missing', async () => {
    const res = await get(mock)
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="WallyWorld", charset="UTF-8"')
  })

  it('refuses a wrong password and an unknown user', async () => {
    const wrong = `Basic ${Buffer.from('Aladdin:open sesamE').toString('base64')}`
    const unknown = `Basic ${Buffer.from('Jafar:open sesame').toString('base64')}`
    expect((await get(mock, wrong)).status).toBe(401)
    expect((await get(mock, unknown)).status).toBe(401)
  })

  it('answers 400 to credentials that are not base64 or have no colon', async () => {
    expect((await get(mock, 'Basic !!!')).status).toBe(400)
    expect((await get(mock, `Basic ${Buffer.from('nocolon').toString('base64')}`)).status).toBe(400)
  })

  it('interoperates with curl --basic and refuses curl with a wrong password', async () => {
    const ok = await curl(['--basic', '-u', 'Aladdin:open sesame', `${mock.url}/basic`])
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, user: 'Aladdin' })
    expect((await curl(['--basic', '-u', 'Aladdin:wrong', `${mock.url}/basic`])).status).toBe(401)
  })

  it('answers 400 or 401 to any hostile Authorization header, never crashing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ maxLength: 300 }).map((s) => `Basic ${s}`),
          fc.uint8Array({ maxLength: 200 }).map((b) => `Basic ${Buffer.from(b).toString('base64')}`),
        ),
        async (value) => {
          const clean = value.replace(/[\r\n\0]/g, '').replace(/[^\t\x20-\x7e\x80-\xff]/g, '')
          const res = await get(mock, clean || 'x')
          expect([400, 401]).toContain(res.status)
          await res.arrayBuffer()
        },
      ),
      { numRuns: 150 },
    )
    expect((await get(mock, `Basic ${'A'.repeat(12_000)}`)).status).toBeOneOf([400, 401])
  })
})
