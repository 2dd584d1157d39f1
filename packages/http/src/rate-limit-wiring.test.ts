import { type MockServer, serve } from '@fieldkit/mocks'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'

describe('rate limit wiring', () => {
  let mock: MockServer
  let inFlight = 0
  let maxInFlight = 0
  let busy = 0
  beforeAll(async () => {
    mock = await serve([
      http.get('*/busy', () => {
        busy += 1
        return busy === 1
          ? HttpResponse.json({ error: 'slow down' }, { status: 429, headers: { 'retry-after': '1' } })
          : HttpResponse.json({ ok: true })
      }),
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

  it('shows every answer to the limiter, and still waits out a 429’s Retry-After itself', async () => {
    const client = createHttpClient({ baseUrl: mock.url, rateLimit: { perSecond: 1_000 }, retry: { budget: false } })
    const pending = client.request({ path: '/busy' })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(client.stats().rateLimit?.pausedForMs).toBeGreaterThan(0)
    const res = await pending
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(2)
    expect(client.stats().status429).toBe(1)
    await client.close()
  })
})
