import { type MockServer, serve } from '@fieldkit/mocks'
import { delay, HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'

describe('request priority', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([
      http.get('*/work', async () => {
        await delay(60)
        return HttpResponse.json({ ok: true })
      }),
    ])
  })
  afterAll(() => mock.close())

  it('sends requests waiting for quota lowest priority first', async () => {
    const client = createHttpClient({ baseUrl: mock.url, rateLimit: { maxConcurrent: 1 } })
    const first = client.request({ path: '/work', query: { n: 'first' } })
    await new Promise((resolve) => setTimeout(resolve, 10))
    const queued = [9, 1, 5].map((priority) =>
      client.request({ path: '/work', query: { n: String(priority) }, priority }),
    )
    await Promise.all([first, ...queued])
    const order = mock.requests
      .filter((r) => r.path.startsWith('/work'))
      .map((r) => new URL(r.url).searchParams.get('n'))
    expect(order).toEqual(['first', '1', '5', '9'])
    await client.close()
  })

  it('refuses a priority that is not a number with FK_HTTP_RATE_LIMIT_OPTIONS', async () => {
    const client = createHttpClient({ baseUrl: mock.url, rateLimit: { maxConcurrent: 1 } })
    const busy = client.request('/work')
    await expect(client.request({ path: '/work', priority: Number.NaN })).rejects.toMatchObject({
      code: 'FK_HTTP_RATE_LIMIT_OPTIONS',
    })
    await busy
    await client.close()
  })
})
