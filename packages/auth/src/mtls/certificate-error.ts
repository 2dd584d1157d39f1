import { AuthError } from '../errors'

/**
 * Thrown by `mtls`: a client certificate that has expired or is not valid yet (reported before any request, with
 * its dates), or a certificate, key or PKCS#12 bundle that cannot be read. Never holds the key or the passphrase.
 *
 * @example
 * ```ts
 * try { mtls({ cert, key }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_AUTH_CERT_EXPIRED') console.error(e.details.validTo)
 * }
 * ```
 */
export class CertificateError extends AuthError {
  override name = 'CertificateError'
}
