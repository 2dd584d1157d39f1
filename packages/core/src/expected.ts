/**
 * The one wording of an option error, in every package: "Expected `retry.retries` to be a non-negative integer,
 * got -1". A string value is shown quoted and cut to 40 characters, unless it may be a secret (`secret: true`), in
 * which case only its kind is named ("got a string of 12 characters").
 *
 * @example
 * ```ts
 * throw new HttpError({ code: 'FK_HTTP_OPTIONS', message: `[fieldkit/http] ${expected('retry.retries', 'a non-negative integer', -1)}`, hint })
 * // "[fieldkit/http] Expected `retry.retries` to be a non-negative integer, got -1"
 * ```
 */
export function expected(name: string, what: string, got: unknown, options: { secret?: boolean } = {}): string {
  return `Expected \`${name}\` to be ${what}, got ${describeValue(got, options.secret === true)}`
}

/** How {@link expected} names a value: never more than 40 characters of it, and nothing of a secret. */
export function describeValue(value: unknown, secret = false): string {
  if (typeof value === 'string') {
    if (value.length === 0) return 'an empty string'
    if (secret) return `a string of ${value.length} characters`
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'function') return 'a function'
  return typeof value
}
