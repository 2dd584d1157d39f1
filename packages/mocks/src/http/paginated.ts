import { HttpResponse, http, type RequestHandler } from 'msw'

/** Options of {@link paginated}. */
export interface PaginatedOptions {
  /** Items in the listing (default 25), `{ id }` from 1. */
  items?: number
  /** Items per page when the client does not choose (default 10). */
  pageSize?: number
}

/**
 * One listing of `items` items served in each pagination style a client meets:
 * - `/pages/link?page=N`: a bare array, RFC 8288 `Link` header with `rel="next"` and `rel="last"`;
 * - `/pages/cursor?cursor=C`: `{ data, meta: { next } }` with an opaque cursor, `next: null` at the end;
 * - `/pages/next-url`: `{ items, links: { next } }` with the next page's relative URL, `null` at the end;
 * - `/pages/offset?offset=O&limit=L`: `{ data, total }`;
 * - `/pages/page?page=N&per_page=P`: `{ data }`, an empty array past the end;
 * - `/pages/repeat-cursor`: `{ data, meta: { next: 'again' } }` forever (a client must detect the loop).
 *
 * @example
 * ```ts
 * const mock = await serve(paginated({ items: 25, pageSize: 10 }))
 * ```
 */
export function paginated(options: PaginatedOptions = {}): RequestHandler[] {
  const { items = 25, pageSize = 10 } = options
  const all = Array.from({ length: items }, (_, i) => ({ id: i + 1 }))
  const slice = (from: number, size: number) => all.slice(Math.max(0, from), Math.max(0, from) + size)
  const int = (value: string | null, fallback: number) => {
    const n = Number(value ?? fallback)
    return Number.isSafeInteger(n) && n >= 0 ? n : fallback
  }
  const pages = Math.max(1, Math.ceil(items / pageSize))
  return [
    http.get('*/pages/link', ({ request }) => {
      const url = new URL(request.url)
      const page = Math.max(1, int(url.searchParams.get('page'), 1))
      const links = [`<${url.pathname}?page=${pages}>; rel="last"`]
      if (page < pages) links.unshift(`<${url.pathname}?page=${page + 1}>; rel="next"`)
      return HttpResponse.json(slice((page - 1) * pageSize, pageSize), { headers: { link: links.join(', ') } })
    }),
    http.get('*/pages/cursor', ({ request }) => {
      const cursor = new URL(request.url).searchParams.get('cursor')
      const from = cursor === null ? 0 : int(Buffer.from(cursor, 'base64url').toString('utf8').replace('after:', ''), 0)
      const data = slice(from, pageSize)
      const end = from + data.length
      const next = end < items ? Buffer.from(`after:${end}`).toString('base64url') : null
      return HttpResponse.json({ data, meta: { next } })
    }),
    http.get('*/pages/next-url', ({ request }) => {
      const url = new URL(request.url)
      const from = int(url.searchParams.get('after'), 0)
      const data = slice(from, pageSize)
      const end = from + data.length
      return HttpResponse.json({ items: data, links: { next: end < items ? `${url.pathname}?after=${end}` : null } })
    }),
    http.get('*/pages/offset', ({ request }) => {
      const url = new URL(request.url)
      const limit = Math.max(1, int(url.searchParams.get('limit'), pageSize))
      return HttpResponse.json({ data: slice(int(url.searchParams.get('offset'), 0), limit), total: items })
    }),
    http.get('*/pages/page', ({ request }) => {
      const url = new URL(request.url)
      const size = Math.max(1, int(url.searchParams.get('per_page'), pageSize))
      const page = Math.max(1, int(url.searchParams.get('page'), 1))
      return HttpResponse.json({ data: slice((page - 1) * size, size) })
    }),
    http.get('*/pages/repeat-cursor', () => HttpResponse.json({ data: slice(0, pageSize), meta: { next: 'again' } })),
  ]
}
