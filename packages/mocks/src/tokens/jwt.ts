import { constants, createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto'

/** JWS algorithms the token endpoint accepts (RFC 7518 section 3): no `none`, no HMAC. */
export const JWT_ALGORITHMS = ['RS256', 'ES256', 'PS256'] as const

/** A public key as PEM text or a JWK object. */
export type PublicKeyInput = string | JsonWebKey

/** Turns a PEM or JWK public key into a KeyObject; undefined when it is neither. */
export function toPublicKey(input: PublicKeyInput): KeyObject | undefined {
  try {
    return typeof input === 'string' ? createPublicKey(input) : createPublicKey({ key: input, format: 'jwk' })
  } catch {
    return undefined
  }
}

/** Claims of a verified JWT. */
export type JwtClaims = Record<string, unknown>

const SEGMENT = /^[A-Za-z0-9_-]*$/

function json(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** The header and claims of a compact JWS, without checking anything; undefined when it is not one. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: JwtClaims } | undefined {
  if (token.length > 16_384) return undefined
  const parts = token.split('.')
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return undefined
  const header = json(parts[0] as string)
  const claims = json(parts[1] as string)
  return header && claims ? { header, claims } : undefined
}

/**
 * Checks a compact JWS signature with node:crypto (written apart from the jose-based client side): RS256 is
 * RSASSA-PKCS1-v1_5, PS256 RSASSA-PSS with a 32-byte salt, ES256 ECDSA P-256 with the raw r||s signature.
 */
export function verifyJwtSignature(token: string, key: KeyObject): boolean {
  const parts = token.split('.')
  const decoded = decodeJwt(token)
  if (!decoded || parts.length !== 3) return false
  const alg = decoded.header.alg
  const data = Buffer.from(`${parts[0]}.${parts[1]}`)
  const signature = Buffer.from(parts[2] as string, 'base64url')
  const type = key.asymmetricKeyType
  try {
    if (alg === 'RS256' && type === 'rsa') return verify('sha256', data, key, signature)
    if (alg === 'PS256' && (type === 'rsa' || type === 'rsa-pss')) {
      return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)
    }
    if (alg === 'ES256' && type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
      return signature.length === 64 && verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
    }
  } catch {
    return false
  }
  return false
}
