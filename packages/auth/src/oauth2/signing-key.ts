import { createPrivateKey, type KeyObject } from 'node:crypto'
import { OAuth2Error } from './oauth2-error'

/** The JWS algorithms the JWT strategies sign with. */
export type JwtAlgorithm = 'RS256' | 'ES256' | 'PS256'

const ALGORITHMS: readonly JwtAlgorithm[] = ['RS256', 'ES256', 'PS256']

/** A private key given as PEM (PKCS#8, PKCS#1 or SEC1, optionally encrypted) or as a `KeyObject`. */
export type PrivateKeyInput = string | Buffer | KeyObject

/**
 * Loads a private key once, at construction, and checks that it fits the algorithm, so that a wrong key is reported
 * before the first request rather than as an opaque `invalid_grant` from the server.
 */
export function loadSigningKey(
  key: PrivateKeyInput | undefined,
  algorithm: JwtAlgorithm,
  passphrase: string | undefined,
  field: string,
): KeyObject {
  if (!ALGORITHMS.includes(algorithm)) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] Expected \`algorithm\` to be one of ${ALGORITHMS.join(', ')}, got ${JSON.stringify(algorithm)}`,
      hint: 'Use RS256 (Salesforce, Google service accounts), PS256 or ES256, as the authorization server expects',
    })
  }
  let keyObject: KeyObject
  if (typeof key === 'object' && key !== null && !Buffer.isBuffer(key) && 'asymmetricKeyType' in key) {
    keyObject = key
  } else if (typeof key === 'string' || Buffer.isBuffer(key)) {
    try {
      keyObject = createPrivateKey(passphrase === undefined ? { key } : { key, passphrase })
    } catch (error) {
      throw new OAuth2Error({
        code: 'FK_AUTH_PRIVATE_KEY',
        message: `[fieldkit/auth] \`${field}\` is not a readable private key (${(error as { code?: string }).code ?? 'unreadable'})`,
        hint: 'Give the PEM text itself (-----BEGIN PRIVATE KEY----- …), not a file path; for an encrypted key also give its passphrase',
        cause: error,
      })
    }
  } else {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] Expected \`${field}\` to be a PEM string or a KeyObject, got ${typeof key}`,
      hint: 'Read the key file yourself (readFileSync(path, "utf8")) and pass its text',
    })
  }
  if (keyObject.type !== 'private') {
    throw new OAuth2Error({
      code: 'FK_AUTH_PRIVATE_KEY',
      message: `[fieldkit/auth] \`${field}\` is a ${keyObject.type} key; signing needs the private key`,
      hint: 'Use the private key that belongs to the certificate or public key registered with the authorization server',
    })
  }
  const type = keyObject.asymmetricKeyType
  const curve = keyObject.asymmetricKeyDetails?.namedCurve
  const fits = algorithm === 'ES256' ? type === 'ec' && curve === 'prime256v1' : type === 'rsa' || type === 'rsa-pss'
  if (!fits) {
    throw new OAuth2Error({
      code: 'FK_AUTH_PRIVATE_KEY',
      message: `[fieldkit/auth] \`${field}\` is a ${type}${curve ? ` (${curve})` : ''} key, which cannot sign ${algorithm}`,
      hint: 'RS256 and PS256 need an RSA key; ES256 needs an EC key on the P-256 curve',
    })
  }
  return keyObject
}
