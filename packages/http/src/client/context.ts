import type { AuthStrategy, TextRedactor } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import type { Breakers } from '../breakers'
import type { HttpClientOptions, ResolvedOptions } from '../options'
import type { RateLimiter } from '../rate-limit'
import type { ResolvedRedirect } from '../redirect-policy'
import type { RetryRules } from '../retry-run'
import type { HttpStats } from '../stats'
import type { AttemptLog } from './log'

/** The client's counters, as `stats()` shows them (the computed parts, breakers, latency and quota, aside). */
export type Counters = Omit<HttpStats, 'breakers' | 'latencyMs' | 'rateLimit'>

/**
 * What one client's requests share: the resolved options, the connection pool (and the auth strategy's own), the
 * limiter, the retry rules and budget, the breakers per origin, the counters and the log. Built once by `createHttpClient`;
 * each request's own state is its `Call`.
 *
 * @example
 * ```ts
 * const call = new Call(context, req, firstHop(req, context.config), performance.now())
 * ```
 */
export interface ClientContext {
  readonly config: ResolvedOptions
  readonly log: AttemptLog
  readonly strategy: AuthStrategy | undefined
  readonly agent: Dispatcher
  /** The strategy's own dispatcher (NTLM, client certificates), pinned to the residency guard's lookup when it can be. */
  readonly authDispatcher: Dispatcher | undefined
  readonly residency: HttpClientOptions['residency']
  readonly redactor: TextRedactor | undefined
  readonly redirect: ResolvedRedirect | undefined
  readonly limiter: RateLimiter | undefined
  /** The retry policy and budget, shared with `interceptors.retry`'s implementation (`RetryRules`, `RetryRun`). */
  readonly retry: RetryRules
  /** The circuits per origin, as `interceptors.breaker` keeps them; undefined with `breaker: false`. */
  readonly breakers: Breakers | undefined
  readonly counters: Counters
  /** Whether any hook is set (the success path skips building their arguments otherwise). */
  readonly hasHooks: boolean
}
