import type { KeyObject } from 'node:crypto'
import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { OAuth2Error } from './oauth2-error'
import { type JwtAlgorithm, loadSigningKey, type PrivateKeyInput } from './signing-key'

/** How the client proves who it is to the token endpoint (RFC 6749 section 2.3, OpenID Connect Core 9). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none'

/** The client's key for `private_key_jwt`. */
export interface ClientKeyOptions {
  privateKey: PrivateKeyInput
  passphrase?: string
  /** RS256 by default. */
  algorithm?: JwtAlgorithm
  /** `kid` header, when the server holds several keys for the client. */
  keyId?: string
}

/** The client fields shared by every OAuth 2.0 strategy. */
export interface ClientOptions {
  clientId?: string
  clientSecret?: string
  /** Default: `client_secret_basic` with a secret, `private_key_jwt` with a `clientKey`, else `none`. */
  clientAuth?: ClientAuthMethod
  clientKey?: ClientKeyOptions
}

/** A validated client authentication that can be applied to a token request. */
export interface ClientAuthenticator {
  readonly method: ClientAuthMethod
  readonly secrets: readonly string[]
  apply(headers: Record<string, string>, form: URLSearchParams, tokenUrl: string): Promise<void>
}

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** application/x-www-form-urlencoded, as RFC 6749 section 2.3.1 asks for the Basic credentials. */
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2)

/** Validates the client options once and returns how to authenticate each token request. */
export function clientAuthenticator(options: ClientOptions, needsClientId: boolean): ClientAuthenticator {
  const { clientId, clientSecret, clientKey } = options
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId === '')) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] Expected \`clientId\` to be a non-empty string, got ${typeof clientId}`,
      hint: 'Use the client id (consumer key) registered with the authorization server',
    })
  }
  const method: ClientAuthMethod =
    options.clientAuth ??
    (clientKey !== undefined ? 'private_key_jwt' : clientSecret !== undefined ? 'client_secret_basic' : 'none')
  if (!['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'].includes(method)) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] Expected \`clientAuth\` to be client_secret_basic, client_secret_post, private_key_jwt or none, got ${JSON.stringify(method)}`,
      hint: 'Use the token_endpoint_auth_method the client was registered with',
    })
  }
  if ((needsClientId || method !== 'none') && clientId === undefined) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: '[fieldkit/auth] Expected `clientId` to be a non-empty string, got undefined',
      hint: 'Use the client id (consumer key) registered with the authorization server',
    })
  }
  const id = clientId ?? ''
  if (method === 'client_secret_basic' || method === 'client_secret_post') {
    if (typeof clientSecret !== 'string' || clientSecret === '') {
      throw new OAuth2Error({
        code: 'FK_AUTH_INVALID_OPTIONS',
        message: `[fieldkit/auth] Expected \`clientSecret\` to be a non-empty string for ${method}, got ${typeof clientSecret}`,
        hint: 'Give the client secret, or choose clientAuth: "private_key_jwt" with a clientKey',
      })
    }
    if (method === 'client_secret_basic') {
      const header = `Basic ${Buffer.from(`${formEncode(id)}:${formEncode(clientSecret)}`).toString('base64')}`
      return {
        method,
        secrets: [clientSecret],
        async apply(headers) {
          headers.authorization = header
        },
      }
    }
    return {
      method,
      secrets: [clientSecret],
      async apply(_headers, form) {
        form.set('client_id', id)
        form.set('client_secret', clientSecret)
      },
    }
  }
  if (method === 'private_key_jwt') {
    if (clientKey === undefined) {
      throw new OAuth2Error({
        code: 'FK_AUTH_INVALID_OPTIONS',
        message: '[fieldkit/auth] Expected `clientKey` for clientAuth "private_key_jwt", got undefined',
        hint: 'Give clientKey: { privateKey: pemText, algorithm: "RS256", keyId } registered for this client',
      })
    }
    const algorithm = clientKey.algorithm ?? 'RS256'
    const key: KeyObject = loadSigningKey(clientKey.privateKey, algorithm, clientKey.passphrase, 'clientKey.privateKey')
    return {
      method,
      secrets: [],
      async apply(_headers, form, tokenUrl) {
        const now = Math.floor(Date.now() / 1000)
        const assertion = await new SignJWT({})
          .setProtectedHeader(
            clientKey.keyId ? { alg: algorithm, kid: clientKey.keyId, typ: 'JWT' } : { alg: algorithm, typ: 'JWT' },
          )
          .setIssuer(id)
          .setSubject(id)
          .setAudience(tokenUrl)
          .setJti(randomUUID())
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .sign(key)
        form.set('client_id', id)
        form.set('client_assertion_type', CLIENT_ASSERTION_TYPE)
        form.set('client_assertion', assertion)
      },
    }
  }
  return {
    method,
    secrets: [],
    async apply(_headers, form) {
      if (id !== '') form.set('client_id', id)
    },
  }
}
