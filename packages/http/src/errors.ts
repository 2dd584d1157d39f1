import { type ErrorDetail, FieldkitError, type FieldkitErrorOptions } from '@fieldkit/core'
import type { RateLimitErrorCode } from './rate-limit/types'

/**
 * Every code an {@link HttpError} (or its subclass `RateLimitError`) carries, so editors complete and narrow
 * `err.code`. `FK_AUTH_REJECTED` is not here: a refused credential is core's `AuthError`, in its own family.
 *
 * @example
 * ```ts
 * const retryLater: HttpErrorCode[] = ['FK_HTTP_RATE_LIMITED', 'FK_HTTP_CIRCUIT_OPEN']
 * ```
 */
export type HttpErrorCode =
  | 'FK_HTTP_BODY_NOT_REPLAYABLE'
  | 'FK_HTTP_CIRCUIT_OPEN'
  | 'FK_HTTP_CLOSED'
  | 'FK_HTTP_EGRESS_DENIED'
  | 'FK_HTTP_INTERCEPTOR_ORDER'
  | 'FK_HTTP_INVALID_JSON'
  | 'FK_HTTP_INVALID_REQUEST'
  | 'FK_HTTP_MAX_PAGES'
  | 'FK_HTTP_NETWORK'
  | 'FK_HTTP_NODE_UNSUPPORTED'
  | 'FK_HTTP_OPTIONS'
  | 'FK_HTTP_PAGINATION'
  | 'FK_HTTP_PAGINATION_LOOP'
  | RateLimitErrorCode
  | 'FK_HTTP_REDIRECT'
  | 'FK_HTTP_RESPONSE_TOO_LARGE'
  | 'FK_HTTP_RETRY_EXHAUSTED'
  | 'FK_HTTP_SCHEMA'
  | 'FK_HTTP_STATUS'
  | 'FK_HTTP_TIMEOUT'

/** What an {@link HttpError} is built from. */
export interface HttpErrorOptions extends Omit<FieldkitErrorOptions<HttpErrorCode>, 'code'> {
  code: HttpErrorCode
  status?: number
  method?: string
  url?: string
}

/**
 * Every error `@fieldkit/http` throws (except a refused credential, core's `AuthError`): a {@link FieldkitError}
 * with one of the {@link HttpErrorCode} codes, the request's method and redacted URL, and the status when there was
 * one.
 *
 * @example
 * ```ts
 * try { await client.request({ path: '/api/orders' }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_HTTP_STATUS') console.log(e.details.status)
 * }
 * ```
 */
export class HttpError extends FieldkitError<HttpErrorCode> {
  override name = 'HttpError'
  /** The last HTTP status seen, when an answer came back. */
  readonly status: number | undefined
  /** Upper-case method of the request. */
  readonly method: string | undefined
  /** The URL with secret query parameters and credentials replaced by `[REDACTED]`. */
  readonly url: string | undefined

  constructor(options: HttpErrorOptions) {
    const details: Record<string, ErrorDetail> = { ...options.details }
    if (options.method !== undefined) details.method = options.method
    if (options.url !== undefined) details.url = options.url
    if (options.status !== undefined) details.status = options.status
    super({ ...options, details } as FieldkitErrorOptions<HttpErrorCode>)
    this.status = options.status
    this.method = options.method
    this.url = options.url
  }
}
