// Certificate refusals become FK_AUTH_CERT_REFUSED, never retried: a real TLS server of node:tls refusing a certificate
// from another CA (OpenSSL sends the alert), and nginx's own 400 pages (captured from nginx, see the helper).
import { createServer as createHttpsServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { createHttpClient } from '@fieldkit/http'
import { createTestCertificates } from '@fieldkit/mocks'
import { errorTexts, expectNoLeak, rejection } from '@fieldkit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withAuth } from '../with-auth'
import { mtls } from './mtls'
import { NGINX_CERTIFICATE_ERROR_PAGE, NGINX_NO_CERTIFICATE_PAGE } from './nginx-pages.test-helper'
import { refusalKind } from './refusal'

const pki = await createTestCertificates()
afterAll(() => pki.cleanup())

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('mtls certificate refusals', () => {
  let strict: Server
  let strictUrl: string
  let handshakes = 0
  let nginxLike: Server
  let nginxUrl: string
  let pageRequests = 0
  beforeAll(async () => {
    // Requires a certificate of pki.ca.cert; OpenSSL refuses any other in the handshake.
    strict = createHttpsServer(
      { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true },
      (_req, res) => res.end('ok'),
    )
    strict.on('connection', () => handshakes++)
    strictUrl = await listen(strict)
    // Answers like nginx with ssl_verify_client on: its 400 pages, byte for byte.
    nginxLike = createHttpsServer({ key: pki.server.key, cert: pki.server.cert }, (req, res) => {
      pageRequests++
      const page = req.url === '/other-ca' ? NGINX_CERTIFICATE_ERROR_PAGE : NGINX_NO_CERTIFICATE_PAGE
      if (req.url === '/plain-400') {
        res.writeHead(400, { 'content-type': 'text/html' }).end('<html><body>Bad form field</body></html>')
        return
      }
      res.writeHead(400, { server: 'nginx/1.22.1', 'content-type': 'text/html', connection: 'close' }).end(page)
    })
    nginxUrl = await listen(nginxLike)
  })
  afterAll(async () => {
    strict.closeAllConnections()
    nginxLike.closeAllConnections()
    await new Promise((r) => strict.close(r))
    await new Promise((r) => nginxLike.close(r))
  })

  it('a certificate from another CA: FK_AUTH_CERT_REFUSED naming its subject and issuer and the openssl command', async () => {
    const stranger = mtls({ cert: pki.clients.untrusted.cert, key: pki.clients.untrusted.key, ca: pki.ca.cert })
    try {
      const error = await rejection(withAuth(stranger)(`${strictUrl}/api`))
      expect(error.code).toBe('FK_AUTH_CERT_REFUSED')
      expect(error.message).toContain(`subject "${stranger.certificate?.subject}"`)
      expect(error.message).toContain(`issuer "${stranger.certificate?.issuer}"`)
      const port = new URL(strictUrl).port
      expect(error.hint).toContain(`openssl s_client -connect 127.0.0.1:${port}`)
      expectNoLeak([pki.clients.untrusted.key.split('\n')[1] as string], errorTexts(error))
    } finally {
      await stranger.close()
    }
  })

  it('through @fieldkit/http with retries on: refused once, not retried into FK_HTTP_RETRY_EXHAUSTED', async () => {
    const stranger = mtls({ cert: pki.clients.untrusted.cert, key: pki.clients.untrusted.key, ca: pki.ca.cert })
    const client = createHttpClient({ baseUrl: strictUrl, auth: stranger, retry: { retries: 3 } })
    const before = handshakes
    try {
      const error = await rejection(client.request({ path: '/api' }))
      expect(error.code).toBe('FK_AUTH_CERT_REFUSED')
      expect(handshakes - before).toBe(1)
    } finally {
      await client.close()
      await stranger.close()
    }
  })

  for (const [path, page] of [
    ['/none', 'No required SSL certificate was sent'],
    ['/other-ca', 'The SSL certificate error'],
  ] as const) {
    it(`nginx's 400 page "${page}": FK_AUTH_CERT_REFUSED through withAuth and @fieldkit/http, sent once`, async () => {
      const auth = mtls({ cert: pki.clients.valid.cert, key: pki.clients.valid.key, ca: pki.ca.cert })
      const client = createHttpClient({ baseUrl: nginxUrl, auth, retry: { retries: 3 } })
      const before = pageRequests
      try {
        const direct = await rejection(withAuth(auth)(`${nginxUrl}${path}`))
        expect(direct.code).toBe('FK_AUTH_CERT_REFUSED')
        expect(direct.message).toContain('answered 400 with its "client certificate" error page')
        expect(direct.message).not.toContain('<html>')
        const viaClient = await rejection(client.request({ path }))
        expect(viaClient.code).toBe('FK_AUTH_CERT_REFUSED')
        expect(pageRequests - before).toBe(2)
      } finally {
        await client.close()
        await auth.close()
      }
    })
  }

  it('passes any other 400 page through untouched', async () => {
    const auth = mtls({ cert: pki.clients.valid.cert, key: pki.clients.valid.key, ca: pki.ca.cert })
    try {
      const res = await withAuth(auth)(`${nginxUrl}/plain-400`)
      expect(res.statusCode).toBe(400)
      expect(await res.body.text()).toBe('<html><body>Bad form field</body></html>')
    } finally {
      await auth.close()
    }
  })

  it('recognises the alerts Node reports and a fresh TLS connection closed unread, nothing else', () => {
    expect(refusalKind({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' })).toBe('tls-alert')
    expect(refusalKind({ code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE' })).toBe('tls-alert')
    expect(refusalKind({ code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' })).toBe('tls-alert')
    expect(refusalKind({ code: 'X', message: 'ssl3_read_bytes:sslv3 alert bad certificate' })).toBe('tls-alert')
    expect(refusalKind({ code: 'UND_ERR_SOCKET', socket: { bytesRead: 0 } })).toBe('closed-after-handshake')
    expect(refusalKind({ code: 'UND_ERR_SOCKET', socket: { bytesRead: 512 } })).toBeUndefined()
    expect(refusalKind({ code: 'ECONNREFUSED' })).toBeUndefined()
    expect(refusalKind({ code: 'ERR_SSL_WRONG_VERSION_NUMBER' })).toBeUndefined()
  })
})
