import { AuthError } from '../errors'

/**
 * Thrown by `sessionLogin`: the login was refused, the CSRF token was not found, or the portal could not be
 * reached. Messages and details hold neither the password, the CSRF token nor a cookie.
 *
 * @example
 * ```ts
 * try { await portal.login() } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_AUTH_CSRF_NOT_FOUND') console.error(e.hint)
 * }
 * ```
 */
export class SessionError extends AuthError {
  override name = 'SessionError'
}
