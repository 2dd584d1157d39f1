// The shape of one request, shared by the client and the paginator; it imports nothing back.

/**
 * A query parameter value; arrays repeat the parameter, `undefined` and `null` leave it out.
 *
 * @example
 * ```ts
 * client.request({ path: '/orders', query: { status: ['open', 'late'], page: 2, since: undefined } })
 * ```
 */
export type QueryValue = string | number | boolean | null | undefined

/**
 * One request.
 *
 * @example
 * ```ts
 * const req: RequestOptions = { method: 'POST', path: '/orders', json: order, idempotencyKey: true }
 * ```
 */
export interface RequestOptions {
  /** Default GET. */
  method?: string
  /** Resolved against `baseUrl` (`/orders` → `https://erp.example/api/orders`), or an absolute http(s) URL. */
  path: string
  query?: Record<string, QueryValue | readonly QueryValue[]>
  /** Per-request headers, over the client's; `undefined` removes a client header. */
  headers?: Record<string, string | undefined>
  /** A body sent as is (it must be replayable for retries, so no streams). */
  body?: string | Uint8Array
  /** A value sent as JSON, with `content-type: application/json` unless you set one. */
  json?: unknown
  /** Aborts the request, its waits and its retries. */
  signal?: AbortSignal
  /** `true` generates a key (sent as `Idempotency-Key`, the same on every attempt); a string is sent as is. Makes POST and PATCH retryable. */
  idempotencyKey?: true | string
  /** `false` returns non-2xx answers (after retries) instead of throwing `FK_HTTP_STATUS`. */
  throwOnStatus?: boolean
  /** Order among requests waiting for `rateLimit` quota: lower goes first (default 5). */
  priority?: number
}
