import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { HttpResponse, http, type RequestHandler } from 'msw'
import { checkPath } from '../auth/params'
import { MockError } from '../errors'
import { CLIENT_CERT_HEADER } from '../serve'

const run = promisify(execFile)

/** A certificate and its private key, as PEM text and as files. */
export interface CertificatePair {
  cert: string
  key: string
  certPath: string
  keyPath: string
}

/** What {@link createTestCertificates} makes. */
export interface TestCertificates {
  /** The temporary folder holding every file. */
  dir: string
  /** The throwaway CA that signed everything below. */
  ca: CertificatePair
  /** Server certificate for `localhost` and `127.0.0.1`. */
  server: CertificatePair
  clients: {
    /** CN `fieldkit-client`, valid from an hour ago for `validDays`. */
    valid: CertificatePair
    /** CN `fieldkit-expired`, valid only during 2020-01-01. */
    expired: CertificatePair
    /** CN `fieldkit-future`, valid from a year from now. */
    notYetValid: CertificatePair
    /** CN `fieldkit-untrusted`, valid but signed by another CA. */
    untrusted: CertificatePair
    /** CN `fieldkit-unlisted`, valid and signed by the CA: trusted at the handshake, for an API that allows only `fieldkit-client`. */
    unlisted: CertificatePair
  }
  /** The valid client's key encrypted with `passphrase` (PEM, AES-256), and its PKCS#12 bundle with the same passphrase. */
  bundle: { encryptedKey: string; pfx: Buffer; passphrase: string }
  /** Deletes the folder. */
  cleanup(): Promise<void>
}

/** Options of {@link createTestCertificates}. */
export interface TestCertificateOptions {
  /** Validity of the CA, server and valid client certificates, in days. Default 2. */
  validDays?: number
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'

/**
 * Makes a throwaway PKI with the `openssl` binary in a temporary folder: a CA, a server certificate for
 * `localhost`/`127.0.0.1`, and client certificates that are valid, expired, not yet valid, signed by another CA, and
 * valid but not the one an API expects; plus the valid client as an encrypted key and a PKCS#12 bundle. Use it with `serve(handlers, { tls: { key, cert, ca, requestCert: true } })`, which refuses the last three at the
 * TLS handshake. Takes about a second (EC P-256 keys).
 *
 * @example
 * ```ts
 * const pki = await createTestCertificates()
 * const mock = await serve(clientCertificateResource({ path: '/mtls' }), { tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert, requestCert: true } })
 * await mock.close(); await pki.cleanup()
 * ```
 */
export async function createTestCertificates(options: TestCertificateOptions = {}): Promise<TestCertificates> {
  const days = options.validDays ?? 2
  const dir = await mkdtemp(join(tmpdir(), 'fieldkit-pki-'))
  const openssl = opensslIn(dir)
  const pair = (name: string) => readPair(dir, name)
  const now = Date.now()
  const day = 86_400_000
  const current = [now - 3_600_000, now + days * day] as const
  await makeCa(openssl, dir, 'ca', 'Fieldkit Test CA', days)
  await makeCa(openssl, dir, 'other-ca', 'Another Test CA', days)
  await issue(openssl, 'ca', 'server', 'localhost', 'server', current)
  await issue(openssl, 'ca', 'client', 'fieldkit-client', 'client', current)
  await issue(openssl, 'ca', 'expired', 'fieldkit-expired', 'client', [Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2)])
  await issue(openssl, 'ca', 'future', 'fieldkit-future', 'client', [now + 365 * day, now + 366 * day])
  await issue(openssl, 'other-ca', 'untrusted', 'fieldkit-untrusted', 'client', current)
  await issue(openssl, 'ca', 'unlisted', 'fieldkit-unlisted', 'client', current)
  const passphrase = 'fieldkit-bundle-pass'
  const pass = `pass:${passphrase}`
  await openssl(['pkey', '-in', 'client.key', '-out', 'client-encrypted.key', '-aes256', '-passout', pass])
  await openssl([
    'pkcs12',
    '-export',
    '-in',
    'client.crt',
    '-inkey',
    'client.key',
    '-out',
    'client.p12',
    '-passout',
    pass,
  ])

  return {
    dir,
    ca: await pair('ca'),
    server: await pair('server'),
    clients: {
      valid: await pair('client'),
      expired: await pair('expired'),
      notYetValid: await pair('future'),
      untrusted: await pair('untrusted'),
      unlisted: await pair('unlisted'),
    },
    bundle: {
      encryptedKey: await readFile(join(dir, 'client-encrypted.key'), 'utf8'),
      pfx: await readFile(join(dir, 'client.p12')),
      passphrase,
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

type Openssl = (args: string[]) => Promise<void>

/** Runs the openssl binary in `dir`; a failure removes the folder and is a typed error naming the subcommand. */
function opensslIn(dir: string): Openssl {
  return async (args) => {
    try {
      await run('openssl', args, { cwd: dir })
    } catch (error) {
      await rm(dir, { recursive: true, force: true })
      throw new MockError({
        code: 'FK_MOCK_OPENSSL',
        message: `[fieldkit/mocks] openssl ${args[0]} failed while making test certificates`,
        hint: 'Install the openssl binary (apt-get install openssl) and check that it is on PATH',
        cause: error,
      })
    }
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

/** A self-signed CA `<name>.crt`/`<name>.key` with its openssl `ca` database and configuration. */
async function makeCa(openssl: Openssl, dir: string, name: string, cn: string, days: number): Promise<void> {
  await mkdir(join(dir, `${name}-db`))
  await writeFile(join(dir, `${name}-db`, 'index.txt'), '')
  await writeFile(join(dir, `${name}-db`, 'serial'), `${Date.now().toString(16).padStart(16, '0')}\n`)
  await writeFile(join(dir, `${name}.cnf`), caConfig(dir, name))
  const constraints = [
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]
  await openssl([
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    String(days),
    '-subj',
    `/CN=${cn}`,
    ...constraints,
  ])
}

/** A key and a certificate for `cn` signed by the CA `ca` with the `server` or `client` profile, valid over `[from, to]`. */
async function issue(
  openssl: Openssl,
  ca: string,
  name: string,
  cn: string,
  profile: 'server' | 'client',
  [from, to]: readonly [number, number],
): Promise<void> {
  await openssl(['req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`])
  const dates = ['-startdate', stamp(from), '-enddate', stamp(to)]
  const signer = ['-config', `${ca}.cnf`, '-cert', `${ca}.crt`, '-keyfile', `${ca}.key`]
  await openssl([
    'ca',
    '-batch',
    ...signer,
    '-in',
    `${name}.csr`,
    '-out',
    `${name}.crt`,
    '-extensions',
    profile,
    ...dates,
    '-notext',
  ])
}

/**
 * A resource for an HTTPS {@link serve} with `requestCert: true`: answers `{ ok: true, user: <client certificate CN> }`,
 * or 401 when the request carried no client certificate (only possible when the server does not require one).
 *
 * @example
 * ```ts
 * const mock = await serve(clientCertificateResource({ path: '/mtls' }), { tls: { key, cert, ca, requestCert: true } })
 * ```
 */
export function clientCertificateResource(options: { path: string }): RequestHandler[] {
  const path = checkPath('clientCertificateResource', options.path)
  return [
    http.all(`*${path}`, ({ request }) => {
      const subject = request.headers.get(CLIENT_CERT_HEADER)
      if (subject === null)
        return HttpResponse.json({ ok: false, error: 'client certificate required' }, { status: 401 })
      return HttpResponse.json({ ok: true, user: subject, scheme: 'mTLS' })
    }),
  ]
}

/** The openssl `ca` configuration of a throwaway CA: its database in `<name>-db`, server and client profiles. */
function caConfig(dir: string, name: string): string {
  return [
    '[ ca ]',
    'default_ca = local',
    '[ local ]',
    `database = ${join(dir, `${name}-db`, 'index.txt')}`,
    `serial = ${join(dir, `${name}-db`, 'serial')}`,
    `new_certs_dir = ${join(dir, `${name}-db`)}`,
    'default_md = sha256',
    'policy = any',
    'unique_subject = no',
    'copy_extensions = none',
    '[ any ]',
    'commonName = supplied',
    '[ server ]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = serverAuth',
    'subjectAltName = DNS:localhost, IP:127.0.0.1',
    '[ client ]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = clientAuth',
    '',
  ].join('\n')
}

/** A certificate and its key as PEM text, with their paths. */
async function readPair(dir: string, name: string): Promise<CertificatePair> {
  return {
    cert: await readFile(join(dir, `${name}.crt`), 'utf8'),
    key: await readFile(join(dir, `${name}.key`), 'utf8'),
    certPath: join(dir, `${name}.crt`),
    keyPath: join(dir, `${name}.key`),
  }
}
