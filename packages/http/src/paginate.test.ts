import { type MockServer, paginated, serve } from '@fieldkit/mocks'
import { rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createHttpClient, type HttpClient } from './client'
import type { PagingOptions } from './paginate'

describe('paginate', () => {
  let mock: MockServer
  let client: HttpClient
  beforeAll(async () => {
    mock = await serve([
      ...paginated({ items: 25, pageSize: 10 }),
      http.get('*/pages/elsewhere', () =>
        HttpResponse.json([{ id: 1 }], { headers: { link: '<https://evil.example/steal>; rel="next"' } }),
      ),
    ])
    client = createHttpClient({ baseUrl: mock.url })
  })
  afterAll(async () => {
    await client.close()
    await mock.close()
  })

  const collect = async (path: string, paging: PagingOptions) => {
    const ids: unknown[] = []
    for await (const item of client.paginate(path, paging)) ids.push((item as { id: number }).id)
    return ids
  }
  const all = Array.from({ length: 25 }, (_, i) => i + 1)

  it.each<[string, PagingOptions]>([
    ['/pages/link', { style: 'link' }],
    ['/pages/cursor', { style: 'cursor', cursorPath: 'meta.next', itemsPath: 'data' }],
    ['/pages/next-url', { style: 'next-url', nextPath: 'links.next', itemsPath: 'items' }],
    ['/pages/offset', { style: 'offset', limit: 10, itemsPath: 'data' }],
    ['/pages/page', { style: 'page', itemsPath: 'data' }],
    ['/pages/page', { style: 'page', perPage: 7, itemsPath: 'data' }],
  ])('walks %s with %j', async (path, paging) => {
    expect(await collect(path, paging)).toEqual(all)
  })

  it('stops with FK_HTTP_PAGINATION_LOOP on a repeated cursor', async () => {
    const error = await rejection(
      collect('/pages/repeat-cursor', { style: 'cursor', cursorPath: 'meta.next', itemsPath: 'data' }),
    )
    expect(error.code).toBe('FK_HTTP_PAGINATION_LOOP')
    expect(error.message).toContain('repeated cursor')
  })

  it('stops with FK_HTTP_MAX_PAGES after maxPages', async () => {
    const error = await rejection(collect('/pages/link', { style: 'link', maxPages: 2 }))
    expect(error).toMatchObject({ code: 'FK_HTTP_MAX_PAGES', details: { maxPages: 2 } })
  })

  it('does not follow a next link to another origin', async () => {
    const error = await rejection(collect('/pages/elsewhere', { style: 'link' }))
    expect(error.code).toBe('FK_HTTP_PAGINATION')
    expect(error.message).toContain('another origin')
  })

  it('checks items against a schema and reports a missing items array', async () => {
    const ids: number[] = []
    for await (const item of client.paginate('/pages/link', { style: 'link', item: z.object({ id: z.number() }) }))
      ids.push(item.id)
    expect(ids).toHaveLength(25)
    const bad = await rejection(collect('/pages/link', { style: 'link', item: z.object({ id: z.string() }) }))
    expect(bad.code).toBe('FK_HTTP_SCHEMA')
    const shape = await rejection(collect('/pages/cursor', { style: 'cursor', cursorPath: 'meta.next' }))
    expect(shape.code).toBe('FK_HTTP_PAGINATION')
  })

  it('validates paging options', async () => {
    const error = await rejection(collect('/pages/offset', { style: 'offset', limit: 0 }))
    expect(error.message).toContain('Expected `paging.limit` to be a positive integer, got 0')
  })
})
