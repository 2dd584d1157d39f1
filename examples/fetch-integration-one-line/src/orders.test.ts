import { type MockServer, serve } from '@fieldkit/mocks'
import { createGuard, definePolicy } from '@fieldkit/residency'
import { HttpResponse, http } from 'msw'
import { type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { resilientDispatcher } from './dispatcher'
import { listOrders } from './orders'

// The ERP: three pages of orders, a 503 on the first try of page 2 and a 429 with Retry-After on page 3.
describe('an existing fetch integration, made resilient by one line', () => {
  let erp: MockServer
  const tries = new Map<string, number>()
  let before: Dispatcher
  beforeAll(async () => {
    erp = await serve([
      http.get('*/orders', ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get('page'))
        const n = (tries.get(String(page)) ?? 0) + 1
        tries.set(String(page), n)
        if (page === 2 && n === 1) return HttpResponse.json({ error: 'busy' }, { status: 503 })
        if (page === 3 && n === 1)
          return HttpResponse.json({ error: 'quota' }, { status: 429, headers: { 'retry-after': '1' } })
        return HttpResponse.json({ data: [{ id: `o-${page}`, total: page * 10 }], next: page < 3 })
      }),
    ])
    before = getGlobalDispatcher()
  })
  afterEach(() => setGlobalDispatcher(before))
  afterAll(() => erp.close())

  const guard = createGuard(
    definePolicy({
      dataClasses: { pii: ['eu'] },
      ipRanges: [{ cidr: '127.0.0.1/32', region: 'eu' }],
      allowSpecial: ['127.0.0.1'],
    }),
  )

  it('fails without the line (the 503 reaches the integration)', async () => {
    tries.clear()
    await expect(listOrders(erp.url)).rejects.toThrow('orders page 2: HTTP 503')
  })

  it('lists every order with the line: the 503 retried, the 429 waited out', async () => {
    tries.clear()
    setGlobalDispatcher(resilientDispatcher(guard, 50))
    const orders = await listOrders(erp.url)
    expect(orders.map((o) => o.id)).toEqual(['o-1', 'o-2', 'o-3'])
    expect(Object.fromEntries(tries)).toEqual({ 1: 1, 2: 2, 3: 2 })
  })

  it('refuses a destination outside the policy before connecting', async () => {
    setGlobalDispatcher(resilientDispatcher(guard, 50))
    const error = await listOrders('http://10.0.0.1:8080').catch((e: unknown) => e)
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('FK_RESIDENCY_DENIED')
  })
})
