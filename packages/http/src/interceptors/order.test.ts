import { type MockServer, serve } from '@fieldkit/mocks'
import { rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { Agent, type Dispatcher, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { interceptors } from './index'

const bearer = {
  scheme: 'Bearer',
  apply(r: { headers: Record<string, string> }) {
    r.headers.authorization = 'Bearer t'
  },
}

describe('interceptor order (a typed error on the first request through a wrongly ordered chain)', () => {
  let mock: MockServer
  let agent: Agent
  beforeAll(async () => {
    mock = await serve([http.get('*/ok', () => HttpResponse.json({ ok: true }))])
    agent = new Agent()
  })
  afterAll(async () => {
    await Promise.all([mock.close(), agent.close()])
  })
  const send = async (list: Dispatcher.DispatcherComposeInterceptor[]) => {
    const res = await request(`${mock.url}/ok`, { dispatcher: agent.compose(...list) })
    await res.body.text()
    return res.statusCode
  }
  const auth = () => interceptors.auth(bearer, { origin: mock.url })

  it.each([
    ['auth listed after retry', () => [interceptors.retry(), auth()], 'retry', 'auth'],
    ['auth listed after redirect', () => [interceptors.redirect(), auth()], 'redirect', 'auth'],
    ['breaker listed after retry', () => [interceptors.retry(), interceptors.breaker()], 'retry', 'breaker'],
    [
      'auth after retry, with others around',
      () => [interceptors.log(), interceptors.retry(), interceptors.breaker(), auth(), interceptors.redirect()],
      'retry',
      'auth',
    ],
  ] as const)(
    'refuses %s with FK_HTTP_INTERCEPTOR_ORDER, before anything is sent',
    async (_title, list, inner, outer) => {
      const before = mock.requests.length
      const error = await rejection(send([...list()]))
      expect(error).toMatchObject({ code: 'FK_HTTP_INTERCEPTOR_ORDER', details: { inner, outer } })
      expect(error.hint).toContain('residency guard, log, auth, rateLimit, breaker, retry, redirect')
      expect(mock.requests.length).toBe(before)
    },
  )

  it('keeps refusing every later request through the wrongly ordered chain', async () => {
    const dispatcher = agent.compose(interceptors.retry(), auth())
    for (let i = 0; i < 3; i++) {
      const error = await rejection(request(`${mock.url}/ok`, { dispatcher }))
      expect(error.code).toBe('FK_HTTP_INTERCEPTOR_ORDER')
    }
  })

  it('refuses the limiter listed after retry', async () => {
    const quota = interceptors.rateLimit({ perSecond: 100 })
    const error = await rejection(send([interceptors.retry(), quota]))
    expect(error).toMatchObject({ code: 'FK_HTTP_INTERCEPTOR_ORDER', details: { inner: 'retry', outer: 'rateLimit' } })
    await quota.limiter.close()
  })

  it('sends through the documented order, any subset of it, and the orders that are harmless', async () => {
    const quota = interceptors.rateLimit({ perSecond: 100 })
    const all = [
      interceptors.log(),
      auth(),
      quota,
      interceptors.breaker(),
      interceptors.retry(),
      interceptors.redirect(),
    ]
    expect(await send(all)).toBe(200)
    expect(mock.requests.at(-1)?.headers.authorization).toBe('Bearer t')
    expect(await send([auth(), interceptors.redirect()])).toBe(200)
    expect(await send([interceptors.breaker(), interceptors.retry()])).toBe(200)
    // Retry inside redirect, or the log outside retry: each attempt is still complete.
    expect(await send([interceptors.redirect(), interceptors.retry(), interceptors.log()])).toBe(200)
    await quota.limiter.close()
  })
})
