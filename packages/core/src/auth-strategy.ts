/** A request as an auth strategy sees it, on each attempt: it may add headers or query parameters. */
export interface AuthRequest {
  /** Upper-case HTTP method. */
  method: string
  /** The full URL, query included; a strategy may add query parameters (API keys, OAuth 1.0a in the query). */
  url: URL
  /** Lower-case header names; a strategy sets `authorization`, `cookie` or its own. */
  headers: Record<string, string>
  /** The body when it is known up front (signing schemes such as OAuth 1.0a form posts, SigV4, Digest auth-int). */
  body?: string | Uint8Array
  signal?: AbortSignal
}

/** The answer a strategy is shown when the server refuses (401/407) or asks for a new challenge. */
export interface AuthChallengeResponse {
  status: number
  /** Lower-case header names; repeated headers (several `WWW-Authenticate`) as arrays. */
  headers: Record<string, string | string[] | undefined>
}

/**
 * How `@fieldkit/http` (or any caller) talks to an auth strategy from `@fieldkit/auth`. `apply` runs on every
 * attempt, so nonces, counters and signatures are always fresh.
 *
 * @example
 * ```ts
 * const strategy: AuthStrategy = {
 *   scheme: 'ApiKey',
 *   apply(request) { request.headers['x-api-key'] = process.env.API_KEY ?? '' },
 * }
 * ```
 */
export interface AuthStrategy {
  /** The scheme's name for logs and errors (`Basic`, `Digest`, `NTLM`, `OAuth`, …); never a credential. */
  readonly scheme: string
  /** Adds credentials to the request; called before every attempt. */
  apply(request: AuthRequest): void | Promise<void>
  /**
   * Called when the server answered 401 or 407 (or the strategy's own logged-out signal). Returns true when the
   * strategy learnt something (a challenge, a fresh token, a new session) and the request should be sent once more;
   * false when the credentials were simply refused.
   */
  challenge?(response: AuthChallengeResponse, request: AuthRequest): boolean | Promise<boolean>
  /**
   * For answers other than 401/407: true when this one also means the credentials or session were refused (a 403
   * from a portal, a redirect to its login page). The caller then treats it like a 401: `challenge()`, then
   * `FK_AUTH_REJECTED` if that does not help.
   */
  isRefused?(response: AuthChallengeResponse): boolean
  /**
   * What to check when the server refused this scheme's credentials, in the maintainer's words and never holding a
   * secret: for NTLM the user and domain form that was sent, for Digest the realm, algorithm and qop offered and used,
   * for OAuth 1.0a the signature base string's parts. The caller puts it into `FK_AUTH_REJECTED`'s hint; without it
   * the hint is a generic one. `challenged` says whether the strategy answered a challenge before the refusal.
   */
  refusalHint?(response: AuthChallengeResponse, context: { challenged: boolean }): string
  /**
   * An undici `Dispatcher` every request must go through, for schemes bound to a connection (NTLM) or to TLS
   * options (client certificates). Typed `unknown` so that `@fieldkit/core` does not depend on undici.
   */
  readonly dispatcher?: unknown
  /**
   * For a strategy with its own `dispatcher`: a dispatcher like it whose connections resolve their host through
   * `lookup` (a `dns.lookup`-compatible function, a residency guard's `lookup(dataClass)`), so they connect only to an
   * address that function checked. `@fieldkit/http` calls it once per client given a residency guard; the strategy
   * keeps serving both dispatchers and closes both in `close()`. Optional: without it the destination is checked by
   * name only. Typed `unknown` like `dispatcher`.
   */
  pinnedDispatcher?(lookup: unknown): unknown
  /** Frees what the strategy holds (connections, timers, token refreshes in flight). */
  close?(): Promise<void>
}
