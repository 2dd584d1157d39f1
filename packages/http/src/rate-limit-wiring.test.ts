import { type MockServer, serve } from '@fieldkit/mocks'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'

describe('rate limit wiring', () => {
  let mock: MockServer
  let inFlight = 0
  let maxInFlight = 0
  beforeAll(async () => {
    mock = await serve([
      http.get('*/work', async () => {
        inFlight += 1
        maxInFlight = Math.max(maxInFlight, inFlight)
        await new Promise((resolve) => setTimeout(resolve, 20))
        inFlight -= 1
        return HttpResponse.json({ ok: true })
      }),
    ])
  })
  afterAll(() => mock.close())

  it('acquires a slot before each attempt and releases it when the headers arrive', async () => {
    const client = createHttpClient({ baseUrl: mock.url, rateLimit: { maxConcurrent: 2 } })
    await Promise.all(Array.from({ length: 8 }, () => client.request('/work')))
    expect(maxInFlight).toBe(2)
    expect(client.stats().rateLimit).toMatchObject({ inFlight: 0, queued: 0 })
    await client.close()
  })
})
