import { requestToken } from './token-endpoint'
import { createTokenStrategy, type OAuth2Strategy, type TokenFlowOptions } from './token-strategy'

/** Options of {@link clientCredentials}: the shared token options (client id and secret or key, scope, store). */
export type ClientCredentialsOptions = TokenFlowOptions

/** Turns `scope` into the space-separated form parameter. */
export function scopeParam(scope: string | readonly string[] | undefined): Record<string, string> {
  if (scope === undefined) return {}
  const value = typeof scope === 'string' ? scope : scope.join(' ')
  return value === '' ? {} : { scope: value }
}

/**
 * OAuth 2.0 client credentials grant (RFC 6749 section 4.4): a token for the client itself, cached until shortly
 * before it expires, fetched once however many requests wait for it, and fetched again once when the API refuses it.
 *
 * @example
 * ```ts
 * const auth = clientCredentials({
 *   tokenUrl: 'https://login.example.com/oauth2/token',
 *   clientId: process.env.CLIENT_ID, clientSecret: process.env.CLIENT_SECRET,
 *   scope: ['orders.read'],
 * })
 * const http = createHttpClient({ baseUrl: 'https://api.example.com', auth })
 * ```
 */
export function clientCredentials(options: ClientCredentialsOptions): OAuth2Strategy {
  const tokenUrl = String(options?.tokenUrl)
  return createTokenStrategy(options, {
    grant: 'client_credentials',
    needsClientId: true,
    defaultStoreKey: `client_credentials ${tokenUrl} ${options?.clientId ?? ''}`,
    fetch: ({ endpoint, signal }) =>
      requestToken(
        endpoint,
        { grant_type: 'client_credentials', ...scopeParam(options.scope), ...options.params },
        signal,
      ),
  })
}
