import type { StoredTokens, TokenStore } from './token-store'

/**
 * Keeps tokens in this process only (the default): a restart starts again from the configured refresh token.
 *
 * @example
 * ```ts
 * const store = memoryTokenStore()
 * const auth = refreshToken({ tokenUrl, clientId, refreshToken: initial, tokenStore: store })
 * ```
 */
export function memoryTokenStore(): TokenStore {
  const entries = new Map<string, StoredTokens>()
  return {
    async get(key) {
      const found = entries.get(key)
      return found === undefined ? undefined : { ...found }
    },
    async set(key, tokens) {
      entries.set(key, { ...tokens })
    },
    async delete(key) {
      entries.delete(key)
    },
  }
}
