/** What a provider's headers say about its quota; every field optional. */
export interface ProviderQuota {
  remainingTokens?: number
  /** When the token quota resets, as epoch ms. */
  tokensResetAt?: number
  remainingRequests?: number
  requestsResetAt?: number
  /** How long to wait before the next call (`retry-after-ms`, `retry-after`), in ms. */
  retryAfterMs?: number
}

type HeaderGetter = { get(name: string): string | null }

/** OpenAI's durations: `1s`, `6m0s`, `20ms`, `1h2m3.5s`. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g
  let total = 0
  let seen = ''
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const n = Number(m[1])
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000
    seen += m[0]
  }
  return seen === text.trim() && seen !== '' ? total : undefined
}

function num(text: string | null): number | undefined {
  if (text === null || text.trim() === '') return undefined
  const n = Number(text)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

/** A reset given as a duration (OpenAI), seconds, or an RFC 3339 time (Anthropic), as epoch ms. */
function resetAt(text: string | null, now: number): number | undefined {
  if (text === null) return undefined
  const asNumber = num(text)
  if (asNumber !== undefined) return now + asNumber * 1000
  const d = parseDuration(text)
  if (d !== undefined) return now + d
  const t = Date.parse(text)
  return Number.isFinite(t) ? t : undefined
}

/**
 * Reads the quota headers of OpenAI (`x-ratelimit-remaining-tokens`, `x-ratelimit-reset-tokens`, `…-requests`),
 * Anthropic (`anthropic-ratelimit-tokens-remaining`, `…-reset`, `…-input-tokens-*`, `…-requests-*`) and the retry
 * delays (`retry-after-ms`, `retry-after` in seconds or as an HTTP date).
 */
export function readProviderQuota(headers: HeaderGetter, now = Date.now()): ProviderQuota {
  const q: ProviderQuota = {}
  const remainingTokens =
    num(headers.get('x-ratelimit-remaining-tokens')) ??
    num(headers.get('anthropic-ratelimit-tokens-remaining')) ??
    num(headers.get('anthropic-ratelimit-input-tokens-remaining'))
  if (remainingTokens !== undefined) q.remainingTokens = remainingTokens
  const tokensReset =
    resetAt(headers.get('x-ratelimit-reset-tokens'), now) ??
    resetAt(headers.get('anthropic-ratelimit-tokens-reset'), now) ??
    resetAt(headers.get('anthropic-ratelimit-input-tokens-reset'), now)
  if (tokensReset !== undefined) q.tokensResetAt = tokensReset
  const remainingRequests =
    num(headers.get('x-ratelimit-remaining-requests')) ?? num(headers.get('anthropic-ratelimit-requests-remaining'))
  if (remainingRequests !== undefined) q.remainingRequests = remainingRequests
  const requestsReset =
    resetAt(headers.get('x-ratelimit-reset-requests'), now) ??
    resetAt(headers.get('anthropic-ratelimit-requests-reset'), now)
  if (requestsReset !== undefined) q.requestsResetAt = requestsReset
  const ms = num(headers.get('retry-after-ms'))
  if (ms !== undefined) q.retryAfterMs = ms
  else {
    const ra = headers.get('retry-after')
    const secs = num(ra)
    if (secs !== undefined) q.retryAfterMs = secs * 1000
    else if (ra !== null && Number.isFinite(Date.parse(ra))) q.retryAfterMs = Math.max(0, Date.parse(ra) - now)
  }
  return q
}
