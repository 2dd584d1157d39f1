import { HttpResponse, http, type RequestHandler } from 'msw'

/** Options of {@link retryAfter}. */
export interface RetryAfterOptions {
  /** How many requests per endpoint fail before the first 200 (default 1). */
  failures?: number
  /** The wait asked for, in seconds (default 1). */
  seconds?: number
}

/**
 * Endpoints that ask the client to come back later, each failing its first `failures` requests, then answering 200:
 * - `/retry-after/seconds`: 503 with `Retry-After: <seconds>`;
 * - `/retry-after/date`: 429 with `Retry-After` as an HTTP date `seconds` ahead;
 * - `/retry-after/malformed`: 503 with `Retry-After: soon` (a client must ignore it and back off itself);
 * - `/retry-after/hour`: always 503 with `Retry-After: 3600` (a client must not sleep for an hour).
 *
 * @example
 * ```ts
 * const mock = await serve(retryAfter({ failures: 2, seconds: 1 }))
 * ```
 */
export function retryAfter(options: RetryAfterOptions = {}): RequestHandler[] {
  const { failures = 1, seconds = 1 } = options
  const counts = new Map<string, number>()
  const failing = (name: string) => {
    const count = (counts.get(name) ?? 0) + 1
    counts.set(name, count)
    return count <= failures
  }
  const ok = (name: string) => HttpResponse.json({ ok: true, endpoint: name, requests: counts.get(name) })
  return [
    http.all('*/retry-after/seconds', () =>
      failing('seconds')
        ? HttpResponse.json({ error: 'unavailable' }, { status: 503, headers: { 'retry-after': String(seconds) } })
        : ok('seconds'),
    ),
    http.all('*/retry-after/date', () =>
      failing('date')
        ? HttpResponse.json(
            { error: 'too many requests' },
            { status: 429, headers: { 'retry-after': new Date(Date.now() + seconds * 1000).toUTCString() } },
          )
        : ok('date'),
    ),
    http.all('*/retry-after/malformed', () =>
      failing('malformed')
        ? HttpResponse.json({ error: 'unavailable' }, { status: 503, headers: { 'retry-after': 'soon' } })
        : ok('malformed'),
    ),
    http.all('*/retry-after/hour', () =>
      HttpResponse.json({ error: 'down for maintenance' }, { status: 503, headers: { 'retry-after': '3600' } }),
    ),
  ]
}
