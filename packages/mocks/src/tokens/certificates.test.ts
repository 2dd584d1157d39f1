import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto'
import { request as httpsRequest } from 'node:https'
import { createSecureContext } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { curl } from '../auth/test-helpers'
import { type MockServer, serve } from '../serve'
import {
  type CertificatePair,
  clientCertificateResource,
  createTestCertificates,
  type TestCertificates,
} from './certificates'

function get(mock: MockServer, ca: string, client?: CertificatePair): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${mock.url}/mtls`, { ca, cert: client?.cert, key: client?.key, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c) => {
        body += c
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('mTLS test certificates', () => {
  let pki: TestCertificates
  let mock: MockServer
  beforeAll(async () => {
    pki = await createTestCertificates()
    mock = await serve(clientCertificateResource({ path: '/mtls' }), {
      tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true },
    })
  })
  afterAll(async () => {
    await mock?.close()
    await pki?.cleanup()
  })

  it('makes client certificates with the dates their names promise', () => {
    const now = Date.now()
    const dates = (p: CertificatePair) => {
      const x = new X509Certificate(p.cert)
      return { from: Date.parse(x.validFrom), to: Date.parse(x.validTo), issuer: x.issuer }
    }
    expect(dates(pki.clients.valid).from).toBeLessThan(now)
    expect(dates(pki.clients.valid).to).toBeGreaterThan(now)
    expect(dates(pki.clients.expired).to).toBeLessThan(now)
    expect(dates(pki.clients.notYetValid).from).toBeGreaterThan(now)
    expect(new X509Certificate(pki.clients.valid.cert).verify(new X509Certificate(pki.ca.cert).publicKey)).toBe(true)
    expect(new X509Certificate(pki.clients.untrusted.cert).verify(new X509Certificate(pki.ca.cert).publicKey)).toBe(
      false,
    )
  })

  it('accepts the valid client certificate and tells the handler its CN', async () => {
    const res = await get(mock, pki.ca.cert, pki.clients.valid)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual({ ok: true, user: 'fieldkit-client', scheme: 'mTLS' })
  })

  it.each(['expired', 'notYetValid', 'untrusted'] as const)(
    'refuses the %s client certificate at the handshake',
    async (kind) => {
      await expect(get(mock, pki.ca.cert, pki.clients[kind])).rejects.toThrow()
    },
  )

  it('the unlisted client is trusted at the handshake and named by its own CN', async () => {
    const res = await get(mock, pki.ca.cert, pki.clients.unlisted)
    expect(JSON.parse(res.body)).toEqual({ ok: true, user: 'fieldkit-unlisted', scheme: 'mTLS' })
  })

  it('bundles the valid client as an encrypted key and a PKCS#12 file that open only with the passphrase', () => {
    const { encryptedKey, pfx, passphrase } = pki.bundle
    expect(encryptedKey).toContain('BEGIN ENCRYPTED PRIVATE KEY')
    const key = createPrivateKey({ key: encryptedKey, passphrase })
    expect(createPublicKey(key).export({ format: 'pem', type: 'spki' })).toBe(
      new X509Certificate(pki.clients.valid.cert).publicKey.export({ format: 'pem', type: 'spki' }),
    )
    expect(() => createPrivateKey({ key: encryptedKey, passphrase: 'wrong' })).toThrow()
    expect(() => createSecureContext({ pfx, passphrase })).not.toThrow()
    expect(() => createSecureContext({ pfx, passphrase: 'wrong' })).toThrow()
  })

  it('refuses a client without a certificate', async () => {
    await expect(get(mock, pki.ca.cert)).rejects.toThrow()
  })

  it('interoperates with curl --cert', async () => {
    const ok = await curl([
      '--cacert',
      pki.ca.certPath,
      '--cert',
      pki.clients.valid.certPath,
      '--key',
      pki.clients.valid.keyPath,
      `${mock.url}/mtls`,
    ])
    expect(ok.status).toBe(200)
    await expect(
      curl([
        '--cacert',
        pki.ca.certPath,
        '--cert',
        pki.clients.expired.certPath,
        '--key',
        pki.clients.expired.keyPath,
        `${mock.url}/mtls`,
      ]),
    ).rejects.toThrow()
  })
})
