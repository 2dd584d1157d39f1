import { type MockServer, paginated, serve } from '@fieldkit/mocks'
import { rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import * as v from 'valibot'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { z as z4 } from 'zod'
import { z as z3 } from 'zod3'
import { createHttpClient, type HttpClient } from './client'

// One table, three libraries: zod 3.25 (its v3 API), zod 4 and valibot, all through Standard Schema v1.
const libraries = [
  {
    name: 'zod 3.25',
    order: z3.object({ id: z3.number(), total: z3.string() }),
    wrong: z3.object({ id: z3.string() }),
    item: z3.object({ id: z3.number() }),
    code: 'invalid_type',
  },
  {
    name: 'zod 4',
    order: z4.object({ id: z4.number(), total: z4.string() }),
    wrong: z4.object({ id: z4.string() }),
    item: z4.object({ id: z4.number() }),
    code: 'invalid_type',
  },
  {
    name: 'valibot',
    order: v.object({ id: v.number(), total: v.string() }),
    wrong: v.object({ id: v.string() }),
    item: v.object({ id: v.number() }),
    code: 'string',
  },
] as const

describe('typed JSON with any Standard Schema', () => {
  // Long enough not to turn up by chance in the message's URL (a port of 42747 once held `42`).
  const ORDER_ID = 90_817_263
  let mock: MockServer
  let client: HttpClient
  beforeAll(async () => {
    mock = await serve([
      http.get('*/order', () => HttpResponse.json({ id: ORDER_ID, total: '12.50' })),
      ...paginated({ items: 25, pageSize: 10 }),
    ])
    client = createHttpClient({ baseUrl: mock.url })
  })
  afterAll(async () => {
    await client.close()
    await mock.close()
  })

  for (const lib of libraries) {
    it(`${lib.name}: res.json(schema) is typed by the schema, FK_HTTP_SCHEMA with the issue's path and code`, async () => {
      const order = await (await client.request('/order')).json(lib.order)
      expectTypeOf(order).toEqualTypeOf<{ id: number; total: string }>()
      expect(order).toEqual({ id: ORDER_ID, total: '12.50' })
      const error = await rejection((await client.request('/order')).json(lib.wrong))
      expect(error.code).toBe('FK_HTTP_SCHEMA')
      expect(error.details?.issues).toEqual([{ path: 'id', code: lib.code, message: expect.any(String) }])
      expect(error.message).not.toContain(String(ORDER_ID)) // the value is never shown
    })

    it(`${lib.name}: paginate checks each item`, async () => {
      const ids: number[] = []
      for await (const item of client.paginate('/pages/link', { style: 'link', item: lib.item })) ids.push(item.id)
      expect(ids).toHaveLength(25)
      const bad = await rejection(
        (async () => {
          for await (const _ of client.paginate('/pages/link', { style: 'link', item: lib.wrong })) {
            // reading is enough
          }
        })(),
      )
      expect(bad.code).toBe('FK_HTTP_SCHEMA')
    })
  }

  it('awaits a schema with async checks', async () => {
    const schema = z4.object({ id: z4.number().refine(async (n) => n < 100, 'id must be under 100') })
    const error = await rejection((await client.request('/order')).json(schema))
    expect(error.code).toBe('FK_HTTP_SCHEMA')
    expect(error.message).toContain('id must be under 100')
  })

  it('refuses something that is not a Standard Schema with FK_HTTP_OPTIONS that says what to pass', async () => {
    const legacy = { safeParse: () => ({ success: true, data: {} }) }
    const error = await rejection((await client.request('/order')).json(legacy as never))
    expect(error.code).toBe('FK_HTTP_OPTIONS')
    expect(error.message).toContain('Expected `schema` to be a Standard Schema')
    expect(error.hint).toContain('3.24')
  })
})
