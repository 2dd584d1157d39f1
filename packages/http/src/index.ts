// First: on a Node older than the floor, say so before undici loads (it would fail with `File is not defined`).
import './node-floor'

export type { BreakerState } from './breaker'
export { createHttpClient, type HttpClient } from './client'
export { HttpError, type HttpErrorCode, type HttpErrorOptions } from './errors'
export {
  type AuthInterceptorOptions,
  interceptors,
  type RateLimitInterceptor,
  type RetryInterceptorOptions,
} from './interceptors'
export { linkTarget } from './link-header'
export { checkNodeVersion, NODE_FLOOR } from './node-floor'
export {
  type AttemptOutcome,
  type BreakerOptions,
  DEFAULTS,
  type HookRequest,
  type HookResponse,
  type HookRetry,
  type Hooks,
  type HttpClientOptions,
  type PoolOptions,
  type RetryOptions,
  type TimeoutOptions,
} from './options'
export type { PagingCommon, PagingOptions } from './paginate'
export {
  createRateLimiter,
  parseRateLimitHeaders,
  RateLimitError,
  type RateLimitErrorCode,
  type RateLimiter,
  type RateLimiterState,
  type RateLimitHeaderParser,
  type RateLimitHeaders,
  type RateLimitHint,
  type RateLimitObservation,
  type RateLimitOptions,
  type RateLimitRedis,
  type RateLimitRedisSentinels,
  sforceLimitInfo,
} from './rate-limit'
export { redactUrl } from './redact'
export type { RedirectOptions } from './redirect-policy'
export type { QueryValue, RequestOptions } from './request'
export { HttpResponse } from './response'
export { parseRetryAfter } from './retry-after'
export type { HttpStats } from './stats'
