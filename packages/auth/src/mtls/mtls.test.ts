import { CLIENT_CERT_HEADER, createTestCertificates, type MockServer, serve } from '@fieldkit/mocks'
import { HttpResponse, http } from 'msw'
import { request } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { authContractSuite } from '../contract-suite.test-helper'
import { withAuth } from '../with-auth'
import { mtls } from './mtls'

const pki = await createTestCertificates()
afterAll(() => pki.cleanup())
const partnerApi = () =>
  serve(
    [
      http.get('*/api/partner', ({ request }) => {
        const cn = request.headers.get(CLIENT_CERT_HEADER)
        return cn === 'fieldkit-client' ? HttpResponse.json({ ok: true, cn }) : new HttpResponse(null, { status: 401 })
      }),
    ],
    { tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true } },
  )

describe('mtls', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await partnerApi()
  })
  afterAll(() => mock.close())
  afterEach(() => vi.useRealTimers())

  it('presents the client certificate (PEM cert and key) on the undici connection', async () => {
    const auth = mtls({ cert: pki.clients.valid.cert, key: pki.clients.valid.key, ca: pki.ca.cert })
    const res = await withAuth(auth)(`${mock.url}/api/partner`)
    expect(res.statusCode).toBe(200)
    expect(await res.body.json()).toEqual({ ok: true, cn: 'fieldkit-client' })
    expect(auth.certificate?.subject).toBe('CN=fieldkit-client')
    await auth.close()
  })

  it('presents a PKCS#12 bundle (pfx with passphrase)', async () => {
    const auth = mtls({ pfx: pki.bundle.pfx, passphrase: pki.bundle.passphrase, ca: pki.ca.cert })
    const res = await request(`${mock.url}/api/partner`, { dispatcher: auth.dispatcher })
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    expect(auth.certificate?.validTo).toMatch(/^\d{4}-/)
    await auth.close()
  })

  it('a certificate from another CA is refused in the TLS handshake', async () => {
    const stranger = mtls({ cert: pki.clients.untrusted.cert, key: pki.clients.untrusted.key, ca: pki.ca.cert })
    await expect(request(`${mock.url}/api/partner`, { dispatcher: stranger.dispatcher })).rejects.toThrow()
    await stranger.close()
  })

  it('reports an expired certificate before any request, with its dates (FK_AUTH_CERT_EXPIRED)', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 3 * 86_400_000)
    const before = mock.requests.length
    let error: unknown
    try {
      mtls({ cert: pki.clients.valid.cert, key: pki.clients.valid.key, ca: pki.ca.cert })
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'FK_AUTH_CERT_EXPIRED' })
    const { details, message } = error as { details: Record<string, string>; message: string }
    expect(message).toContain(details.validTo)
    expect(message).toContain(details.validFrom)
    expect(mock.requests.length).toBe(before)
  })

  it('reports a certificate that expires while the process runs at the next apply()', async () => {
    const auth = mtls({ cert: pki.clients.valid.cert, key: pki.clients.valid.key, ca: pki.ca.cert })
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 3 * 86_400_000)
    const before = mock.requests.length
    await expect(withAuth(auth)(`${mock.url}/api/partner`)).rejects.toMatchObject({ code: 'FK_AUTH_CERT_EXPIRED' })
    expect(mock.requests.length).toBe(before)
    vi.useRealTimers()
    await auth.close()
  })

  it('reports a certificate that is not valid yet (FK_AUTH_CERT_NOT_YET_VALID)', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() - 3 * 86_400_000)
    expect(() => mtls({ cert: pki.clients.valid.cert, key: pki.clients.valid.key })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_CERT_NOT_YET_VALID' }),
    )
  })

  it('reports a key that does not belong to the certificate, a bad pfx passphrase and unreadable input', () => {
    expect(() => mtls({ cert: pki.clients.valid.cert, key: pki.clients.untrusted.key })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_CERT_INVALID' }),
    )
    expect(() => mtls({ pfx: pki.bundle.pfx, passphrase: 'wrong' })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_CERT_INVALID' }),
    )
    expect(() => mtls({ cert: 'client.crt', key: pki.clients.valid.key })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_CERT_INVALID' }),
    )
    expect(() => mtls({ cert: pki.clients.valid.cert })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_INVALID_OPTIONS' }),
    )
  })
})

authContractSuite('mtls', async ({ logger }) => ({
  strategy: mtls({ cert: pki.clients.valid.cert, key: pki.clients.valid.key, ca: pki.ca.cert, logger }),
  server: await partnerApi(),
  path: '/api/partner',
  secrets: [pki.clients.valid.key.split('\n')[1] as string, pki.bundle.passphrase],
  wrong: mtls({ cert: pki.clients.unlisted.cert, key: pki.clients.unlisted.key, ca: pki.ca.cert }),
}))
