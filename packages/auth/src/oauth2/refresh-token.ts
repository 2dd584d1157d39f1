import { isFieldkitError } from '@fieldkit/core'
import { scopeParam } from './client-credentials'
import { OAuth2Error } from './oauth2-error'
import { requestToken } from './token-endpoint'
import { createTokenStrategy, type OAuth2Strategy, type TokenFlowOptions } from './token-strategy'

/** Options of {@link refreshToken}. */
export interface RefreshTokenOptions extends TokenFlowOptions {
  /**
   * The refresh token to start from when the store holds none yet (the first run). Afterwards the store's copy wins:
   * servers that rotate refresh tokens refuse this one once it has been used.
   */
  refreshToken?: string
}

/**
 * OAuth 2.0 refresh token grant (RFC 6749 section 6) with rotation: each new refresh token is written to the
 * `tokenStore` before the access token is used, so that a restart, or another replica sharing a Redis store, goes
 * on from the latest one instead of replaying a spent one (`invalid_grant`).
 *
 * @example
 * ```ts
 * const auth = refreshToken({
 *   tokenUrl: 'https://login.example.com/oauth2/token',
 *   clientId: process.env.CLIENT_ID, clientSecret: process.env.CLIENT_SECRET,
 *   refreshToken: process.env.INITIAL_REFRESH_TOKEN,
 *   tokenStore: fileTokenStore({ path: './.tokens.json' }),
 * })
 * ```
 */
export function refreshToken(options: RefreshTokenOptions): OAuth2Strategy {
  const initial = options?.refreshToken
  if (initial !== undefined && (typeof initial !== 'string' || initial === '')) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] Expected \`refreshToken\` to be a non-empty string, got ${typeof initial}`,
      hint: 'Give the refresh token issued for this client, or leave it out when the tokenStore already holds one',
    })
  }
  const tokenUrl = String(options?.tokenUrl)
  const used = new Set<string>()
  return createTokenStrategy(options, {
    grant: 'refresh_token',
    needsClientId: false,
    defaultStoreKey: `refresh_token ${tokenUrl} ${options?.clientId ?? ''}`,
    secrets: () => [...used, ...(initial === undefined ? [] : [initial])],
    async fetch({ stored, memoryRefreshToken, store, key, endpoint, signal }) {
      const current = stored?.refreshToken ?? memoryRefreshToken ?? initial
      if (current === undefined) {
        throw new OAuth2Error({
          code: 'FK_AUTH_NO_REFRESH_TOKEN',
          message: `[fieldkit/auth] no refresh token for ${endpoint.url.origin}${endpoint.url.pathname}: none configured and none in the tokenStore under "${key}"`,
          hint: 'Give refreshToken for the first run, or check that the tokenStore (path, Redis URL, storeKey) is the one the previous run wrote to',
        })
      }
      const grant = (token: string) => {
        used.add(token)
        return requestToken(
          endpoint,
          { grant_type: 'refresh_token', refresh_token: token, ...scopeParam(options.scope), ...options.params },
          signal,
        )
      }
      try {
        return await grant(current)
      } catch (error) {
        if (!isFieldkitError(error) || error.code !== 'FK_AUTH_INVALID_GRANT') throw error
        // Another replica may have rotated it a moment ago, or the last store write failed: try the other copy once.
        const again = await store.get(key)
        const other = [again?.refreshToken, memoryRefreshToken].find((t) => t !== undefined && t !== current)
        if (other === undefined) throw error
        return await grant(other)
      }
    },
  })
}
