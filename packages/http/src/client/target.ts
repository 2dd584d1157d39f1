import { randomUUID } from 'node:crypto'
import { HttpError } from '../errors'
import type { ResolvedOptions } from '../options'
import { redactUrl } from '../redact'
import type { RedirectDecision } from '../redirect-policy'
import type { QueryValue, RequestOptions } from '../request'
import { retryableRequest } from '../retry-policy'

/** One hop of a request: the first, or one a redirect led to. */
export interface ClientHop {
  method: string
  origin: string
  path: string
  headers: Record<string, string>
  body: string | Uint8Array | undefined
  /** May be sent again after a failure (an idempotent method, or a keyed POST/PATCH). */
  retryable: boolean
  /** The redacted URL, for messages. */
  url: () => string
  /** Whether the auth strategy (and its own dispatcher) serves this hop. */
  useAuth: boolean
}

const INVALID_PATH_HINT = 'Pass a path relative to baseUrl (`/orders`) or an absolute http(s) URL'

/**
 * The origin and path a request's `path` names: an absolute http(s) URL as it is, a relative path under `baseUrl`.
 *
 * @example
 * ```ts
 * resolveTarget('/orders', config) // { origin: 'https://erp.example', path: '/api/orders' }
 * ```
 */
export function resolveTarget(path: string, config: ResolvedOptions): { origin: string; path: string } {
  if (typeof path !== 'string' || path === '') {
    throw new HttpError({
      code: 'FK_HTTP_INVALID_REQUEST',
      message: `[fieldkit/http] Expected \`path\` to be a non-empty string, got ${typeof path === 'string' ? '""' : typeof path}`,
      hint: INVALID_PATH_HINT,
    })
  }
  if (path.charCodeAt(0) !== 47 /* / */ && /^https?:\/\//i.test(path)) {
    let url: URL
    try {
      url = new URL(path)
    } catch (error) {
      throw new HttpError({
        code: 'FK_HTTP_INVALID_REQUEST',
        message: `[fieldkit/http] Expected an absolute http(s) URL, got ${JSON.stringify(redactUrl(path))}`,
        hint: INVALID_PATH_HINT,
        cause: error,
      })
    }
    return { origin: url.origin, path: `${url.pathname}${url.search}` }
  }
  if (config.baseOrigin === undefined) {
    throw new HttpError({
      code: 'FK_HTTP_INVALID_REQUEST',
      message: `[fieldkit/http] the path ${JSON.stringify(redactUrl(path))} is relative but the client has no baseUrl`,
      hint: 'Give createHttpClient a baseUrl, or pass an absolute http(s) URL',
    })
  }
  return {
    origin: config.baseOrigin,
    path: path.charCodeAt(0) === 47 ? config.basePath + path : `${config.basePath}/${path}`,
  }
}

/**
 * `path` with the request's `query` appended, each name and value percent-encoded; `undefined` and `null` left out.
 *
 * @example
 * ```ts
 * withQuery('/orders?x=1', { page: 2, tag: ['a', 'b'] }) // '/orders?x=1&page=2&tag=a&tag=b'
 * ```
 */
export function withQuery(path: string, query: RequestOptions['query']): string {
  if (query === undefined) return path
  let out = ''
  for (const name in query) {
    const value = query[name]
    const values = Array.isArray(value) ? value : [value]
    for (const v of values as QueryValue[]) {
      if (v === undefined || v === null) continue
      out += `${out === '' ? '' : '&'}${encodeURIComponent(name)}=${encodeURIComponent(String(v))}`
    }
  }
  if (out === '') return path
  return `${path}${path.includes('?') ? '&' : '?'}${out}`
}

/**
 * The first hop of a request: method, target, headers (the client's, then the request's; a JSON body's content
 * type; an idempotency key), the body, and whether it may be sent again.
 *
 * @example
 * ```ts
 * firstHop({ method: 'post', path: '/orders', json: order, idempotencyKey: true }, config)
 * ```
 */
export function firstHop(req: RequestOptions, config: ResolvedOptions): ClientHop {
  const method = req.method === undefined ? 'GET' : req.method.toUpperCase()
  const target = resolveTarget(req.path, config)
  const origin = target.origin
  const path = withQuery(target.path, req.query)
  let headers = config.headers
  let body: string | Uint8Array | undefined = req.body
  if (req.headers !== undefined || req.json !== undefined || req.idempotencyKey !== undefined) {
    headers = { ...config.headers }
    if (req.headers !== undefined) {
      for (const name in req.headers) {
        const value = req.headers[name]
        if (value === undefined) delete headers[name.toLowerCase()]
        else headers[name.toLowerCase()] = value
      }
    }
    if (req.json !== undefined) {
      body = JSON.stringify(req.json)
      headers['content-type'] ??= 'application/json'
    }
    if (req.idempotencyKey !== undefined) {
      headers['idempotency-key'] = req.idempotencyKey === true ? randomUUID() : String(req.idempotencyKey)
    }
  }
  const retryable = retryableRequest(method, headers['idempotency-key'] !== undefined, config.retry)
  return { method, origin, path, headers, body, retryable, url: () => redactUrl(`${origin}${path}`), useAuth: true }
}

/**
 * The hop a followed redirect leads to: its method, headers and body as `decideRedirect` set them, and whether the
 * auth strategy still serves it (not on another origin that `redirect.keepAuth` does not name).
 *
 * @example
 * ```ts
 * const decision = decideRedirect(hopOf(current), 302, location, chain, policy)
 * if (decision.follow) current = nextHop(current, decision, config)
 * ```
 */
export function nextHop(
  hop: ClientHop,
  decision: Extract<RedirectDecision, { follow: true }>,
  config: ResolvedOptions,
): ClientHop {
  const url = new URL(decision.next.url)
  const path = `${url.pathname}${url.search}`
  const headers = decision.next.headers
  const method = decision.next.method
  return {
    method,
    origin: url.origin,
    path,
    headers,
    body: decision.dropBody || decision.next.body === undefined ? undefined : hop.body,
    retryable: retryableRequest(method, headers['idempotency-key'] !== undefined, config.retry),
    url: () => redactUrl(`${url.origin}${path}`),
    useAuth: hop.useAuth && !decision.dropAuth,
  }
}
