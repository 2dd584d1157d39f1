import { HttpResponse, http, type RequestHandler } from 'msw'

/** Options of {@link idempotencyCounter}. */
export interface IdempotencyCounterOptions {
  /** Path to answer POST, PUT and PATCH on (default `/idempotent`); `GET <path>/counts` returns the counts. */
  path?: string
  /** Answer 503 to the first `failFirst` sightings of each key, so that the client has to retry (default 0). */
  failFirst?: number
}

/** What {@link idempotencyCounter} returns: the handlers, and how often each key was seen. */
export interface IdempotencyCounter {
  handlers: RequestHandler[]
  /** Sightings per `Idempotency-Key` value; requests without one count under `''`. */
  counts: Map<string, number>
}

/**
 * An endpoint that counts how often it saw each `Idempotency-Key`, optionally failing the first sightings with
 * 503, so a test can prove a client sends the same key on every attempt, and never re-sends a keyless POST.
 *
 * @example
 * ```ts
 * const counter = idempotencyCounter({ failFirst: 1 })
 * const mock = await serve(counter.handlers)
 * // … POST /idempotent with a key …
 * counter.counts.get(key) // 2: one 503, one 201
 * ```
 */
export function idempotencyCounter(options: IdempotencyCounterOptions = {}): IdempotencyCounter {
  const { path = '/idempotent', failFirst = 0 } = options
  const counts = new Map<string, number>()
  const answer = ({ request }: { request: Request }) => {
    const key = request.headers.get('idempotency-key') ?? ''
    const seen = (counts.get(key) ?? 0) + 1
    counts.set(key, seen)
    if (seen <= failFirst) return HttpResponse.json({ error: 'unavailable', key, seen }, { status: 503 })
    return HttpResponse.json({ key, seen }, { status: 201 })
  }
  return {
    counts,
    handlers: [
      http.get(`*${path}/counts`, () => HttpResponse.json(Object.fromEntries(counts))),
      http.post(`*${path}`, answer),
      http.put(`*${path}`, answer),
      http.patch(`*${path}`, answer),
    ],
  }
}
