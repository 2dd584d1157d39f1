import { type MockServer, serve } from '@fieldkit/mocks'
import { rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'
import type { HttpClientOptions } from './options'

/** A hook's own error is the caller's, not the service's: it ends the request as it is, unretried and uncounted. */
describe('a hook that throws', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([
      http.get('*/ok', () => HttpResponse.json({ ok: true })),
      http.get('*/busy', () => HttpResponse.json({}, { status: 429, headers: { 'retry-after': '0' } })),
    ])
  })
  afterAll(() => mock.close())

  // ECONNRESET is a code the retry layer would retry and the breaker would count, were it the service's.
  const thrown = () => Object.assign(new Error('the trace store is down'), { code: 'ECONNRESET' })
  const cases: [string, string, HttpClientOptions['hooks']][] = [
    ['beforeRequest', '/ok', { beforeRequest: [() => Promise.reject(thrown())] }],
    ['afterResponse', '/ok', { afterResponse: [() => Promise.reject(thrown())] }],
    ['beforeRetry', '/busy', { beforeRetry: [() => Promise.reject(thrown())] }],
  ]

  it.each(cases)(
    '%s: rejects with the hook’s error itself, not retried, not held against the origin',
    async (_, path, hooks) => {
      const client = createHttpClient({
        baseUrl: mock.url,
        hooks,
        retry: { retries: 3, minDelayMs: 1, maxDelayMs: 1 },
        breaker: { minimumCalls: 2, failureRatio: 0.5, openMs: 60_000 },
      })
      const before = mock.requests.length
      for (let i = 0; i < 4; i++) {
        const error = await rejection(client.request(path))
        expect(error).toBeInstanceOf(Error)
        expect((error as Error).message).toBe('the trace store is down')
        expect(error).not.toHaveProperty('hint')
      }
      const stats = client.stats()
      expect(stats.circuitRejections).toBe(0)
      expect(Object.values(stats.breakers).every((b) => b.state === 'closed')).toBe(true)
      // beforeRequest stops each request before it is sent; the others send once each.
      expect(mock.requests.length - before).toBe(hooks?.beforeRequest === undefined ? 4 : 0)
      await client.close()
    },
  )
})
