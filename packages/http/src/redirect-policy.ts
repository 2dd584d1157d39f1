import { type ErrorDetail, expected, isFieldkitError } from '@fieldkit/core'
import { HttpError } from './errors'
import { redactUrl } from './redact'

/**
 * How redirects are followed, in `createHttpClient({ redirect })` and `interceptors.redirect()`; `false` returns the
 * 3xx as it is.
 *
 * @example
 * ```ts
 * const options: RedirectOptions = { max: 3, keepAuth: ['https://files.erp.example'] }
 * ```
 */
export interface RedirectOptions {
  /** Most hops followed for one request; one more is `FK_HTTP_REDIRECT`. Default 5, as browsers' fetch is 20 and got 10. */
  max?: number
  /** Origins (`https://files.erp.example`) a hop may carry the credentials to; any other origin gets none. */
  keepAuth?: readonly string[]
  /** Follow an https → http hop (the credentials and body would travel in clear). Default false. */
  allowDowngrade?: boolean
}

/** The options, validated once. */
export interface ResolvedRedirect {
  max: number
  keepAuth: ReadonlySet<string>
  allowDowngrade: boolean
}

/** The five statuses that are followed; 300 (a choice) and 304 (not modified) are answers, not redirects. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/** Headers that carry credentials and never go to another origin unless `keepAuth` names it. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'] as const
/** Headers that describe a body, dropped with it when a hop becomes a GET. */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'idempotency-key']

/**
 * Validates `redirect` options (`undefined` gives the defaults, `false` turns following off).
 *
 * @example
 * ```ts
 * resolveRedirect({ max: 3 }) // { max: 3, keepAuth: Set {}, allowDowngrade: false }
 * ```
 */
export function resolveRedirect(
  options: RedirectOptions | false | undefined,
  name = 'redirect',
): ResolvedRedirect | undefined {
  if (options === false) return undefined
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw invalid(expected(name, 'an object or false', options))
  }
  const o = options ?? {}
  const max = o.max ?? 5
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0) {
    throw invalid(expected(`${name}.max`, 'a non-negative integer', max))
  }
  const keepAuth = new Set<string>()
  if (o.keepAuth !== undefined) {
    if (!Array.isArray(o.keepAuth)) throw invalid(expected(`${name}.keepAuth`, 'an array of origins', o.keepAuth))
    for (const origin of o.keepAuth) {
      let parsed: URL | undefined
      try {
        parsed = new URL(String(origin))
      } catch {
        parsed = undefined
      }
      if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
        throw invalid(expected(`${name}.keepAuth[]`, 'an http(s) origin', origin))
      }
      keepAuth.add(parsed.origin)
    }
  }
  if (o.allowDowngrade !== undefined && typeof o.allowDowngrade !== 'boolean') {
    throw invalid(expected(`${name}.allowDowngrade`, 'a boolean', o.allowDowngrade))
  }
  return { max, keepAuth, allowDowngrade: o.allowDowngrade === true }
}

function invalid(message: string): HttpError {
  return new HttpError({
    code: 'FK_HTTP_OPTIONS',
    message: `[fieldkit/http] ${message}`,
    hint: 'Fix the redirect option named in the message; see "Redirects" in the @fieldkit/http README',
  })
}

/** One request as a hop sends it. */
export interface Hop {
  method: string
  /** Absolute URL. */
  url: string
  headers: Record<string, string>
  /** `undefined` without a body; `'stream'` for a body that cannot be sent twice. */
  body: 'stream' | 'replayable' | undefined
}

/** What to do with a 3xx answer. */
export type RedirectDecision =
  | { follow: false }
  | {
      follow: true
      next: Hop
      /** The body is dropped (the hop became a GET). */
      dropBody: boolean
      /** The hop goes to another origin that `keepAuth` does not name: no credential headers, no auth strategy. */
      dropAuth: boolean
    }

/**
 * Decides one redirect, without sockets: whether `status` with `location` is followed, and the next hop's method,
 * URL, headers and body. `chain` is the URLs already visited (the first request's included); throws
 * `FK_HTTP_REDIRECT` for too many hops, a loop, a downgrade to http or a Location that is not an http(s) URL, and
 * `FK_HTTP_BODY_NOT_REPLAYABLE` for a 307/308 that must resend a stream body.
 *
 * @example
 * ```ts
 * const d = decideRedirect(hop, 303, '/orders/42', ['https://erp.example/orders'], resolveRedirect({})!)
 * // { follow: true, next: { method: 'GET', url: 'https://erp.example/orders/42', … }, dropBody: true, dropAuth: false }
 * ```
 */
export function decideRedirect(
  hop: Hop,
  status: number,
  location: string | string[] | undefined,
  chain: readonly string[],
  options: ResolvedRedirect,
): RedirectDecision {
  if (!REDIRECT_STATUSES.has(status) || typeof location !== 'string' || location === '') return { follow: false }
  const from = new URL(hop.url)
  let to: URL
  try {
    to = new URL(location, from)
  } catch {
    throw redirectError(hop, status, chain, 'its Location is not a URL', undefined)
  }
  to.hash = ''
  if (to.protocol !== 'http:' && to.protocol !== 'https:') {
    throw redirectError(hop, status, chain, `its Location is a ${to.protocol} URL, not http(s)`, undefined)
  }
  if (chain.length > options.max)
    throw redirectError(hop, status, chain, `more than ${options.max} hops (redirect.max)`, to)
  if (from.protocol === 'https:' && to.protocol === 'http:' && !options.allowDowngrade) {
    throw redirectError(hop, status, chain, 'it goes from https to http (redirect.allowDowngrade is off)', to)
  }
  const toGet = status === 303 ? hop.method !== 'HEAD' : (status === 301 || status === 302) && hop.method === 'POST'
  const method = toGet ? 'GET' : hop.method
  if (chain.includes(to.href) && method === hop.method) throw redirectError(hop, status, chain, 'it loops', to)
  const dropBody = toGet && hop.body !== undefined
  if (!dropBody && hop.body === 'stream') {
    throw new HttpError({
      code: 'FK_HTTP_BODY_NOT_REPLAYABLE',
      message: `[fieldkit/http] ${hop.method} ${redactUrl(hop.url)} answered ${status}, which must resend the body, but the body is a stream that was already sent`,
      hint: 'Send a string or a buffer (they can be sent again), or call the new location yourself',
      method: hop.method,
      url: redactUrl(hop.url),
      status,
      details: { hops: [...chain.map(redactUrl), redactUrl(to.href)] },
    })
  }
  const dropAuth = to.origin !== from.origin && !options.keepAuth.has(to.origin)
  const headers: Record<string, string> = { ...hop.headers }
  if (dropAuth) for (const name of CREDENTIAL_HEADERS) delete headers[name]
  if (dropBody || toGet) for (const name of BODY_HEADERS) delete headers[name]
  if (to.host !== from.host) delete headers.host
  return {
    follow: true,
    next: { method, url: to.href, headers, body: dropBody || toGet ? undefined : hop.body },
    dropBody,
    dropAuth,
  }
}

function redirectError(
  hop: Hop,
  status: number,
  chain: readonly string[],
  why: string,
  to: URL | undefined,
): HttpError {
  const hops: ErrorDetail[] = chain.map(redactUrl)
  if (to !== undefined) hops.push(redactUrl(to.href))
  return new HttpError({
    code: 'FK_HTTP_REDIRECT',
    message: `[fieldkit/http] ${hop.method} ${redactUrl(hop.url)} answered ${status}, not followed: ${why}`,
    hint: 'The redirect chain in details.hops shows where it led; fix the URL you call, or adjust the redirect option (max, allowDowngrade), or pass redirect: false to handle the 3xx yourself',
    method: hop.method,
    url: redactUrl(hop.url),
    status,
    details: { hops },
  })
}

/**
 * Adds the redirect chain (redacted) to a Fieldkit error's `details.hops` when the request followed at least one
 * redirect and the error does not list them already — for the client and `interceptors.redirect` alike.
 *
 * @example
 * ```ts
 * throw withHops(error, ['https://erp.example/export', 'https://files.erp.example/x.csv'])
 * ```
 */
export function withHops(error: unknown, chain: readonly string[]): unknown {
  if (chain.length < 2 || !isFieldkitError(error) || error.details.hops !== undefined) return error
  ;(error as { details: unknown }).details = Object.freeze({ ...error.details, hops: chain.map(redactUrl) })
  return error
}
