// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
// (`Sun Nov  6 08:49:37 1994`): the three forms RFC 9110 section 5.6.7 says a recipient must accept.
const HTTP_DATE =
  /^(?:[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/

/**
 * How long a `Retry-After` header asks the client to wait, in milliseconds: a number of seconds (RFC 9110
 * section 10.2.3) or an HTTP date, counted from `now`. A date in the past gives 0; a number of seconds too large to
 * hold gives `Number.MAX_SAFE_INTEGER` (the longest wait, never "retry now"). Anything else — negative or
 * fractional numbers, free text, several values — gives `undefined`, so that the caller falls back to its own
 * backoff instead of trusting a malformed header.
 *
 * @example
 * ```ts
 * parseRetryAfter('120')                                 // 120_000
 * parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', now)   // ms until then
 * parseRetryAfter('soon')                                // undefined
 * ```
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined
  if (Array.isArray(value)) return value.length === 1 ? parseRetryAfter(value[0], now) : undefined
  const text = value.trim()
  // Digits only, however many: a number of seconds. One too large for a safe integer is still a wait, the longest
  // there is, so that the caller's `maxRetryAfterMs` check calls it too long instead of retrying at once.
  if (/^\d+$/.test(text)) {
    const seconds = Number(text)
    return Number.isSafeInteger(seconds) ? Math.min(seconds * 1000, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER
  }
  if (text.length === 0 || text.length > 64) return undefined
  if (!HTTP_DATE.test(text)) return undefined
  const at = Date.parse(text.includes(',') ? text : `${text} GMT`)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}
