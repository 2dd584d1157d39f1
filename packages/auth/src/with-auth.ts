import {
  type AuthChallengeResponse,
  type AuthRequest,
  type AuthStrategy,
  type Logger,
  resolveLogger,
} from '@fieldkit/core'
import { type Dispatcher, request as undiciRequest } from 'undici'
import { AuthError } from './errors'

/** Options of {@link withAuth}. */
export interface WithAuthOptions {
  /** The undici dispatcher to send through (an `Agent`, a `ProxyAgent`…); a strategy's own `dispatcher` (NTLM) wins. */
  dispatcher?: Dispatcher
  logger?: Logger
}

/** One request sent by the function {@link withAuth} returns. */
export interface AuthedRequestOptions {
  method?: string
  headers?: Record<string, string>
  /** Known up front, so that signing schemes (OAuth 1.0a form posts, SigV4, Digest auth-int) can cover it. */
  body?: string | Uint8Array
  signal?: AbortSignal
}

/** Sends one request with authentication; see {@link withAuth}. */
export type AuthedRequest = (url: string | URL, options?: AuthedRequestOptions) => Promise<Dispatcher.ResponseData>

/**
 * Most attempts per request: the first, then up to three answered challenges — a challenge, a new realm's challenge
 * (Digest, RFC 7235 section 2.2) and a `stale=true` nonce (RFC 7616 section 3.3) can come one after the other. The
 * bound, not the strategy, stops a server that keeps challenging.
 */
const MAX_ATTEMPTS = 4

/**
 * Uses a strategy with plain undici: returns a `request(url, options)` that applies the strategy before every attempt,
 * answers 401/407 challenges (at most three per request), and throws `FK_AUTH_REJECTED` when the server still refuses,
 * with the strategy's own hint on what to check. The response is
 * undici's `request()` result; read or dump its body.
 *
 * @example
 * ```ts
 * const send = withAuth(digest({ username: 'Mufasa', password: 'Circle of Life' }))
 * const { statusCode, body } = await send('https://appliance.example/api/status')
 * console.log(statusCode, await body.json())
 * ```
 */
export function withAuth(strategy: AuthStrategy, options: WithAuthOptions = {}): AuthedRequest {
  const log = resolveLogger(options.logger, 'auth')
  const dispatcher = (strategy.dispatcher as Dispatcher | undefined) ?? options.dispatcher
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase()
    const baseHeaders: Record<string, string> = {}
    for (const [name, value] of Object.entries(init.headers ?? {})) baseHeaders[name.toLowerCase()] = value
    const target = new URL(url)
    for (let attempt = 1; ; attempt++) {
      const req: AuthRequest = {
        method,
        url: new URL(target),
        headers: { ...baseHeaders },
        body: init.body,
        signal: init.signal,
      }
      await strategy.apply(req)
      const res = await undiciRequest(req.url, {
        method: method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: init.body,
        signal: init.signal,
        dispatcher,
      })
      const refused =
        res.statusCode === 401 ||
        res.statusCode === 407 ||
        // AWS answers a bad SigV4 signature, key or clock with 403 (SignatureDoesNotMatch, InvalidClientTokenId…).
        (res.statusCode === 403 && strategy.scheme === 'AWS4-HMAC-SHA256') ||
        strategy.isRefused?.({ status: res.statusCode, headers: res.headers }) === true
      if (!refused) return res
      await res.body.dump()
      const answer = { status: res.statusCode, headers: res.headers }
      const learnt =
        attempt < MAX_ATTEMPTS && strategy.challenge !== undefined ? await strategy.challenge(answer, req) : false
      log.debug({ scheme: strategy.scheme, status: res.statusCode, attempt, retry: learnt }, 'auth challenge')
      if (!learnt) throw rejected(strategy, answer, req, attempt)
    }
  }
}

/** `FK_AUTH_REJECTED` for the last answer: the scheme's own hint when it has one, a generic one otherwise. */
function rejected(strategy: AuthStrategy, answer: AuthChallengeResponse, req: AuthRequest, attempt: number): AuthError {
  const challenged = attempt > 1
  const hint =
    strategy.refusalHint?.(answer, { challenged }) ??
    'Check the user name, the password, key or token and its expiry, and the machine clock (signing schemes refuse a skewed clock); details.scheme names the scheme that was refused'
  return new AuthError({
    code: 'FK_AUTH_REJECTED',
    message: `[fieldkit/auth] ${req.method} ${req.url.origin}${req.url.pathname} was refused with ${answer.status} by ${strategy.scheme} authentication${challenged ? ` after answering ${attempt - 1} challenge${attempt === 2 ? '' : 's'}` : ''}`,
    hint,
    details: {
      scheme: strategy.scheme,
      status: answer.status,
      attempts: attempt,
      challenged,
      method: req.method,
      path: req.url.pathname,
    },
  })
}
