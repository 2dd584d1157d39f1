import { type AuthStrategy, type EgressGuard, expected, type Logger, type TextRedactor } from '@fieldkit/core'
import { HttpError } from './errors'
import type { RateLimitOptions } from './rate-limit'
import type { RedirectOptions } from './redirect-policy'

/**
 * When and how often a request is sent again. Plain data plus at most one predicate.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { retries: 4, maxRetryAfterMs: 30_000, budget: { ratio: 0.1 } }
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt (so `retries: 2` means at most 3 sends). Default 2. */
  retries?: number
  /** Methods retried without an idempotency key. Default GET, HEAD, OPTIONS, PUT, DELETE. */
  methods?: readonly string[]
  /** Statuses that are retried. Default 408, 425, 429, 500, 502, 503, 504. */
  statuses?: readonly number[]
  /** First backoff ceiling; attempt n waits a random time in [0, min(maxDelayMs, minDelayMs × 2ⁿ⁻¹)]. Default 100. */
  minDelayMs?: number
  /** Largest backoff between attempts (not applied to `Retry-After`). Default 10,000. */
  maxDelayMs?: number
  /** Longest `Retry-After` the client waits for; longer asks fail at once with FK_HTTP_RATE_LIMITED. Default 60,000. */
  maxRetryAfterMs?: number
  /**
   * Retries at most `ratio` of the requests started over the last `windowMs` (plus `minPerWindow`), so that a dying
   * service is not hit by a retry storm; `false` turns the budget off. Default `{ ratio: 0.2, minPerWindow: 10, windowMs: 10_000 }`.
   */
  budget?: { ratio?: number; minPerWindow?: number; windowMs?: number } | false
  /** Last word on whether a failed attempt that the rules above would retry is retried. */
  shouldRetry?: (attempt: AttemptOutcome) => boolean
}

/**
 * What one attempt ended with, as {@link RetryOptions.shouldRetry} and `FK_HTTP_RETRY_EXHAUSTED` report it.
 *
 * @example
 * ```ts
 * const shouldRetry = (a: AttemptOutcome) => a.status !== 503 || a.attempt < 2
 * ```
 */
export interface AttemptOutcome {
  attempt: number
  /** The status, when an answer came back. */
  status?: number
  /** The error code (`ECONNRESET`, `UND_ERR_HEADERS_TIMEOUT`…), when none did. */
  error?: string
  /** How long the attempt took. */
  durationMs: number
  /** How long the client waited before the next attempt (absent on the last one). */
  delayMs?: number
}

/**
 * The per-origin circuit breaker.
 *
 * @example
 * ```ts
 * createHttpClient({ breaker: { failureRatio: 0.3, minimumCalls: 50, openMs: 10_000 } })
 * ```
 */
export interface BreakerOptions {
  /** Share of failed calls (network errors, timeouts, 5xx) in the window that opens the circuit. Default 0.5. */
  failureRatio?: number
  /** Calls the window must hold before the ratio counts. Default 20. */
  minimumCalls?: number
  /** Sliding window the ratio is computed over. Default 30,000 ms. */
  windowMs?: number
  /** How long the circuit stays open before a half-open probe. Default 30,000 ms. */
  openMs?: number
  /** Requests let through at once while half-open. Default 1. */
  halfOpenProbes?: number
}

/**
 * Timeouts, each in milliseconds.
 *
 * @example
 * ```ts
 * createHttpClient({ timeout: { connect: 2_000, headers: 10_000, bodyIdle: 10_000, total: 30_000 } })
 * ```
 */
export interface TimeoutOptions {
  /** TCP (and TLS) connection set-up. Default 10,000. */
  connect?: number
  /** From sending the request to the end of the response headers. Default 30,000. */
  headers?: number
  /** Longest silence between two body chunks. Default 30,000. */
  bodyIdle?: number
  /** Whole request across every attempt and wait. Default 120,000. */
  total?: number
}

/**
 * Hooks: plain functions called in order; they may be async.
 *
 * @example
 * ```ts
 * createHttpClient({ hooks: { beforeRetry: [(r) => console.warn(`retry ${r.attempt} in ${r.delayMs} ms`)] } })
 * ```
 */
export interface Hooks {
  /** Before every attempt, after auth was applied: may add or change headers. */
  beforeRequest?: ReadonlyArray<(request: HookRequest) => void | Promise<void>>
  /** After every answer (before retry decisions). */
  afterResponse?: ReadonlyArray<(response: HookResponse) => void | Promise<void>>
  /** Before waiting for a retry. */
  beforeRetry?: ReadonlyArray<(retry: HookRetry) => void | Promise<void>>
}

/**
 * What a `beforeRequest` hook sees.
 *
 * @example
 * ```ts
 * const hook = (r: HookRequest) => { r.headers['x-tenant'] = 'acme' }
 * ```
 */
export interface HookRequest {
  method: string
  /** The full URL, unredacted (the hook is the caller's own code). */
  url: string
  /** Lower-case names; the hook may change them. */
  headers: Record<string, string>
  attempt: number
}

/**
 * What an `afterResponse` hook sees.
 *
 * @example
 * ```ts
 * const hook = (r: HookResponse) => metrics.observe(r.status, r.durationMs)
 * ```
 */
export interface HookResponse {
  method: string
  url: string
  status: number
  headers: Record<string, string | string[] | undefined>
  attempt: number
  durationMs: number
}

/**
 * What a `beforeRetry` hook sees.
 *
 * @example
 * ```ts
 * const hook = (r: HookRetry) => console.warn(`retry ${r.attempt} in ${r.delayMs} ms`)
 * ```
 */
export interface HookRetry {
  method: string
  url: string
  /** The attempt that failed. */
  attempt: number
  delayMs: number
  status?: number
  error?: string
}

/**
 * The undici Agent's pool.
 *
 * @example
 * ```ts
 * createHttpClient({ pool: { connections: 64, keepAliveTimeoutMs: 30_000 } })
 * ```
 */
export interface PoolOptions {
  /** Most sockets per origin; unlimited by default. */
  connections?: number
  /** How long an idle socket is kept. Default 4,000 ms (undici's). */
  keepAliveTimeoutMs?: number
  /** Largest keep-alive a server's `Keep-Alive` header may grant. Default 600,000 ms (undici's). */
  keepAliveMaxTimeoutMs?: number
}

/**
 * Options of {@link createHttpClient}.
 *
 * @example
 * ```ts
 * const options: HttpClientOptions = { baseUrl: 'https://erp.example/api', retry: { retries: 3 } }
 * ```
 */
export interface HttpClientOptions {
  /** Origin and optional path prefix that request paths are resolved against: `https://erp.example/api/v2`. */
  baseUrl?: string
  /** Headers sent with every request (names are case-insensitive). */
  headers?: Record<string, string>
  /** An auth strategy (`@fieldkit/auth`, or your own `AuthStrategy`), applied before every attempt. */
  auth?: AuthStrategy
  /** Retry policy; `false` sends every request once. */
  retry?: RetryOptions | false
  /** Local or Redis-shared rate limit (quotas, concurrency, pauses on 429): acquired before every attempt. */
  rateLimit?: RateLimitOptions
  /** Per-origin circuit breaker; `false` turns it off. */
  breaker?: BreakerOptions | false
  timeout?: TimeoutOptions
  /** Checks every connection at connect time, on the resolved IP, against a residency policy. */
  residency?: { guard: EgressGuard; dataClass: string }
  /** A pino logger (or the same shape); silent by default. */
  logger?: Logger
  /** Extra redaction (personal data) applied to body excerpts in errors and log lines. */
  redactor?: TextRedactor
  /** Largest response body accepted, in bytes. Default 50 MiB. */
  /**
   * Redirects (301, 302, 303, 307, 308) are followed, at most 5 hops, each hop with its own retries, breaker and
   * quota; a hop to another origin goes without credentials unless `keepAuth` names it; https → http is refused.
   * `false` returns the 3xx as it is. Default `{}` (followed).
   */
  redirect?: RedirectOptions | false
  maxResponseBytes?: number
  hooks?: Hooks
  pool?: PoolOptions
}

/**
 * Every default, written out once, each with the reason for it.
 *
 * @example
 * ```ts
 * createHttpClient({ retry: { retries: DEFAULTS.retry.retries + 2 } })
 * ```
 */
export const DEFAULTS = {
  retry: {
    // Two retries: three sends in all is enough to ride out a blip without tripling load for long.
    retries: 2,
    // Methods that are idempotent by RFC 9110; POST and PATCH need an idempotency key.
    methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'],
    // Timeouts, too-early, rate limiting and the gateway/availability 5xx family; not 501 or 505, which never heal.
    statuses: [408, 425, 429, 500, 502, 503, 504],
    // Full-jitter backoff from 100 ms, doubling, capped at 10 s.
    minDelayMs: 100,
    maxDelayMs: 10_000,
    // Waiting longer than a minute inside one call hides an outage; fail and let the caller schedule it.
    maxRetryAfterMs: 60_000,
    // At most 20% of requests (plus 10 per window) may be retries, over a 10 s window.
    budget: { ratio: 0.2, minPerWindow: 10, windowMs: 10_000 },
  },
  breaker: {
    // Open when half the calls in the last 30 s failed, once at least 20 calls were seen.
    failureRatio: 0.5,
    minimumCalls: 20,
    windowMs: 30_000,
    // Leave the origin alone for 30 s, then let one probe through.
    openMs: 30_000,
    halfOpenProbes: 1,
  },
  timeout: {
    // A connection that takes 10 s to set up is not coming.
    connect: 10_000,
    // Slow endpoints (reports) get 30 s to start answering…
    headers: 30_000,
    // …and may pause 30 s between chunks.
    bodyIdle: 30_000,
    // Two minutes for the whole call, retries and waits included.
    total: 120_000,
  },
  // 50 MiB: larger answers are almost always a missing filter, and would be held in memory.
  maxResponseBytes: 50 * 1024 * 1024,
} as const

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  baseOrigin: string | undefined
  basePath: string
  headers: Record<string, string>
  retry: {
    retries: number
    methods: Set<string>
    statuses: Set<number>
    minDelayMs: number
    maxDelayMs: number
    maxRetryAfterMs: number
    budget: { ratio: number; minPerWindow: number; windowMs: number } | undefined
    shouldRetry: ((attempt: AttemptOutcome) => boolean) | undefined
  }
  breaker: Required<BreakerOptions> | undefined
  timeout: Required<TimeoutOptions>
  maxResponseBytes: number
  hooks: {
    beforeRequest: HookList<HookRequest>
    afterResponse: HookList<HookResponse>
    beforeRetry: HookList<HookRetry>
  }
  pool: PoolOptions
}

type HookList<T> = ReadonlyArray<(value: T) => void | Promise<void>>

function invalid(message: string): HttpError {
  return new HttpError({
    code: 'FK_HTTP_OPTIONS',
    message: `[fieldkit/http] ${message}`,
    hint: 'Fix the option named in the message; every option is described in the @fieldkit/http README',
  })
}

function nonNegativeInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(expected(name, 'a non-negative integer', value))
  }
  return value
}

function positiveMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2_147_483_647) {
    throw invalid(expected(name, 'a positive number of milliseconds (at most 2147483647)', value))
  }
  return value
}

function ratio(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw invalid(expected(name, 'a number in (0, 1]', value))
  }
  return value
}

function objectOrFalse(name: string, value: unknown): Record<string, unknown> | false | undefined {
  if (value === undefined || value === false) return value
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(expected(name, 'an object or false', value))
  }
  return value as Record<string, unknown>
}

function hooks<T>(name: string, value: unknown): HookList<T> {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((fn) => typeof fn !== 'function')) {
    throw invalid(expected(`hooks.${name}`, 'an array of functions', value))
  }
  return value
}

/** Validates every option once, at construction, and fills in the defaults. */
export function resolveOptions(options: HttpClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalid(expected('options', 'an object', options))
  const { baseOrigin, basePath } = resolveBase(options.baseUrl)
  const headers = resolveHeaders(options.headers)
  checkCollaborators(options)
  const retry = resolveRetry(objectOrFalse('retry', options.retry))
  const breaker = resolveBreaker(objectOrFalse('breaker', options.breaker))
  const timeout = resolveTimeout(objectOrFalse('timeout', options.timeout) || {})
  const h = objectOrFalse('hooks', options.hooks) || {}
  const pool = resolvePool(objectOrFalse('pool', options.pool) || {})
  return {
    baseOrigin,
    basePath,
    headers,
    retry,
    breaker,
    timeout,
    maxResponseBytes: Math.max(
      1,
      nonNegativeInt('maxResponseBytes', options.maxResponseBytes, DEFAULTS.maxResponseBytes),
    ),
    hooks: {
      beforeRequest: hooks('beforeRequest', h.beforeRequest),
      afterResponse: hooks('afterResponse', h.afterResponse),
      beforeRetry: hooks('beforeRetry', h.beforeRetry),
    },
    pool,
  }
}

function resolveBase(baseUrl: unknown): { baseOrigin: string | undefined; basePath: string } {
  if (baseUrl === undefined) return { baseOrigin: undefined, basePath: '' }
  let url: URL
  try {
    url = new URL(String(baseUrl))
  } catch {
    throw invalid(expected('baseUrl', 'an absolute http(s) URL', baseUrl))
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(expected('baseUrl', 'an absolute http(s) URL', baseUrl))
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid('Expected `baseUrl` to carry no credentials; pass them through `auth` instead')
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalid('Expected `baseUrl` to have no query or fragment; pass query parameters per request')
  }
  return { baseOrigin: url.origin, basePath: url.pathname.replace(/\/+$/, '') }
}

function resolveHeaders(given: unknown): Record<string, string> {
  const headers: Record<string, string> = {}
  if (given === undefined) return headers
  if (typeof given !== 'object' || given === null) throw invalid(expected('headers', 'an object of strings', given))
  for (const [name, value] of Object.entries(given)) {
    if (typeof value !== 'string') throw invalid(expected(`headers.${name}`, 'a string', value))
    headers[name.toLowerCase()] = value
  }
  return headers
}

/** The auth strategy, the residency guard and the redactor: the shapes `@fieldkit/core` defines. */
function checkCollaborators(options: HttpClientOptions): void {
  if (
    options.auth !== undefined &&
    (typeof options.auth?.apply !== 'function' || typeof options.auth.scheme !== 'string')
  ) {
    throw invalid('Expected `auth` to be an AuthStrategy (with `scheme` and `apply`)')
  }
  if (options.residency !== undefined) {
    const r = options.residency
    if (typeof r?.guard?.connector !== 'function' || typeof r.dataClass !== 'string' || r.dataClass === '') {
      throw invalid('Expected `residency` to be `{ guard: EgressGuard, dataClass: string }`')
    }
  }
  if (options.redactor !== undefined && typeof options.redactor?.redactString !== 'function') {
    throw invalid('Expected `redactor` to have a `redactString(text)` method')
  }
}

function resolveRetry(r: false | RetryOptions | undefined): ResolvedOptions['retry'] {
  const d = DEFAULTS.retry
  if (r === false) {
    return {
      retries: 0,
      methods: new Set(),
      statuses: new Set(),
      minDelayMs: d.minDelayMs,
      maxDelayMs: d.maxDelayMs,
      maxRetryAfterMs: d.maxRetryAfterMs,
      budget: undefined,
      shouldRetry: undefined,
    }
  }
  const o = r ?? {}
  const methods = o.methods ?? d.methods
  if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string')) {
    throw invalid(expected('retry.methods', 'an array of method names', methods))
  }
  const statuses = o.statuses ?? d.statuses
  if (!Array.isArray(statuses) || statuses.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) {
    throw invalid(expected('retry.statuses', 'an array of HTTP statuses (100–599)', statuses))
  }
  const b = objectOrFalse('retry.budget', o.budget)
  if (o.shouldRetry !== undefined && typeof o.shouldRetry !== 'function') {
    throw invalid(expected('retry.shouldRetry', 'a function', o.shouldRetry))
  }
  const minDelayMs = nonNegativeInt('retry.minDelayMs', o.minDelayMs, d.minDelayMs)
  const maxDelayMs = nonNegativeInt('retry.maxDelayMs', o.maxDelayMs, d.maxDelayMs)
  if (maxDelayMs < minDelayMs) {
    throw invalid(`Expected \`retry.maxDelayMs\` to be at least retry.minDelayMs (${minDelayMs}), got ${maxDelayMs}`)
  }
  return {
    retries: nonNegativeInt('retry.retries', o.retries, d.retries),
    methods: new Set((methods as string[]).map((m) => m.toUpperCase())),
    statuses: new Set(statuses as number[]),
    minDelayMs,
    maxDelayMs,
    maxRetryAfterMs: nonNegativeInt('retry.maxRetryAfterMs', o.maxRetryAfterMs, d.maxRetryAfterMs),
    budget:
      b === false
        ? undefined
        : {
            ratio: ratio('retry.budget.ratio', b?.ratio, d.budget.ratio),
            minPerWindow: nonNegativeInt('retry.budget.minPerWindow', b?.minPerWindow, d.budget.minPerWindow),
            windowMs: positiveMs('retry.budget.windowMs', b?.windowMs, d.budget.windowMs),
          },
    shouldRetry: o.shouldRetry as ResolvedOptions['retry']['shouldRetry'],
  }
}

function resolveBreaker(br: false | BreakerOptions | undefined): ResolvedOptions['breaker'] {
  if (br === false) return undefined
  const db = DEFAULTS.breaker
  return {
    failureRatio: ratio('breaker.failureRatio', br?.failureRatio, db.failureRatio),
    minimumCalls: Math.max(1, nonNegativeInt('breaker.minimumCalls', br?.minimumCalls, db.minimumCalls)),
    windowMs: positiveMs('breaker.windowMs', br?.windowMs, db.windowMs),
    openMs: positiveMs('breaker.openMs', br?.openMs, db.openMs),
    halfOpenProbes: Math.max(1, nonNegativeInt('breaker.halfOpenProbes', br?.halfOpenProbes, db.halfOpenProbes)),
  }
}

function resolveTimeout(t: TimeoutOptions): Required<TimeoutOptions> {
  const dt = DEFAULTS.timeout
  return {
    connect: positiveMs('timeout.connect', t.connect, dt.connect),
    headers: positiveMs('timeout.headers', t.headers, dt.headers),
    bodyIdle: positiveMs('timeout.bodyIdle', t.bodyIdle, dt.bodyIdle),
    total: positiveMs('timeout.total', t.total, dt.total),
  }
}

function resolvePool(p: PoolOptions): PoolOptions {
  const pool: PoolOptions = {}
  if (p.connections !== undefined) pool.connections = Math.max(1, nonNegativeInt('pool.connections', p.connections, 1))
  if (p.keepAliveTimeoutMs !== undefined)
    pool.keepAliveTimeoutMs = positiveMs('pool.keepAliveTimeoutMs', p.keepAliveTimeoutMs, 4_000)
  if (p.keepAliveMaxTimeoutMs !== undefined) {
    pool.keepAliveMaxTimeoutMs = positiveMs('pool.keepAliveMaxTimeoutMs', p.keepAliveMaxTimeoutMs, 600_000)
  }
  return pool
}
