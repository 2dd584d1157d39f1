import { isFieldkitError } from '@fieldkit/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockServer, serve } from '../serve'
import { type EchoPlace, echo } from './echo'

const sent = {
  authorization: 'Token tok-0123456789',
  'x-api-key': 'key-abcdef',
  cookie: 'sid=cookie-value-42',
}

describe('echo: answers with the request it received (the hostile server of the leak tests)', () => {
  const mocks = new Map<EchoPlace, MockServer>()
  beforeAll(async () => {
    for (const place of ['body', 'json', 'soap-fault', 'token-error', 'headers'] as const)
      mocks.set(place, await serve(echo({ in: place })))
  })
  afterAll(async () => {
    await Promise.all([...mocks.values()].map((m) => m.close()))
  })
  const call = (place: EchoPlace) =>
    fetch(`${mocks.get(place)?.url}/echo?api_key=q-secret-77`, {
      method: 'POST',
      headers: sent,
      body: 'pw=body-secret',
    })

  it.each([
    ['body', 500, 'text/plain'],
    ['json', 500, 'application/json'],
    ['soap-fault', 500, 'text/xml'],
    ['token-error', 400, 'application/json'],
  ] as const)('in %s: status %i, every header value, the query and the body', async (place, status, type) => {
    const res = await call(place)
    expect(res.status).toBe(status)
    expect(res.headers.get('content-type')).toContain(type)
    const text = await res.text()
    for (const value of [...Object.values(sent), 'api_key=q-secret-77', 'pw=body-secret']) expect(text).toContain(value)
    if (place === 'token-error') expect(JSON.parse(text)).toMatchObject({ error: 'invalid_request' })
    if (place === 'soap-fault') expect(text).toMatch(/<faultstring>POST \/echo\?api_key=q-secret-77/)
  })

  it('in headers: a 401 whose www-authenticate and x-echo-* headers carry what was sent', async () => {
    const res = await call('headers')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="Token tok-0123456789"')
    expect(res.headers.get('x-echo-x-api-key')).toBe('key-abcdef')
    expect(res.headers.get('x-echo-cookie')).toBe('sid=cookie-value-42')
  })

  it.each([
    [{ path: 'echo' }, /Expected `echo path` to be a path starting with "\/", got "echo"/],
    [{ in: 'nowhere' as EchoPlace }, /Expected `echo in` to be one of body, json/],
    [{ status: 99 }, /Expected `echo status` to be an integer from 200 to 599, got 99/],
  ])('refuses %j with FK_MOCK_OPTIONS', (options, message) => {
    let error: unknown
    try {
      echo(options)
    } catch (e) {
      error = e
    }
    expect(isFieldkitError(error) && error.code).toBe('FK_MOCK_OPTIONS')
    expect((error as Error).message).toMatch(message)
    expect((error as Error).name).toBe('MockError')
  })
})
