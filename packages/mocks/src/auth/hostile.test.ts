import { connect } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockServer, serve } from '../serve'
import { basicAuth } from './basic'
import { digestAuth } from './digest'
import { ntlmAuth } from './ntlm'
import { oauth1Provider } from './oauth1'
import { sigv4Endpoint } from './sigv4'
import { usernameTokenEndpoint } from './username-token'

/** Writes raw bytes to the server and returns the status code of the answer (0 if the socket closed first). */
function raw(mock: MockServer, request: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(mock.port, '127.0.0.1')
    let data = ''
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1')
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data)
      if (status) {
        socket.destroy()
        resolve(Number(status[1]))
      }
    })
    socket.on('close', () => resolve(0))
    socket.on('error', reject)
    socket.end(request)
  })
}

const PATHS = ['/basic', '/digest', '/ntlm', '/oauth1', '/sigv4']

describe('every auth server under hostile input', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([
      ...basicAuth({ path: '/basic', users: { a: 'b' }, realm: 'r' }),
      ...digestAuth({ path: '/digest', users: { a: 'b' }, realm: 'r', qop: ['auth', 'auth-int'] }),
      ...ntlmAuth({ path: '/ntlm', users: [{ username: 'a', domain: 'D', password: 'b' }] }),
      ...oauth1Provider({ path: '/oauth1', consumers: { k: 's' }, tokens: { t: 'u' } }),
      ...sigv4Endpoint({ path: '/sigv4', credentials: { AKID: 's' }, region: 'r', service: 's' }),
      ...usernameTokenEndpoint({ path: '/soap', users: { a: 'b' } }),
    ])
  })
  afterAll(() => mock.close())

  it('answers 400, 401 or 403 to raw Authorization bytes of any kind, with every scheme name', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        fc.constantFrom('Basic ', 'Digest ', 'NTLM ', 'Negotiate ', 'OAuth ', 'AWS4-HMAC-SHA256 ', 'Bearer ', ''),
        fc.uint8Array({ maxLength: 600 }),
        async (path, scheme, bytes) => {
          const value = Buffer.from(bytes.filter((b) => b !== 10 && b !== 13 && b !== 0))
          const head = Buffer.from(
            `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: ${scheme}`,
            'latin1',
          )
          const status = await raw(mock, Buffer.concat([head, value, Buffer.from('\r\n\r\n')]))
          expect([400, 401, 403]).toContain(status)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('answers 431 to a 40 kB header and keeps serving', async () => {
    for (const path of PATHS) {
      const huge = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Digest ${'a'.repeat(40_000)}\r\n\r\n`)
      expect(await raw(mock, huge)).toBe(431)
      expect((await fetch(`${mock.url}${path}`)).status).toBeOneOf([401, 403])
    }
  })

  it('answers a fault, never a crash, to hostile SOAP bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 2000 }), async (body) => {
        const res = await fetch(`${mock.url}/soap`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } })
        expect([400, 500]).toContain(res.status)
        expect(await res.text()).toContain('soap:Fault')
      }),
      { numRuns: 100 },
    )
  })
})
