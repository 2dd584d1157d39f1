import type { AuthStrategy } from '@fieldkit/core'
import { type MockServer, serve } from '@fieldkit/mocks'
import { rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'
import type { HttpClientOptions } from './options'

/**
 * A failure of the request's own steps — a hook, the auth strategy signing or answering a challenge — is the
 * caller's, not the service's: it ends the request as it is, unretried and not held against the origin.
 */
describe('a step of the request’s own that fails', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([
      http.get('*/ok', () => HttpResponse.json({ ok: true })),
      http.get('*/challenge', () =>
        HttpResponse.json({}, { status: 401, headers: { 'www-authenticate': 'Custom realm="x"' } }),
      ),
      http.get('*/busy', () => HttpResponse.json({}, { status: 429, headers: { 'retry-after': '0' } })),
    ])
  })
  afterAll(() => mock.close())

  // ECONNRESET is a code the retry layer would retry and the breaker would count, were it the service's.
  const thrown = () => Object.assign(new Error('the trace store is down'), { code: 'ECONNRESET' })
  const signing: AuthStrategy = { scheme: 'Custom', apply: () => Promise.reject(thrown()) }
  const answering: AuthStrategy = {
    scheme: 'Custom',
    apply: (request) => {
      request.headers.authorization = 'Custom token-1'
    },
    challenge: () => Promise.reject(thrown()),
  }
  const cases: [string, string, Pick<HttpClientOptions, 'hooks' | 'auth'>, number][] = [
    ['a beforeRequest hook', '/ok', { hooks: { beforeRequest: [() => Promise.reject(thrown())] } }, 0],
    ['an afterResponse hook', '/ok', { hooks: { afterResponse: [() => Promise.reject(thrown())] } }, 1],
    ['a beforeRetry hook', '/busy', { hooks: { beforeRetry: [() => Promise.reject(thrown())] } }, 1],
    ['the strategy signing', '/ok', { auth: signing }, 0],
    ['the strategy answering a challenge', '/challenge', { auth: answering }, 1],
  ]

  it.each(cases)(
    '%s: rejects with its own error, not retried, not held against the origin',
    async (_, path, own, sends) => {
      const client = createHttpClient({
        baseUrl: mock.url,
        ...own,
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
      // Each request sends `sends` times: the failing step comes before the send, or after its one answer.
      expect(mock.requests.length - before).toBe(4 * sends)
      await client.close()
    },
  )
})
