import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { scopeParam } from './client-credentials'
import { OAuth2Error } from './oauth2-error'
import { type JwtAlgorithm, loadSigningKey, type PrivateKeyInput } from './signing-key'
import { requestToken } from './token-endpoint'
import { createTokenStrategy, type OAuth2Strategy, type TokenFlowOptions } from './token-strategy'

/** Options of {@link jwtBearer}. */
export interface JwtBearerOptions extends TokenFlowOptions {
  /** `iss`: the connected app's consumer key (Salesforce) or the service account's `client_email` (Google). */
  issuer: string
  /** `sub`: the user the token is for (Salesforce username; Google user to impersonate). Left out when undefined. */
  subject?: string
  /** `aud` (default: the token URL). Salesforce wants `https://login.salesforce.com` (or `test.` for sandboxes). */
  audience?: string
  /** The private key matching the certificate registered with the server: PEM text or a KeyObject. */
  privateKey: PrivateKeyInput
  passphrase?: string
  /** RS256 (default), PS256 or ES256. */
  algorithm?: JwtAlgorithm
  /** `kid` header (Google: the service account's `private_key_id`). */
  keyId?: string
  /** Seconds from `iat` to `exp` (default 120; Salesforce refuses more than 180). */
  assertionLifetimeSeconds?: number
  /** Extra claims (Google: `{ scope: 'https://www.googleapis.com/auth/…' }`). */
  claims?: Readonly<Record<string, unknown>>
}

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

/**
 * JWT bearer grant (RFC 7523 section 2.1): a short-lived assertion signed with the client's key (jose; RS256, PS256
 * or ES256) is exchanged for an access token, as Salesforce's JWT bearer flow and Google service accounts do. A new
 * assertion is signed for every token request.
 *
 * @example
 * ```ts
 * const auth = jwtBearer({
 *   tokenUrl: 'https://login.salesforce.com/services/oauth2/token',
 *   issuer: process.env.SF_CONSUMER_KEY, subject: 'integration@client.example',
 *   audience: 'https://login.salesforce.com',
 *   privateKey: readFileSync('server.key', 'utf8'),
 * })
 * ```
 */
export function jwtBearer(options: JwtBearerOptions): OAuth2Strategy {
  const { issuer, subject, keyId, claims } = options ?? ({} as JwtBearerOptions)
  if (typeof issuer !== 'string' || issuer === '') {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] Expected \`issuer\` of jwtBearer to be a non-empty string, got ${typeof issuer}`,
      hint: 'Use the consumer key (Salesforce) or the service account client_email (Google)',
    })
  }
  if (subject !== undefined && (typeof subject !== 'string' || subject === '')) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] Expected \`subject\` of jwtBearer to be a non-empty string, got ${typeof subject}`,
      hint: 'Use the username the token is for, or leave subject out',
    })
  }
  const lifetime = options.assertionLifetimeSeconds ?? 120
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 3600) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] Expected \`assertionLifetimeSeconds\` to be an integer from 1 to 3600, got ${String(lifetime)}`,
      hint: 'Keep assertions short-lived: Salesforce refuses an exp more than 180 s ahead; the default is 120',
    })
  }
  const algorithm = options.algorithm ?? 'RS256'
  const key = loadSigningKey(options.privateKey, algorithm, options.passphrase, 'privateKey')
  const tokenUrl = String(options.tokenUrl)
  const audience = options.audience ?? tokenUrl
  return createTokenStrategy(options, {
    grant: 'jwt-bearer',
    needsClientId: false,
    defaultStoreKey: `jwt-bearer ${tokenUrl} ${issuer} ${subject ?? ''}`,
    async fetch({ endpoint, signal }) {
      const now = Math.floor(Date.now() / 1000)
      let jwt = new SignJWT({ ...claims })
        .setProtectedHeader(
          keyId === undefined ? { alg: algorithm, typ: 'JWT' } : { alg: algorithm, kid: keyId, typ: 'JWT' },
        )
        .setIssuer(issuer)
        .setAudience(audience)
        .setJti(randomUUID())
        .setIssuedAt(now)
        .setExpirationTime(now + lifetime)
      if (subject !== undefined) jwt = jwt.setSubject(subject)
      const assertion = await jwt.sign(key)
      return requestToken(
        endpoint,
        { grant_type: GRANT, assertion, ...scopeParam(options.scope), ...options.params },
        signal,
      )
    },
  })
}
