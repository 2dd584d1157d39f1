import { CLIENT_CERT_HEADER, type MockServer, serve } from '@fieldkit/mocks'
import { HttpResponse, http } from 'msw'
import { request } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { authContractSuite } from '../contract-suite.test-helper'
import { withAuth } from '../with-auth'
import { makeCertificates } from './certificates.test-helper'
import { mtls } from './mtls'

const certs = makeCertificates()
const partnerApi = () =>
  serve(
    [
      http.get('*/api/partner', ({ request }) => {
        const cn = request.headers.get(CLIENT_CERT_HEADER)
        return cn === 'erp-sync-client' ? HttpResponse.json({ ok: true, cn }) : new HttpResponse(null, { status: 401 })
      }),
    ],
    { tls: { key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true } },
  )

describe('mtls', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await partnerApi()
  })
  afterAll(() => mock.close())
  afterEach(() => vi.useRealTimers())

  it('presents the client certificate (PEM cert and key) on the undici connection', async () => {
    const auth = mtls({ cert: certs.clientCert, key: certs.clientKey, ca: certs.ca })
    const res = await withAuth(auth)(`${mock.url}/api/partner`)
    expect(res.statusCode).toBe(200)
    expect(await res.body.json()).toEqual({ ok: true, cn: 'erp-sync-client' })
    expect(auth.certificate?.subject).toBe('CN=erp-sync-client')
    await auth.close()
  })

  it('presents a PKCS#12 bundle (pfx with passphrase)', async () => {
    const auth = mtls({ pfx: certs.pfx, passphrase: certs.pfxPassphrase, ca: certs.ca })
    const res = await request(`${mock.url}/api/partner`, { dispatcher: auth.dispatcher })
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    expect(auth.certificate?.validTo).toMatch(/^\d{4}-/)
    await auth.close()
  })

  it('a certificate from another CA is refused in the TLS handshake', async () => {
    const stranger = mtls({ cert: certs.strangerCert, key: certs.strangerKey, ca: certs.ca })
    await expect(request(`${mock.url}/api/partner`, { dispatcher: stranger.dispatcher })).rejects.toThrow()
    await stranger.close()
  })

  it('reports an expired certificate before any request, with its dates (FK_AUTH_CERT_EXPIRED)', () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 3 * 86_400_000)
    const before = mock.requests.length
    let error: unknown
    try {
      mtls({ cert: certs.clientCert, key: certs.clientKey, ca: certs.ca })
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
    const auth = mtls({ cert: certs.clientCert, key: certs.clientKey, ca: certs.ca })
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
    expect(() => mtls({ cert: certs.clientCert, key: certs.clientKey })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_CERT_NOT_YET_VALID' }),
    )
  })

  it('reports a key that does not belong to the certificate, a bad pfx passphrase and unreadable input', () => {
    expect(() => mtls({ cert: certs.clientCert, key: certs.strangerKey })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_CERT_INVALID' }),
    )
    expect(() => mtls({ pfx: certs.pfx, passphrase: 'wrong' })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_CERT_INVALID' }),
    )
    expect(() => mtls({ cert: 'client.crt', key: certs.clientKey })).toThrow(
      expect.objectContaining({ code: 'FK_AUTH_CERT_INVALID' }),
    )
    expect(() => mtls({ cert: certs.clientCert })).toThrow(expect.objectContaining({ code: 'FK_AUTH_INVALID_OPTIONS' }))
  })
})

authContractSuite('mtls', async ({ logger }) => ({
  strategy: mtls({ cert: certs.clientCert, key: certs.clientKey, ca: certs.ca, logger }),
  server: await partnerApi(),
  path: '/api/partner',
  secrets: [certs.clientKey.split('\n')[1] as string, certs.pfxPassphrase],
  wrong: mtls({ cert: certs.unknownCert, key: certs.unknownKey, ca: certs.ca }),
}))
