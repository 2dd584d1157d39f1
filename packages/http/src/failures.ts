import type { ErrorDetail, TextRedactor } from '@fieldkit/core'
import { HttpError } from './errors'
import type { AttemptOutcome, ResolvedOptions } from './options'
import { bodyExcerpt } from './redact'
import { RETRYABLE_ERRORS } from './retry-policy'

/** How long, in the words of a message. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

const TIMEOUT_KINDS: Record<string, 'connect' | 'headers' | 'bodyIdle'> = {
  UND_ERR_CONNECT_TIMEOUT: 'connect',
  UND_ERR_HEADERS_TIMEOUT: 'headers',
  UND_ERR_BODY_TIMEOUT: 'bodyIdle',
}

/** What every failure of one hop is described with. */
export interface FailureSubject {
  method: string
  /** The redacted URL. */
  url: () => string
}

/**
 * `FK_HTTP_RETRY_EXHAUSTED` after the attempts in `outcomes`, naming why the next one did not go: no retries left,
 * the retry budget, or the total deadline.
 *
 * @example
 * ```ts
 * throw exhausted({ method, url }, outcomes, { first, reason: 'attempts', status: 503, redactor })
 * ```
 */
export function exhausted(
  subject: FailureSubject,
  outcomes: AttemptOutcome[],
  how: {
    first: number
    reason: 'attempts' | 'budget' | 'deadline'
    status?: number | undefined
    cause?: unknown
    body?: Buffer | undefined
    redactor: TextRedactor | undefined
  },
): HttpError {
  const { method, url } = subject
  const last = outcomes[outcomes.length - 1]
  const what = last?.status !== undefined ? `with ${last.status}` : `with ${last?.error ?? 'an error'}`
  const why =
    how.reason === 'budget'
      ? '; the retry budget is spent (too many retries across all requests)'
      : how.reason === 'deadline'
        ? `; the next wait would pass timeout.total`
        : ''
  return new HttpError({
    ...exhaustedWording(last, url()),
    message: `[fieldkit/http] ${method} ${url()} failed ${what} after ${outcomes.length} attempt${outcomes.length === 1 ? '' : 's'} over ${seconds(performance.now() - how.first)}${why}`,
    cause: how.cause,
    ...(how.status === undefined ? {} : { status: how.status }),
    method,
    url: url(),
    details: {
      reason: how.reason,
      attempts: outcomes as unknown as ErrorDetail[],
      ...(how.body === undefined ? {} : { bodyExcerpt: bodyExcerpt(how.body.toString('utf8'), how.redactor, 512) }),
    },
  })
}

/**
 * The error for a network failure that is not retried (any more): an invalid request, a timeout of one phase, or
 * `FK_HTTP_NETWORK`, saying why it was not retried.
 *
 * @example
 * ```ts
 * throw networkError({ method, url }, { code: 'ECONNRESET', cause, retryable: false, outcomes }, config)
 * ```
 */
export function networkError(
  subject: FailureSubject,
  failure: { code: string; cause: unknown; retryable: boolean; outcomes: AttemptOutcome[] },
  config: Pick<ResolvedOptions, 'retry' | 'timeout'>,
): HttpError {
  const { method, url } = subject
  const { code, cause, outcomes } = failure
  if (code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_ARG_TYPE') {
    return new HttpError({
      code: 'FK_HTTP_INVALID_REQUEST',
      message: `[fieldkit/http] ${method} ${url()} could not be sent: ${(cause as Error).message}`,
      hint: 'A header name or value, the method or the body is not valid HTTP (a newline in a header value, a stream body); fix the request',
      cause,
      method,
      url: url(),
    })
  }
  const notRetried = !RETRYABLE_ERRORS.has(code)
    ? ''
    : config.retry.retries === 0
      ? ' (not retried: retries are off)'
      : !failure.retryable
        ? ` (not retried: a ${method} without an idempotency key may already have been processed)`
        : ''
  const kind = TIMEOUT_KINDS[code]
  if (kind !== undefined) {
    const limit = config.timeout[kind]
    return new HttpError({
      code: 'FK_HTTP_TIMEOUT',
      message: `[fieldkit/http] ${method} ${url()} timed out (${kind}, ${limit} ms)${notRetried}`,
      hint: 'The service did not answer in time; check it is up and reachable, or raise the timeout named in details.kind',
      cause,
      method,
      url: url(),
      details: { kind, timeoutMs: limit, attempts: outcomes as unknown as ErrorDetail[] },
    })
  }
  return new HttpError({
    ...networkWording(code, url()),
    message: `[fieldkit/http] ${method} ${url()} failed before an answer: ${code}${notRetried}`,
    cause,
    method,
    url: url(),
    details: { error: code, attempts: outcomes as unknown as ErrorDetail[] },
  })
}

/**
 * `FK_HTTP_CIRCUIT_OPEN`: the origin's breaker is open; the next probe is in `retryInMs`.
 *
 * @example
 * ```ts
 * throw circuitOpen({ method, url }, origin, 1200, outcomes)
 * ```
 */
export function circuitOpen(
  subject: FailureSubject,
  origin: string,
  retryInMs: number,
  outcomes: AttemptOutcome[] | undefined,
): HttpError {
  return new HttpError({
    code: 'FK_HTTP_CIRCUIT_OPEN',
    message: `[fieldkit/http] ${subject.method} ${subject.url()} not sent: the circuit for ${origin} is open after repeated failures; next probe in ${seconds(retryInMs)}`,
    hint: 'The service has been failing; wait for the next probe (retryInMs) or check the service status',
    method: subject.method,
    url: subject.url(),
    details: { origin, retryInMs: Math.ceil(retryInMs), attempts: (outcomes ?? []) as unknown as ErrorDetail[] },
  })
}

/**
 * `FK_HTTP_RATE_LIMITED`: the service asked for a pause longer than `retry.maxRetryAfterMs`.
 *
 * @example
 * ```ts
 * throw rateLimited({ method, url }, 429, 3_600_000, outcomes, 60_000)
 * ```
 */
export function rateLimited(
  subject: FailureSubject,
  status: number,
  retryAfterMs: number,
  outcomes: AttemptOutcome[],
  maxRetryAfterMs: number,
): HttpError {
  return new HttpError({
    code: 'FK_HTTP_RATE_LIMITED',
    message: `[fieldkit/http] ${subject.method} ${subject.url()} answered ${status} asking to retry after ${seconds(retryAfterMs)}, longer than retry.maxRetryAfterMs (${maxRetryAfterMs} ms)`,
    hint: 'The service asked for a long pause (quota or maintenance); schedule the work after retryAfterMs, or raise retry.maxRetryAfterMs',
    status,
    method: subject.method,
    url: subject.url(),
    details: { retryAfterMs, retryAt: retryAt(retryAfterMs), attempts: outcomes as unknown as ErrorDetail[] },
  })
}

/**
 * `FK_HTTP_STATUS`: a final answer outside 2xx, with a redacted excerpt of its body.
 *
 * @example
 * ```ts
 * throw statusError({ method, url }, { status: 404, headers, body }, 1, redactor)
 * ```
 */
export function statusError(
  subject: FailureSubject,
  raw: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer },
  sends: number,
  redactor: TextRedactor | undefined,
): HttpError {
  const text = raw.body.toString('utf8')
  return new HttpError({
    code: 'FK_HTTP_STATUS',
    message: `[fieldkit/http] ${subject.method} ${subject.url()} answered ${raw.status}${sends > 1 ? ` after ${sends} attempts` : ''}: ${bodyExcerpt(text, redactor, 300)}`,
    hint: 'The server refused or failed the request; the status and body excerpt say why (4xx: the request, 5xx: the service)',
    status: raw.status,
    method: subject.method,
    url: subject.url(),
    details: {
      bodyExcerpt: bodyExcerpt(text, redactor, 512),
      contentType: String(raw.headers['content-type'] ?? ''),
      attempts: sends,
    },
  })
}

/** `host:port` of a URL, the port written out even when it is the scheme's default. */
function hostPort(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'https:' ? '443' : '80')}`
  } catch {
    return 'the host and port'
  }
}

/** Code and hint of FK_HTTP_RETRY_EXHAUSTED, naming the real cause of the last failure. */
function exhaustedWording(last: AttemptOutcome | undefined, url: string) {
  if (last?.status === 429) {
    return {
      code: 'FK_HTTP_RETRY_EXHAUSTED',
      hint: 'The service kept answering 429 (too many requests): set `rateLimit` to its quota so requests wait for their turn, or lower the concurrency; more retries only spend the quota faster',
    } as const
  }
  if (last?.error === 'ECONNREFUSED') {
    return {
      code: 'FK_HTTP_RETRY_EXHAUSTED',
      hint: `Nothing is listening at ${hostPort(url)} (connection refused on every attempt): check the host and port, and that the service is started`,
    } as const
  }
  return {
    code: 'FK_HTTP_RETRY_EXHAUSTED',
    hint: 'The endpoint kept failing; the attempts in details say how. Check the service status, or raise retry.retries, retry.budget or timeout.total',
  } as const
}

/** Code and hint of FK_HTTP_NETWORK for the network error `code`. */
function networkWording(code: string, url: string) {
  if (code === 'ECONNREFUSED') {
    return {
      code: 'FK_HTTP_NETWORK',
      hint: `Nothing is listening at ${hostPort(url)} (connection refused): check the host and port, and that the service is started`,
    } as const
  }
  return {
    code: 'FK_HTTP_NETWORK',
    hint: 'The connection failed (refused, reset, DNS, TLS); check the host, port, proxy and certificates, and whether the service is up',
  } as const
}

/** When a wait of `ms` ends, as an ISO date; `null` past the last date a `Date` can hold (year 275760). */
function retryAt(ms: number): string | null {
  const at = new Date(Date.now() + ms)
  return Number.isNaN(at.getTime()) ? null : at.toISOString()
}
