import { OAuth2Error } from '../oauth2/oauth2-error'

/** What a token flow keeps between requests and between runs: the access token and the (rotating) refresh token. */
export interface StoredTokens {
  accessToken?: string
  /** `token_type` as the server sent it (`Bearer`). */
  tokenType?: string
  /** Epoch milliseconds after which the access token is no longer used. */
  expiresAt?: number
  /** The latest refresh token: servers that rotate them refuse the previous one with `invalid_grant`. */
  refreshToken?: string
  scope?: string
}

/**
 * Where token strategies keep their tokens. `set` must be durable when it resolves: a rotated refresh token that
 * is not saved is lost with the process, and the next run gets `invalid_grant`.
 */
export interface TokenStore {
  get(key: string): Promise<StoredTokens | undefined>
  set(key: string, tokens: StoredTokens): Promise<void>
  delete(key: string): Promise<void>
}

/** Parses a stored value; anything that is not an object of strings and numbers is treated as corrupt. */
export function parseStoredTokens(text: string, where: string): StoredTokens {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new OAuth2Error({
      code: 'FK_AUTH_TOKEN_STORE_CORRUPT',
      message: `[fieldkit/auth] the token store at ${where} does not hold valid JSON`,
      hint: 'Delete the stored entry (the strategy then starts again from its configured refresh token) and check that nothing else writes to it',
      cause: error,
    })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OAuth2Error({
      code: 'FK_AUTH_TOKEN_STORE_CORRUPT',
      message: `[fieldkit/auth] the token store at ${where} does not hold a token object`,
      hint: 'Delete the stored entry (the strategy then starts again from its configured refresh token) and check that nothing else writes to it',
    })
  }
  const record = value as Record<string, unknown>
  const tokens: StoredTokens = {}
  if (typeof record.accessToken === 'string') tokens.accessToken = record.accessToken
  if (typeof record.tokenType === 'string') tokens.tokenType = record.tokenType
  if (typeof record.expiresAt === 'number' && Number.isFinite(record.expiresAt)) tokens.expiresAt = record.expiresAt
  if (typeof record.refreshToken === 'string') tokens.refreshToken = record.refreshToken
  if (typeof record.scope === 'string') tokens.scope = record.scope
  return tokens
}
