import { type StandardSchemaV1, validateStandard } from '@fieldkit/core'
import { HttpError } from './errors'
import { linkTarget } from './link-header'
import { redactUrl } from './redact'
import type { RequestOptions } from './request'
import type { HttpResponse } from './response'

/**
 * What every paging style of {@link PagingOptions} shares: where the items are, how many pages at most, and the
 * optional schema of each item.
 *
 * @example
 * ```ts
 * const common: PagingCommon<Order> = { itemsPath: 'data.items', maxPages: 50 }
 * ```
 */
export interface PagingCommon<T> {
  /** Dot path of the items array in the body (`data.items`); the body itself when absent. */
  itemsPath?: string
  /** Most pages to fetch; one more page announced gives FK_HTTP_MAX_PAGES. Default 1,000. */
  maxPages?: number
  /** A Standard Schema (zod ≥ 3.24, valibot, ArkType) every item must match (FK_HTTP_SCHEMA otherwise). */
  item?: StandardSchemaV1<unknown, T>
}

/**
 * How `client.paginate` finds the next page.
 *
 * @example
 * ```ts
 * const paging: PagingOptions = { style: 'cursor', cursorPath: 'meta.next', itemsPath: 'data' }
 * ```
 */
export type PagingOptions<T = unknown> = PagingCommon<T> &
  (
    | { /** RFC 8288 `Link: <…>; rel="next"`. */ style: 'link'; rel?: string }
    | {
        /** A cursor at `cursorPath` in the body, sent back as the `cursorParam` query parameter (default `cursor`). */
        style: 'cursor'
        cursorPath: string
        cursorParam?: string
      }
    | { /** The next page's URL at `nextPath` in the body (`links.next`). */ style: 'next-url'; nextPath: string }
    | {
        /** `offset`/`limit` query parameters; stops on a page shorter than `limit`. */
        style: 'offset'
        limit: number
        offsetParam?: string
        limitParam?: string
        /** First offset; default 0. */
        start?: number
      }
    | {
        /** Page numbers; stops on an empty page, or one shorter than `perPage` when given. */
        style: 'page'
        pageParam?: string
        firstPage?: number
        perPage?: number
        perPageParam?: string
      }
  )

const STYLES = new Set(['link', 'cursor', 'next-url', 'offset', 'page'])

function invalid(message: string): HttpError {
  return new HttpError({
    code: 'FK_HTTP_OPTIONS',
    message: `[fieldkit/http] ${message}`,
    hint: 'Fix the paging option named in the message; the README lists each pagination style and its options',
  })
}

function at(body: unknown, path: string): unknown {
  let value = body
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

function check<T>(paging: PagingOptions<T>): void {
  if (typeof paging !== 'object' || paging === null || !STYLES.has(paging.style)) {
    throw invalid(
      `Expected \`paging.style\` to be one of link, cursor, next-url, offset, page, got ${JSON.stringify((paging as { style?: unknown })?.style)}`,
    )
  }
  if (paging.maxPages !== undefined && !(Number.isSafeInteger(paging.maxPages) && paging.maxPages > 0)) {
    throw invalid(`Expected \`paging.maxPages\` to be a positive integer, got ${JSON.stringify(paging.maxPages)}`)
  }
  if (paging.style === 'cursor' && (typeof paging.cursorPath !== 'string' || paging.cursorPath === '')) {
    throw invalid(
      `Expected \`paging.cursorPath\` to be a dot path such as "meta.next", got ${JSON.stringify(paging.cursorPath)}`,
    )
  }
  if (paging.style === 'next-url' && (typeof paging.nextPath !== 'string' || paging.nextPath === '')) {
    throw invalid(
      `Expected \`paging.nextPath\` to be a dot path such as "links.next", got ${JSON.stringify(paging.nextPath)}`,
    )
  }
  if (paging.style === 'offset' && !(Number.isSafeInteger(paging.limit) && paging.limit > 0)) {
    throw invalid(`Expected \`paging.limit\` to be a positive integer, got ${JSON.stringify(paging.limit)}`)
  }
  if (
    paging.style === 'page' &&
    paging.perPage !== undefined &&
    !(Number.isSafeInteger(paging.perPage) && paging.perPage > 0)
  ) {
    throw invalid(`Expected \`paging.perPage\` to be a positive integer, got ${JSON.stringify(paging.perPage)}`)
  }
}

/** Where the walk stands between pages: the offset or page number of the next request, and the first page's origin. */
interface Walk {
  offset: number
  page: number
  origin: string | undefined
  pages: number
  readonly seen: Set<string>
}

/**
 * Walks the pages of a listing and yields its items, page after page (one request in flight). Stops when the
 * server announces no next page; throws `FK_HTTP_PAGINATION_LOOP` when a cursor or next URL repeats,
 * `FK_HTTP_MAX_PAGES` when there are more than `maxPages` pages, and `FK_HTTP_PAGINATION` when a page does not
 * have the announced shape or a next URL leaves the origin (credentials would follow it).
 *
 * @example
 * ```ts
 * for await (const order of paginate(client.request, { path: '/orders' }, { style: 'cursor', cursorPath: 'next' })) …
 * ```
 */
export async function* paginate<T>(
  send: (request: RequestOptions) => Promise<HttpResponse>,
  request: RequestOptions,
  paging: PagingOptions<T>,
): AsyncGenerator<T, void, undefined> {
  check(paging)
  const maxPages = paging.maxPages ?? 1000
  const walk: Walk = {
    offset: paging.style === 'offset' ? (paging.start ?? 0) : 0,
    page: paging.style === 'page' ? (paging.firstPage ?? 1) : 0,
    origin: undefined,
    pages: 0,
    seen: new Set<string>(),
  }
  let next: RequestOptions | undefined = numbered(request, paging, walk) ?? request
  while (next !== undefined) {
    if (walk.pages >= maxPages) throw tooManyPages(request, paging, maxPages)
    const res = await send(next)
    walk.pages += 1
    walk.origin ??= new URL(res.url).origin
    const body = await res.json()
    const items = itemsOf(res, body, paging, walk.pages)
    yield* checkedItems(res, items, paging, walk.pages)
    next = following(request, paging, walk, res, body, items)
  }
}

/** The items array of one page, where `paging.itemsPath` says (`FK_HTTP_PAGINATION` when it is not an array). */
function itemsOf<T>(res: HttpResponse, body: unknown, paging: PagingOptions<T>, page: number): unknown[] {
  const items = paging.itemsPath === undefined ? body : at(body, paging.itemsPath)
  if (Array.isArray(items)) return items
  throw new HttpError({
    code: 'FK_HTTP_PAGINATION',
    message: `[fieldkit/http] ${res.method} ${res.url}: page ${page} has no items array at ${paging.itemsPath === undefined ? 'the top level' : `"${paging.itemsPath}"`}`,
    hint: 'Set paging.itemsPath to where the page keeps its items (for example "data")',
    status: res.status,
    details: { page, style: paging.style },
  })
}

/** The page's items, each checked against `paging.item` when given (`FK_HTTP_SCHEMA` on the first that fails). */
async function* checkedItems<T>(
  res: HttpResponse,
  items: unknown[],
  paging: PagingOptions<T>,
  page: number,
): AsyncGenerator<T, void, undefined> {
  for (const item of items) {
    if (paging.item === undefined) {
      yield item as T
      continue
    }
    const parsed = await validateStandard(paging.item, item)
    if (parsed.issues !== undefined) {
      const issues = parsed.issues.slice(0, 10)
      throw new HttpError({
        code: 'FK_HTTP_SCHEMA',
        message: `[fieldkit/http] ${res.method} ${res.url}: an item on page ${page} does not match the schema (${issues[0]?.path || '(root)'}: ${issues[0]?.message})`,
        hint: 'The API answered a shape the schema does not expect; compare the issues with the API version and the schema',
        status: res.status,
        details: { page, issues },
      })
    }
    yield parsed.value as T
  }
}

/** The request of the next page (`undefined` at the end), refusing a cursor or URL already read. */
function following<T>(
  request: RequestOptions,
  paging: PagingOptions<T>,
  walk: Walk,
  res: HttpResponse,
  body: unknown,
  items: unknown[],
): RequestOptions | undefined {
  if (paging.style === 'link' || paging.style === 'next-url') {
    const raw = paging.style === 'link' ? linkTarget(res.headers.link, paging.rel ?? 'next') : at(body, paging.nextPath)
    if (raw === undefined || raw === null || raw === '') return undefined
    if (typeof raw !== 'string')
      throw shape(res, walk.pages, `the next URL at "${(paging as { nextPath: string }).nextPath}" is not a string`)
    const absolute = once(sameOrigin(raw, res, walk.origin, walk.pages), res, paging, walk)
    const next: RequestOptions = { ...request, path: absolute }
    delete next.query
    return next
  }
  if (paging.style === 'cursor') {
    const cursor = at(body, paging.cursorPath)
    if (cursor === undefined || cursor === null || cursor === '') return undefined
    if (typeof cursor !== 'string' && typeof cursor !== 'number') {
      throw shape(res, walk.pages, `the cursor at "${paging.cursorPath}" is neither a string nor a number`)
    }
    const token = once(String(cursor), res, paging, walk)
    return { ...request, query: { ...request.query, [paging.cursorParam ?? 'cursor']: token } }
  }
  if (paging.style === 'offset') {
    if (items.length < paging.limit) return undefined
    walk.offset += items.length
    return numbered(request, paging, walk)
  }
  const perPage = (paging as { perPage?: number }).perPage
  if (items.length === 0 || (perPage !== undefined && items.length < perPage)) return undefined
  walk.page += 1
  return numbered(request, paging, walk)
}

/** For the offset and page styles, the request with the walk's offset (and limit) or page number (and page size). */
function numbered<T>(request: RequestOptions, paging: PagingOptions<T>, walk: Walk): RequestOptions | undefined {
  if (paging.style === 'offset') {
    return {
      ...request,
      query: {
        ...request.query,
        [paging.offsetParam ?? 'offset']: walk.offset,
        [paging.limitParam ?? 'limit']: paging.limit,
      },
    }
  }
  if (paging.style !== 'page') return undefined
  return {
    ...request,
    query: {
      ...request.query,
      [paging.pageParam ?? 'page']: walk.page,
      ...(paging.perPage === undefined ? {} : { [paging.perPageParam ?? 'per_page']: paging.perPage }),
    },
  }
}

/** Records a cursor or next URL; `FK_HTTP_PAGINATION_LOOP` when it was already read. */
function once<T>(token: string, res: HttpResponse, paging: PagingOptions<T>, walk: Walk): string {
  if (!walk.seen.has(token)) {
    walk.seen.add(token)
    return token
  }
  throw new HttpError({
    code: 'FK_HTTP_PAGINATION_LOOP',
    message: `[fieldkit/http] ${res.method} ${res.url}: page ${walk.pages} points back to a page already read (${paging.style === 'cursor' ? 'repeated cursor' : `repeated URL ${redactUrl(token)}`}); stopping instead of looping`,
    hint: 'The API returned the same cursor or next link twice: a server bug, or a listing that changed under the walk; check the paging parameters and report it to the API owner',
    status: res.status,
    details: { page: walk.pages, style: paging.style },
  })
}

function tooManyPages<T>(request: RequestOptions, paging: PagingOptions<T>, maxPages: number): HttpError {
  return new HttpError({
    code: 'FK_HTTP_MAX_PAGES',
    message: `[fieldkit/http] ${request.method ?? 'GET'} ${redactUrl(request.path)}: the listing has more than maxPages (${maxPages}) pages`,
    hint: 'Narrow the listing with filters, or raise paging.maxPages if this many pages are expected',
    details: { maxPages, style: paging.style },
  })
}

function shape(res: HttpResponse, page: number, what: string): HttpError {
  return new HttpError({
    code: 'FK_HTTP_PAGINATION',
    message: `[fieldkit/http] ${res.method} ${res.url}: on page ${page}, ${what}`,
    hint: 'Check paging.style and its paths against what the API answers',
    status: res.status,
    details: { page },
  })
}

function sameOrigin(raw: string, res: HttpResponse, origin: string | undefined, page: number): string {
  let next: URL
  try {
    next = new URL(raw, res.url)
  } catch {
    throw shape(res, page, 'the next URL is not a valid URL')
  }
  if (next.origin !== origin) {
    throw new HttpError({
      code: 'FK_HTTP_PAGINATION',
      message: `[fieldkit/http] ${res.method} ${res.url}: page ${page} links to another origin (${next.origin}); not followed`,
      hint: 'Credentials would be sent to the other origin; call paginate on that origin yourself if you trust it',
      status: res.status,
      details: { page, nextOrigin: next.origin },
    })
  }
  return next.href
}
