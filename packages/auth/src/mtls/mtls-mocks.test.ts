// mtls against @fieldkit/mocks' throwaway PKI (made with openssl) and its client-certificate resource, including
// the auth contract suite.
import { isFieldkitError } from '@fieldkit/core'
import {
  clientCertificateResource,
  createTestCertificates,
  type MockServer,
  serve,
  type TestCertificates,
} from '@fieldkit/mocks'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authContractSuite } from '../contract-suite.test-helper'
import { withAuth } from '../with-auth'
import { mtls } from './mtls'

const pki: TestCertificates = await createTestCertificates()
const secureServer = () =>
  serve(clientCertificateResource({ path: '/mtls' }), {
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true },
  })
afterAll(() => pki.cleanup())

describe('mtls against the @fieldkit/mocks client-certificate server', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await secureServer()
  })
  afterAll(() => mock.close())

  it('presents the valid client certificate', async () => {
    const auth = mtls({ cert: pki.clients.valid.cert, key: pki.clients.valid.key, ca: pki.ca.cert })
    const res = await withAuth(auth)(`${mock.url}/mtls`)
    expect(await res.body.json()).toMatchObject({ ok: true, user: 'fieldkit-client' })
    await auth.close()
  })

  it.each([
    ['expired', 'FK_AUTH_CERT_EXPIRED'],
    ['notYetValid', 'FK_AUTH_CERT_NOT_YET_VALID'],
  ] as const)('reports the %s certificate before any request, with its dates', (which, code) => {
    const before = mock.requests.length
    const connections = mock.connections()
    let error: unknown
    try {
      mtls({ cert: pki.clients[which].cert, key: pki.clients[which].key, ca: pki.ca.cert })
    } catch (e) {
      error = e
    }
    expect(isFieldkitError(error) && error.code).toBe(code)
    const { details, message } = error as { details: Record<string, string>; message: string }
    expect(message).toContain(details.validFrom)
    expect(message).toContain(details.validTo)
    if (which === 'expired') expect(details.validTo).toMatch(/^2020-/)
    expect(mock.requests.length).toBe(before)
    expect(mock.connections()).toBe(connections)
  })

  it('a certificate from another CA is refused by the server in the TLS handshake', async () => {
    const auth = mtls({ cert: pki.clients.untrusted.cert, key: pki.clients.untrusted.key, ca: pki.ca.cert })
    await expect(request(`${mock.url}/mtls`, { dispatcher: auth.dispatcher })).rejects.toThrow()
    await auth.close()
  })
})

authContractSuite('mtls (mocks PKI)', async ({ logger }) => ({
  strategy: mtls({ cert: pki.clients.valid.cert, key: pki.clients.valid.key, ca: pki.ca.cert, logger }),
  server: await secureServer(),
  path: '/mtls',
  secrets: [pki.clients.valid.key.split('\n')[1] as string],
}))
