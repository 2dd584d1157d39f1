import type { AuthChallengeResponse, AuthRequest, AuthStrategy, Logger } from '@fieldkit/core'
import { resolveLogger } from '@fieldkit/core'
import { Agent, type Dispatcher } from 'undici'
import { memoryTokenStore } from '../token-store/memory-token-store'
import type { StoredTokens, TokenStore } from '../token-store/token-store'
import { type ClientOptions, clientAuthenticator } from './client-auth'
import { OAuth2Error } from './oauth2-error'
import { raceSignal, SingleFlight } from './single-flight'
import type { TokenEndpoint, TokenResponse } from './token-endpoint'

/** Options every OAuth 2.0 strategy takes. */
export interface TokenFlowOptions extends ClientOptions {
  /** The token endpoint, e.g. `https://login.salesforce.com/services/oauth2/token`. */
  tokenUrl: string | URL
  /** Requested scope: a space-separated string or a list. */
  scope?: string | readonly string[]
  /** Extra form parameters of each token request (`audience`, `resource`, …). */
  params?: Readonly<Record<string, string>>
  /** Where tokens are kept between requests and runs (default: in memory, per strategy). */
  tokenStore?: TokenStore
  /** Key of this client's entry in the store (default: grant, token URL and client id). */
  storeKey?: string
  /** A token is refreshed this long before it expires, at most half its lifetime (default 60 000 ms). */
  refreshBeforeExpiryMs?: number
  /** Lifetime assumed when the server sends no `expires_in` (Salesforce does not; default 3600 s). */
  defaultExpiresInSeconds?: number
  /** Timeout of one token request (default 30 000 ms). */
  timeoutMs?: number
  /** undici dispatcher for the token requests (a proxy, or `mtls(…).dispatcher`); default: the strategy's own Agent. */
  dispatcher?: Dispatcher
  /** pino-style logger; silent by default. Tokens and secrets are never logged. */
  logger?: Logger
}

/** An OAuth 2.0 strategy: adds `authorization: Bearer …`, refreshes before expiry and once when a token is refused. */
export interface OAuth2Strategy extends AuthStrategy {
  readonly scheme: 'Bearer'
  /** The current access token (fetched or refreshed when needed), for callers that are not HTTP requests. */
  getToken(signal?: AbortSignal): Promise<string>
  challenge(response: AuthChallengeResponse, request: AuthRequest): Promise<boolean>
  close(): Promise<void>
}

/** What a grant supplies: how to get a new token, given what the store holds. */
export interface TokenFetchContext {
  stored: StoredTokens | undefined
  /** The refresh token this process holds, when the store's copy could not be written. */
  memoryRefreshToken: string | undefined
  store: TokenStore
  key: string
  endpoint: TokenEndpoint
  signal: AbortSignal
}

/** Internal: the grant-specific part of a strategy. */
export interface GrantDefinition {
  grant: string
  /** Secrets beyond the client's (refresh token, nothing of an assertion) to keep out of messages. */
  secrets?: () => readonly string[]
  /** Whether the grant needs a client id even with clientAuth "none". */
  needsClientId: boolean
  defaultStoreKey: string
  fetch(context: TokenFetchContext): Promise<TokenResponse>
}

/** A refused token whose replacement is refused within this window means the credentials are wrong: stop. */
const FRESH_WINDOW_MS = 30_000

function positive(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] Expected \`${name}\` to be a non-negative number, got ${String(value)}`,
      hint: 'Give a number of milliseconds (or seconds where the option name says so)',
    })
  }
  return value
}

/** Validates the shared options and returns the token URL as a URL. */
export function parseTokenUrl(value: string | URL | undefined): URL {
  let url: URL | undefined
  try {
    url = value === undefined ? undefined : new URL(String(value))
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_OPTIONS',
      message: `[fieldkit/auth] Expected \`tokenUrl\` to be an http(s) URL, got ${value === undefined ? 'undefined' : typeof value}`,
      hint: 'Give the token endpoint, e.g. https://login.example.com/oauth2/token',
    })
  }
  return url
}

/** Builds an {@link OAuth2Strategy} around a grant: cache, single flight, store, refusal handling. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: not yet split (issue 20 point 8, open)
export function createTokenStrategy(options: TokenFlowOptions, grant: GrantDefinition): OAuth2Strategy {
  const tokenUrl = parseTokenUrl(options.tokenUrl)
  const client = clientAuthenticator(options, grant.needsClientId)
  const refreshBeforeMs = positive(options.refreshBeforeExpiryMs, 'refreshBeforeExpiryMs', 60_000)
  const defaultExpiresInSeconds = positive(options.defaultExpiresInSeconds, 'defaultExpiresInSeconds', 3600)
  const timeoutMs = positive(options.timeoutMs, 'timeoutMs', 30_000)
  const store = options.tokenStore ?? memoryTokenStore()
  const key = options.storeKey ?? grant.defaultStoreKey
  const logger = resolveLogger(options.logger, 'auth')
  const ownAgent = options.dispatcher === undefined ? new Agent({ keepAliveTimeout: 10_000 }) : undefined
  const endpoint: TokenEndpoint = {
    url: tokenUrl,
    client,
    dispatcher: options.dispatcher ?? (ownAgent as Agent),
    timeoutMs,
    defaultExpiresInSeconds,
    logger,
    secrets: () => [
      ...client.secrets,
      ...(grant.secrets?.() ?? []),
      ...(memoryRefreshToken ? [memoryRefreshToken] : []),
    ],
  }

  // The hot path reads these three fields only.
  let header: string | undefined
  let refreshAt = 0 // from here on, refresh in the background while still using the token
  let expiresAt = 0 // from here on (minus a small margin), wait for a new token
  let memoryRefreshToken: string | undefined
  let refusedFresh: string | undefined
  let refusedFreshAt = 0
  let rejected: string | undefined
  let closed = false
  const shutdown = new AbortController()
  const flight = new SingleFlight<string>()

  const headerOf = (tokenType: string | undefined, token: string) =>
    `${tokenType === undefined || tokenType.toLowerCase() === 'bearer' ? 'Bearer' : tokenType} ${token}`

  function adopt(tokenType: string | undefined, token: string, until: number): string {
    const lifetime = Math.max(0, until - Date.now())
    header = headerOf(tokenType, token)
    refreshAt = until - Math.min(refreshBeforeMs, lifetime / 2)
    expiresAt = until - Math.min(5_000, lifetime / 10)
    return header
  }

  function obtain(refused: string | undefined): Promise<string> {
    return flight.run(async () => {
      const stored = await store.get(key)
      // Another replica (or the previous run) may hold a newer token than this process: use it when still good.
      if (stored?.accessToken !== undefined && stored.expiresAt !== undefined) {
        const candidate = headerOf(stored.tokenType, stored.accessToken)
        const lifetimeLeft = stored.expiresAt - Date.now()
        if (
          candidate !== refused &&
          candidate !== rejected &&
          candidate !== header &&
          lifetimeLeft > Math.min(refreshBeforeMs, 60_000)
        ) {
          if (stored.refreshToken !== undefined) memoryRefreshToken = stored.refreshToken
          logger.debug({ grant: grant.grant, source: 'store' }, 'token taken from the store')
          return adopt(stored.tokenType, stored.accessToken, stored.expiresAt)
        }
      }
      const fresh = await grant.fetch({ stored, memoryRefreshToken, store, key, endpoint, signal: shutdown.signal })
      if (closed) throw closedError()
      const refreshToken = fresh.refreshToken ?? stored?.refreshToken ?? memoryRefreshToken
      if (refreshToken !== undefined) memoryRefreshToken = refreshToken
      const next: StoredTokens = {
        accessToken: fresh.accessToken,
        tokenType: fresh.tokenType,
        expiresAt: fresh.expiresAt,
      }
      if (refreshToken !== undefined) next.refreshToken = refreshToken
      if (fresh.scope !== undefined) next.scope = fresh.scope
      const adopted = adopt(fresh.tokenType, fresh.accessToken, fresh.expiresAt)
      // Saved before the token is handed out: a rotated refresh token must not live in memory only.
      await store.set(key, next)
      logger.debug(
        {
          grant: grant.grant,
          expiresInS: Math.round((fresh.expiresAt - Date.now()) / 1000),
          rotated: fresh.refreshToken !== undefined,
        },
        'token fetched',
      )
      return adopted
    })
  }

  function closedError(): OAuth2Error {
    return new OAuth2Error({
      code: 'FK_AUTH_CLOSED',
      message: `[fieldkit/auth] the ${grant.grant} strategy for ${tokenUrl.origin}${tokenUrl.pathname} was used after close()`,
      hint: 'Create the strategy once per client and close it only when the client is closed',
    })
  }

  async function applySlow(request: AuthRequest): Promise<void> {
    if (closed) throw closedError()
    const now = Date.now()
    if (header !== undefined && now < expiresAt) {
      const current = header
      if (!flight.running) {
        obtain(undefined).catch((error: unknown) =>
          logger.warn({ grant: grant.grant, code: (error as OAuth2Error).code }, 'background token refresh failed'),
        )
      }
      request.headers.authorization = current
      return
    }
    request.headers.authorization = await raceSignal(obtain(undefined), request.signal)
  }

  return {
    scheme: 'Bearer',
    apply(request) {
      if (header !== undefined && Date.now() < refreshAt && !closed) {
        request.headers.authorization = header
        return
      }
      return applySlow(request)
    },
    async challenge(response, request) {
      if (response.status !== 401 || closed) return false
      const sent = request.headers.authorization
      if (sent === undefined) return false
      if (sent === refusedFresh && Date.now() - refusedFreshAt < FRESH_WINDOW_MS) {
        logger.warn({ grant: grant.grant, status: response.status }, 'a freshly fetched token was refused')
        // Not used again: the next request starts from a new token (and not from the store's copy of this one).
        rejected = sent
        if (header === sent) {
          header = undefined
          refreshAt = 0
          expiresAt = 0
        }
        return false
      }
      if (header !== undefined && header !== sent && Date.now() < expiresAt && !flight.running) {
        return true // another request already replaced the refused token
      }
      logger.debug({ grant: grant.grant, status: response.status }, 'token refused; fetching a new one')
      const next = await raceSignal(obtain(sent), request.signal)
      if (next === sent) return false
      refusedFresh = next
      refusedFreshAt = Date.now()
      return true
    },
    async getToken(signal) {
      const fake: AuthRequest = { method: 'GET', url: tokenUrl, headers: {}, signal }
      await this.apply(fake)
      const value = fake.headers.authorization ?? ''
      return value.slice(value.indexOf(' ') + 1)
    },
    async close() {
      if (closed) return
      closed = true
      header = undefined
      shutdown.abort(closedError())
      await ownAgent?.close()
    },
  }
}
