import { type AuthChallengeResponse, AuthError, type AuthStrategy } from '@fieldkit/core'

/**
 * How many challenges one request answers before a refusal is final. One is not enough: a server may answer the
 * answer with a fresh challenge (Digest `stale=true` with a new nonce, RFC 7616 section 3.3; a new realm, RFC 7235
 * section 2.2), and the strategy says so by returning true again. Three bounds a server that keeps asking.
 */
export const MAX_CHALLENGES = 3

/**
 * `FK_AUTH_REJECTED` for a refused credential: which scheme refused, after how many answered challenges, and the
 * strategy's own {@link AuthStrategy.refusalHint} of what to check when it has one. "After answering its challenge"
 * is said only when the strategy answered one (a scheme without `challenge()` never did).
 *
 * @example
 * ```ts
 * throw authRefused(strategy, { status: 401, headers }, { method: 'GET', url: 'https://erp.example/api', challenges: 1 })
 * ```
 */
export function authRefused(
  auth: AuthStrategy,
  response: AuthChallengeResponse,
  request: { method: string; url: string; challenges: number },
): AuthError {
  const challenged = request.challenges > 0
  const after = !challenged
    ? ''
    : request.challenges === 1
      ? ' after answering its challenge'
      : ` after answering ${request.challenges} challenges`
  const options = {
    code: 'FK_AUTH_REJECTED' as const,
    message: `[fieldkit/http] ${request.method} ${request.url} was refused with ${response.status} by ${auth.scheme} authentication${after}`,
    hint: 'The server refused the credentials: check the user name, domain, password or token, its expiry and scopes, and the clock skew between this machine and the server',
    details: {
      scheme: auth.scheme,
      challenged,
      challenges: request.challenges,
      method: request.method,
      url: request.url,
      status: response.status,
    },
  }
  try {
    const own = auth.refusalHint?.(response, { challenged })
    if (typeof own === 'string' && own !== '') options.hint = own // the scheme knows better what to check
  } catch {
    // a strategy's hint must never turn a refusal into another error: the generic hint stays
  }
  return new AuthError(options)
}
