import { FieldkitError } from './errors'

/** Codes of the errors thrown for authentication, by `@fieldkit/auth` and by `@fieldkit/http` answering challenges. */
export type AuthErrorCode =
  | 'FK_AUTH_CERT_EXPIRED'
  | 'FK_AUTH_CERT_INVALID'
  | 'FK_AUTH_CERT_REFUSED'
  | 'FK_AUTH_CERT_NOT_YET_VALID'
  | 'FK_AUTH_CHALLENGE'
  | 'FK_AUTH_CLOSED'
  | 'FK_AUTH_CSRF_NOT_FOUND'
  | 'FK_AUTH_INVALID_CLIENT'
  | 'FK_AUTH_INVALID_GRANT'
  | 'FK_AUTH_INVALID_OPTIONS'
  | 'FK_AUTH_LOGIN_FAILED'
  | 'FK_AUTH_LOGIN_UNREACHABLE'
  | 'FK_AUTH_NO_REFRESH_TOKEN'
  | 'FK_AUTH_NTLM_CONNECTION'
  | 'FK_AUTH_PRIVATE_KEY'
  | 'FK_AUTH_REJECTED'
  | 'FK_AUTH_TOKEN_ENDPOINT'
  | 'FK_AUTH_TOKEN_ENDPOINT_UNREACHABLE'
  | 'FK_AUTH_TOKEN_REFUSED'
  | 'FK_AUTH_TOKEN_RESPONSE'
  | 'FK_AUTH_TOKEN_STORE_CORRUPT'
  | 'FK_AUTH_TOKEN_STORE_IO'
  | 'FK_AUTH_UNSUPPORTED_ALGORITHM'

/**
 * The family of every authentication failure (`FK_AUTH_*`). It lives in `core` because two packages throw it:
 * `@fieldkit/auth` (strategies, token endpoints, `withAuth`) and `@fieldkit/http` (a server that refuses the answer to
 * its challenge). `@fieldkit/auth` re-exports it, so `catch (e) { if (e instanceof AuthError) … }` sees both.
 *
 * @example
 * ```ts
 * throw new AuthError({
 *   code: 'FK_AUTH_REJECTED',
 *   message: '[fieldkit/http] GET https://erp.example/api: the server refused the Digest answer (401)',
 *   hint: 'Check the user name and password, and the realm the server names',
 *   details: { scheme: 'Digest', status: 401 },
 * })
 * ```
 */
export class AuthError extends FieldkitError<AuthErrorCode> {
  override name = 'AuthError'
}
