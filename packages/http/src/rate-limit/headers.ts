import type { RateLimitHeaderParser, RateLimitHint } from './types'

/** Response headers as undici gives them: lower-case names, repeated ones as arrays. */
export type RateLimitHeaders = Record<string, string | string[] | undefined>

/** What {@link parseRateLimitHeaders} read from one response. */
export interface RateLimitObservation {
  /** Milliseconds the server asked to wait (`Retry-After`, seconds or HTTP date), when present and valid. */
  retryAfterMs?: number
  /** What each header family said about the quota. */
  hints: RateLimitHint[]
  /** Names of rate-limit headers that were present but malformed (ignored). */
  malformed: string[]
}

const MAX_HEADER_CHARS = 1_024
const EPOCH_SECONDS = 1_000_000_000
const EPOCH_MS = 1_000_000_000_000

function first(headers: RateLimitHeaders, name: string): string | undefined {
  const value = headers[name]
  if (value === undefined) return undefined
  const text = Array.isArray(value) ? value[0] : value
  return typeof text === 'string' ? text.trim() : undefined
}

/** A non-negative decimal number of at most 15 digits (no signs, exponents or hex), else undefined. */
function number(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}(\.\d{1,6})?$/.test(text)) return undefined
  return Number(text)
}

/** `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfter(text: string, now: number): number | undefined {
  const seconds = number(text)
  if (seconds !== undefined) return seconds * 1_000
  if (text.length > 64 || !/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined
  const at = Date.parse(text)
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined
}

/** A reset value: seconds from now, or an absolute epoch in seconds or milliseconds (GitHub-style). */
function resetMs(value: number, now: number): number {
  if (value >= EPOCH_MS) return Math.max(0, value - now)
  if (value >= EPOCH_SECONDS) return Math.max(0, value * 1_000 - now)
  return value * 1_000
}

/** `X-RateLimit-Limit` / `-Remaining` / `-Reset`. */
function xRateLimit(headers: RateLimitHeaders, now: number, malformed: string[]): RateLimitHint | undefined {
  return triple(headers, 'x-ratelimit', now, malformed)
}

function triple(
  headers: RateLimitHeaders,
  prefix: string,
  now: number,
  malformed: string[],
): RateLimitHint | undefined {
  const hint: RateLimitHint = { source: prefix }
  let seen = false
  for (const field of ['limit', 'remaining', 'reset'] as const) {
    const name = `${prefix}-${field}`
    const text = first(headers, name)
    if (text === undefined) continue
    seen = true
    const value = number(text)
    if (value === undefined) {
      malformed.push(name)
      continue
    }
    if (field === 'reset') hint.resetMs = resetMs(value, now)
    else hint[field] = value
  }
  return seen && (hint.remaining !== undefined || hint.limit !== undefined) ? hint : undefined
}

/** Parameters of a structured-field list member: `"default";r=5;t=30` or `limit=10, remaining=5, reset=3`. */
function params(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of text.split(/[;,]/)) {
    const eq = part.indexOf('=')
    if (eq > 0) out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim())
  }
  return out
}

/**
 * The IETF header fields (draft-ietf-httpapi-ratelimit-headers): `RateLimit: "default";r=5;t=30` with
 * `RateLimit-Policy: "default";q=100;w=60` (draft 8 and later), `RateLimit: limit=100, remaining=5, reset=30`
 * (drafts 6–7), or the separate `RateLimit-Limit` / `-Remaining` / `-Reset` fields (early drafts).
 */
function ietf(headers: RateLimitHeaders, now: number, malformed: string[]): RateLimitHint | undefined {
  const combined = first(headers, 'ratelimit')
  const policy = first(headers, 'ratelimit-policy')
  if (combined === undefined) return triple(headers, 'ratelimit', now, malformed)
  if (combined.length > MAX_HEADER_CHARS) {
    malformed.push('ratelimit')
    return undefined
  }
  const p = params(combined)
  const remaining = number(p.get('r') ?? p.get('remaining'))
  const reset = number(p.get('t') ?? p.get('reset'))
  if (remaining === undefined) {
    malformed.push('ratelimit')
    return undefined
  }
  const hint: RateLimitHint = { source: 'ratelimit', remaining }
  if (reset !== undefined) hint.resetMs = reset * 1_000
  const limit = number(p.get('limit'))
  if (limit !== undefined) hint.limit = limit
  if (policy !== undefined) {
    const q = policy.length <= MAX_HEADER_CHARS ? params(policy) : new Map<string, string>()
    const quota = number(q.get('q') ?? policy.split(/[;,]/)[0]?.trim())
    const window = number(q.get('w'))
    if (quota === undefined) malformed.push('ratelimit-policy')
    else hint.limit = quota
    if (window !== undefined) hint.windowMs = window * 1_000
  }
  return hint
}

/**
 * Salesforce's `Sforce-Limit-Info: api-usage=25/5000`: calls used of the org's rolling 24-hour allowance.
 *
 * @example
 * ```ts
 * createRateLimiter({ perSecond: 20, headerParsers: [sforceLimitInfo] }, { logger })
 * ```
 */
export const sforceLimitInfo: RateLimitHeaderParser = (headers) => {
  const text = first(headers, 'sforce-limit-info')
  if (text === undefined) return undefined
  const match = /api-usage=(\d{1,12})\/(\d{1,12})/.exec(text)
  if (match === null) throw new Error('expected api-usage=USED/MAX')
  const used = Number(match[1])
  const max = Number(match[2])
  return { source: 'sforce-limit-info', limit: max, remaining: Math.max(0, max - used), windowMs: 86_400_000 }
}

/**
 * Reads `Retry-After` and every rate-limit header family a response may carry: `X-RateLimit-*`, the IETF
 * `RateLimit` / `RateLimit-Policy` fields, and vendor headers through `parsers`. Pure and total: malformed or
 * hostile values are listed in `malformed` and otherwise ignored, never thrown.
 *
 * @example
 * ```ts
 * const seen = parseRateLimitHeaders({ 'retry-after': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '30' })
 * seen.retryAfterMs // 30000
 * seen.hints // [{ source: 'x-ratelimit', remaining: 0, resetMs: 30000 }]
 * ```
 */
export function parseRateLimitHeaders(
  headers: RateLimitHeaders,
  options: { parsers?: readonly RateLimitHeaderParser[]; now?: number } = {},
): RateLimitObservation {
  const now = options.now ?? Date.now()
  const malformed: string[] = []
  const hints: RateLimitHint[] = []
  const out: RateLimitObservation = { hints, malformed }
  const retry = first(headers, 'retry-after')
  if (retry !== undefined) {
    const ms = retryAfter(retry, now)
    if (ms === undefined) malformed.push('retry-after')
    else out.retryAfterMs = ms
  }
  const x = xRateLimit(headers, now, malformed)
  if (x !== undefined) hints.push(x)
  const i = ietf(headers, now, malformed)
  if (i !== undefined) hints.push(i)
  for (const parser of options.parsers ?? []) {
    let hint: RateLimitHint | undefined
    try {
      hint = parser(headers)
    } catch {
      malformed.push(parser.name || 'headerParser')
      continue
    }
    if (hint === undefined) continue
    const fields = [hint.remaining, hint.limit, hint.resetMs, hint.windowMs]
    if (fields.some((v) => v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0))) {
      malformed.push(hint.source || parser.name || 'headerParser')
      continue
    }
    hints.push(hint)
  }
  return out
}
