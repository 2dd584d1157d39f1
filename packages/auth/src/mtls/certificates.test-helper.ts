// Test certificates made with the openssl command line in a temporary folder: a CA, a server certificate for
// 127.0.0.1 and a client certificate signed by the CA (valid for one day from now), plus the client's PKCS#12 bundle.
// Test-only; not exported from the package.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestCertificates {
  ca: string
  serverCert: string
  serverKey: string
  clientCert: string
  clientKey: string
  /** A client certificate signed by another CA, which the server refuses. */
  strangerCert: string
  strangerKey: string
  /** Signed by the right CA, for a client the API does not allow (answered 401). */
  unknownCert: string
  unknownKey: string
  pfx: Buffer
  pfxPassphrase: string
}

export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'fk-mtls-'))
  const at = (name: string) => join(dir, name)
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  const selfSigned = (name: string, cn: string) =>
    run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
    )
  const signed = (name: string, cn: string, ca: string, ext?: string) => {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`)
    const extra = ext === undefined ? [] : ['-extfile', `${name}.ext`]
    if (ext !== undefined) writeFileSync(at(`${name}.ext`), ext)
    run(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      ...extra,
    )
  }
  selfSigned('ca', 'Fieldkit Test CA')
  selfSigned('other-ca', 'Some Other CA')
  signed('server', '127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1\n')
  signed('client', 'erp-sync-client', 'ca', 'extendedKeyUsage=clientAuth\n')
  signed('unknown', 'not-allowed-client', 'ca', 'extendedKeyUsage=clientAuth\n')
  signed('stranger', 'stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n')
  run(
    'pkcs12',
    '-export',
    '-in',
    'client.crt',
    '-inkey',
    'client.key',
    '-out',
    'client.p12',
    '-passout',
    'pass:p12-secret-pass',
  )
  const read = (name: string) => readFileSync(at(name), 'utf8')
  return {
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    strangerCert: read('stranger.crt'),
    strangerKey: read('stranger.key'),
    unknownCert: read('unknown.crt'),
    unknownKey: read('unknown.key'),
    pfx: readFileSync(at('client.p12')),
    pfxPassphrase: 'p12-secret-pass',
  }
}
