import type { EgressGuard } from '@fieldkit/core'
import { FieldkitError } from '@fieldkit/core'
import { type MockServer, serve } from '@fieldkit/mocks'
import { rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'
import { fakeGuard } from './residency.test-helper'

describe('residency', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([http.all('*/records', () => HttpResponse.json({ ok: true }))])
  })
  afterAll(() => mock.close())

  it('checks each connection at connect time: a refused host gets no byte, the error arrives unwrapped and is not retried', async () => {
    const guard = fakeGuard()
    const client = createHttpClient({ residency: { guard, dataClass: 'pii' }, retry: { retries: 3, minDelayMs: 1 } })
    expect((await client.request(`${mock.url}/records`)).status).toBe(200)
    const before = mock.requests.length
    const error = await rejection(client.request(`http://localhost:${mock.port}/records`))
    expect(error).toBeInstanceOf(FieldkitError)
    expect(error.code).toBe('FK_RESIDENCY_DENIED')
    expect(error.message).toContain('pii may not go to localhost')
    expect(mock.requests.length).toBe(before)
    expect(guard.connects.filter((h) => h === 'localhost')).toHaveLength(1)
    expect(client.stats().breakers[`http://localhost:${mock.port}`]?.state).toBe('closed')
    await client.close()
  })

  it('keeps the connect timeout around the guard’s connector', async () => {
    const hanging: EgressGuard = {
      check: async (url, dataClass) => ({ allowed: true, reason: 'test', dataClass, host: new URL(url).hostname }),
      connector: () => () => undefined,
    }
    const client = createHttpClient({
      residency: { guard: hanging, dataClass: 'pii' },
      retry: false,
      timeout: { connect: 50 },
    })
    const error = await rejection(client.request(`${mock.url}/records`))
    expect(error).toMatchObject({ code: 'FK_HTTP_TIMEOUT', details: { kind: 'connect', timeoutMs: 50 } })
    await client.close()
  })

  it('rejects a header value with a newline as an invalid request, before sending', async () => {
    const client = createHttpClient({ baseUrl: mock.url })
    const before = mock.requests.length
    const error = await rejection(client.request({ path: '/records', headers: { 'x-note': 'a\r\nx-injected: 1' } }))
    expect(error.code).toBe('FK_HTTP_INVALID_REQUEST')
    expect(mock.requests.length).toBe(before)
    await client.close()
  })

  it('checks the destination by name when the auth strategy brings its own dispatcher', async () => {
    const guard = fakeGuard()
    const dispatcher = new Agent()
    const client = createHttpClient({
      residency: { guard, dataClass: 'pii' },
      auth: {
        scheme: 'Test',
        apply: (r) => {
          r.headers['x-test'] = '1'
        },
        dispatcher,
      },
    })
    const before = mock.requests.length
    const error = await rejection(client.request(`http://localhost:${mock.port}/records`))
    expect(error.code).toBe('FK_HTTP_EGRESS_DENIED')
    expect(mock.requests.length).toBe(before)
    await client.close()
    await dispatcher.close()
  })
})
