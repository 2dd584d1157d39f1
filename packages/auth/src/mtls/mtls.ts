import { X509Certificate } from 'node:crypto'
import { createSecureContext } from 'node:tls'
import type { AuthStrategy, Logger } from '@fieldkit/core'
import { resolveLogger } from '@fieldkit/core'
import { Agent, type Dispatcher } from 'undici'
import { CertificateError } from './certificate-error'
import { certificateRefusalInterceptor } from './refusal'

/** Options of {@link mtls}: PEM `cert` and `key`, or a PKCS#12 `pfx`, as node:tls takes them. */
export interface MtlsOptions {
  /** Client certificate (PEM), optionally followed by its intermediates. */
  cert?: string | Buffer
  /** Private key of the certificate (PEM). */
  key?: string | Buffer
  /** Passphrase of an encrypted `key` or of the `pfx`. */
  passphrase?: string
  /** PKCS#12 bundle (certificate and key), instead of `cert` and `key`. */
  pfx?: Buffer
  /** CA certificates to trust for the server (e.g. a client's private CA); default: Node's bundled roots. */
  ca?: string | Buffer | readonly (string | Buffer)[]
  /** TLS server name (SNI) when it differs from the URL's host. */
  servername?: string
  /** Log a warning when the certificate expires within this many days (default 14). */
  warnWithinDays?: number
  /** Connections per origin of the dispatcher (default: undici's). */
  connections?: number
  logger?: Logger
}

/** The facts of the client certificate, safe to log. */
export interface CertificateInfo {
  subject: string
  issuer: string
  serialNumber: string
  fingerprint256: string
  /** ISO 8601. */
  validFrom: string
  validTo: string
}

/** A client-certificate strategy: every request goes through {@link MtlsStrategy.dispatcher}. */
export interface MtlsStrategy extends AuthStrategy {
  readonly scheme: 'mTLS'
  /**
   * The undici dispatcher with the certificate (an `Agent` composed with the refusal check): pass it as `dispatcher`
   * (the `@fieldkit/http` auth option does). A server that refuses the certificate — a TLS alert, a connection closed
   * right after the handshake, nginx's "No required SSL certificate was sent" page — gives `FK_AUTH_CERT_REFUSED`.
   */
  readonly dispatcher: Dispatcher
  readonly certificate: CertificateInfo | undefined
  close(): Promise<void>
}

const DAY = 86_400_000

function readCertificate(options: MtlsOptions): X509Certificate | undefined {
  try {
    if (options.cert !== undefined) return new X509Certificate(options.cert)
    // A PKCS#12 bundle is opened by OpenSSL through a secure context, which also checks the passphrase.
    const context = createSecureContext({ pfx: options.pfx, passphrase: options.passphrase }) as unknown as {
      context?: { getCertificate?: () => Buffer | null }
    }
    const der = context.context?.getCertificate?.()
    return der ? new X509Certificate(der) : undefined
  } catch (error) {
    throw new CertificateError({
      code: 'FK_AUTH_CERT_INVALID',
      message: `[fieldkit/auth] mtls: the client ${options.cert !== undefined ? 'certificate (cert)' : 'PKCS#12 bundle (pfx)'} cannot be read: ${(error as Error).message}`,
      hint: 'Give the PEM text (-----BEGIN CERTIFICATE-----) or the .p12/.pfx bytes, not a file path; for a pfx check the passphrase',
      cause: error,
    })
  }
}

function info(certificate: X509Certificate): CertificateInfo {
  return {
    subject: certificate.subject.replaceAll('\n', ', '),
    issuer: certificate.issuer.replaceAll('\n', ', '),
    serialNumber: certificate.serialNumber,
    fingerprint256: certificate.fingerprint256,
    validFrom: new Date(certificate.validFrom).toISOString(),
    validTo: new Date(certificate.validTo).toISOString(),
  }
}

/** Throws when the certificate is outside its validity period at `now`. */
function checkDates(certificate: CertificateInfo, now: number): void {
  const details = {
    validFrom: certificate.validFrom,
    validTo: certificate.validTo,
    serialNumber: certificate.serialNumber,
    fingerprint256: certificate.fingerprint256,
    now: new Date(now).toISOString(),
  }
  if (now > Date.parse(certificate.validTo)) {
    throw new CertificateError({
      code: 'FK_AUTH_CERT_EXPIRED',
      message: `[fieldkit/auth] mtls: the client certificate (serial ${certificate.serialNumber}) expired on ${certificate.validTo}; it was valid from ${certificate.validFrom}`,
      hint: 'Renew the client certificate with the party that issued it and deploy the new cert and key; the server would refuse the TLS handshake',
      details,
    })
  }
  if (now < Date.parse(certificate.validFrom)) {
    throw new CertificateError({
      code: 'FK_AUTH_CERT_NOT_YET_VALID',
      message: `[fieldkit/auth] mtls: the client certificate (serial ${certificate.serialNumber}) is not valid before ${certificate.validFrom} (valid until ${certificate.validTo})`,
      hint: "Check this machine's clock (NTP), or wait until the certificate's start date; a server would refuse it now",
      details,
    })
  }
}

/**
 * Client certificates (mutual TLS) on the undici connection: an `Agent` with the certificate and key (or a PKCS#12
 * bundle) and the CA to trust, exposed as `dispatcher`. The certificate's dates are checked at construction and
 * before each request, so an expired or not-yet-valid certificate is reported with its dates instead of as a failed
 * TLS handshake.
 *
 * @example
 * ```ts
 * const auth = mtls({ cert: readFileSync('client.crt', 'utf8'), key: readFileSync('client.key', 'utf8'), ca })
 * const res = await request('https://partner.example/api', { dispatcher: auth.dispatcher })
 * await auth.close()
 * ```
 */
export function mtls(options: MtlsOptions): MtlsStrategy {
  const hasPem = options?.cert !== undefined || options?.key !== undefined
  if (
    hasPem === (options?.pfx !== undefined) ||
    (hasPem && (options.cert === undefined || options.key === undefined))
  ) {
    throw new CertificateError({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: '[fieldkit/auth] mtls: Expected either `cert` and `key` (PEM) or `pfx` (PKCS#12), not both or neither',
      hint: 'Give mtls({ cert, key }) with the PEM texts, or mtls({ pfx, passphrase }) with the .p12/.pfx bytes',
    })
  }
  const warnWithinDays = options.warnWithinDays ?? 14
  const logger = resolveLogger(options.logger, 'auth')
  const x509 = readCertificate(options)
  const certificate = x509 === undefined ? undefined : info(x509)
  // Checks that the key matches the certificate (and decrypts with the passphrase) before the first connection.
  try {
    createSecureContext({
      cert: options.cert,
      key: options.key,
      pfx: options.pfx,
      passphrase: options.passphrase,
      ca: options.ca as string | Buffer | (string | Buffer)[] | undefined,
    })
  } catch (error) {
    throw new CertificateError({
      code: 'FK_AUTH_CERT_INVALID',
      message: `[fieldkit/auth] mtls: the certificate, key or CA cannot be used: ${(error as { code?: string }).code ?? (error as Error).message}`,
      hint: 'Check that the key belongs to the certificate (openssl x509 -noout -modulus vs openssl rsa -noout -modulus), the passphrase, and that ca is PEM',
      cause: error,
    })
  }
  let validFrom = Number.NEGATIVE_INFINITY
  let validTo = Number.POSITIVE_INFINITY
  if (certificate !== undefined) {
    checkDates(certificate, Date.now())
    validFrom = Date.parse(certificate.validFrom)
    validTo = Date.parse(certificate.validTo)
    const daysLeft = (validTo - Date.now()) / DAY
    if (daysLeft < warnWithinDays) {
      logger.warn(
        { validTo: certificate.validTo, daysLeft: Math.floor(daysLeft), serialNumber: certificate.serialNumber },
        'client certificate expires soon',
      )
    }
  } else {
    logger.warn({}, 'the dates of the pfx certificate could not be read; they are not checked before requests')
  }
  const agent = new Agent({
    ...(options.connections === undefined ? {} : { connections: options.connections }),
    connect: {
      cert: options.cert,
      key: options.key,
      pfx: options.pfx,
      passphrase: options.passphrase,
      ca: options.ca as string | Buffer | (string | Buffer)[] | undefined,
      servername: options.servername,
    },
  })
  const offered = certificate ?? {} // a pfx whose certificate could not be read was still sent
  const dispatcher = agent.compose(certificateRefusalInterceptor(offered))
  let closed = false
  return {
    scheme: 'mTLS',
    dispatcher,
    certificate,
    apply() {
      const now = Date.now()
      if ((now > validTo || now < validFrom) && certificate !== undefined) checkDates(certificate, now)
      if (closed) {
        throw new CertificateError({
          code: 'FK_AUTH_CLOSED',
          message: '[fieldkit/auth] mtls: the strategy was used after close()',
          hint: 'Create the strategy once per client and close it only when the client is closed',
        })
      }
    },
    refusalHint(response, { challenged }) {
      const who =
        certificate === undefined
          ? 'a certificate from a PKCS#12 bundle'
          : `the certificate with subject "${certificate.subject}" and issuer "${certificate.issuer}"`
      return `The TLS handshake accepted ${who}, but the application answered ${response.status}${challenged ? ' after a retry' : ''}: ask the service owner whether this certificate (serial ${certificate?.serialNumber ?? 'unknown'}) is registered for this client and has access to this resource`
    },
    async close() {
      if (closed) return
      closed = true
      await agent.close()
    },
  }
}
