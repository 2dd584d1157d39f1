import { type AuthInterceptorOptions, auth } from './auth'
import { breaker } from './breaker'
import { log } from './log'
import { type RateLimitInterceptor, rateLimit } from './rate-limit'
import { redirect } from './redirect'
import { type RetryInterceptorOptions, retry } from './retry'

export type { AuthInterceptorOptions, RateLimitInterceptor, RetryInterceptorOptions }

/**
 * Fieldkit's resilience as undici interceptors, for any code that takes a dispatcher: `new Agent().compose(...)`,
 * `setGlobalDispatcher`, `fetch(url, { dispatcher })`, `undici.request`, or an SDK's `fetch` option. undici's
 * `compose` wraps in the order given: the first listed is nearest the connection, the last sees the request first.
 * List them as: residency guard, log, auth, rateLimit, breaker, retry, redirect.
 *
 * @example
 * ```ts
 * import { interceptors } from '@fieldkit/http'
 * setGlobalDispatcher(new Agent().compose(
 *   interceptors.auth(bearer(token), { origin: 'https://erp.example' }),
 *   interceptors.breaker(),
 *   interceptors.retry({ retries: 3 }),
 *   interceptors.redirect(),
 * ))
 * ```
 */
export const interceptors = { auth, breaker, log, rateLimit, redirect, retry } as const
