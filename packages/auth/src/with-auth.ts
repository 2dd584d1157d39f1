import { type AuthRequest, type AuthStrategy, type Logger, resolveLogger } from '@fieldkit/core'
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

/** Most attempts per request: the first, one after a challenge, one after a `stale=true` Digest nonce. */
const MAX_ATTEMPTS = 3

/**
 * Uses a strategy with plain undici: returns a `request(url, options)` that applies the strategy before every attempt,
 * answers a 401/407 challenge once, and throws `FK_AUTH_REJECTED` when the server still refuses. The response is
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
        (res.statusCode === 403 && strategy.scheme === 'AWS4-HMAC-SHA256')
      if (!refused) return res
      await res.body.dump()
      const learnt =
        attempt < MAX_ATTEMPTS && strategy.challenge !== undefined
          ? await strategy.challenge({ status: res.statusCode, headers: res.headers }, req)
          : false
      log.debug({ scheme: strategy.scheme, status: res.statusCode, attempt, retry: learnt }, 'auth challenge')
      if (!learnt) {
        throw new AuthError({
          code: 'FK_AUTH_REJECTED',
          message: `[fieldkit/auth] ${method} ${req.url.origin}${req.url.pathname} was refused with ${res.statusCode} (${strategy.scheme}) after ${attempt} attempt${attempt === 1 ? '' : 's'}`,
          hint: 'Check the user name, the domain (NTLM: DOMAIN\\user or user@domain), the password, key or token, and the machine clock (OAuth 1.0a and SigV4 refuse a skewed clock); details.scheme names the scheme that was refused',
          details: {
            scheme: strategy.scheme,
            status: res.statusCode,
            attempts: attempt,
            method,
            path: req.url.pathname,
          },
        })
      }
    }
  }
}
