import { AuthError } from '../errors'

/**
 * Thrown by the OAuth 2.0 strategies (`clientCredentials`, `refreshToken`, `jwtBearer`) and the token stores: a
 * refused client or grant, an unreachable or misbehaving token endpoint, a store that cannot be read or written.
 * Messages and details never hold a token, a secret or an assertion. An {@link AuthError}, so `code` tells them apart.
 *
 * @example
 * ```ts
 * try { await auth.getToken() } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_AUTH_INVALID_GRANT') alertOnCall(e.hint)
 * }
 * ```
 */
export class OAuth2Error extends AuthError {
  override name = 'OAuth2Error'
}
