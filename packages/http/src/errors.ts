import { type ErrorDetail, FieldkitError, type FieldkitErrorOptions } from '@fieldkit/core'

/**
 * Every error `@fieldkit/http` throws: a {@link FieldkitError} with one of the `FK_HTTP_*` codes (or
 * `FK_AUTH_REJECTED`), the request's method and redacted URL, and the status when there was one.
 *
 * @example
 * ```ts
 * try { await client.request({ path: '/api/orders' }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_HTTP_STATUS') console.log(e.details.status)
 * }
 * ```
 */
export class HttpError extends FieldkitError {
  override name = 'HttpError'
  /** The last HTTP status seen, when an answer came back. */
  readonly status: number | undefined
  /** Upper-case method of the request. */
  readonly method: string | undefined
  /** The URL with secret query parameters and credentials replaced by `[REDACTED]`. */
  readonly url: string | undefined

  constructor(options: FieldkitErrorOptions & { status?: number; method?: string; url?: string }) {
    const details: Record<string, ErrorDetail> = { ...options.details }
    if (options.method !== undefined) details.method = options.method
    if (options.url !== undefined) details.url = options.url
    if (options.status !== undefined) details.status = options.status
    super({ ...options, details })
    this.status = options.status
    this.method = options.method
    this.url = options.url
  }
}
