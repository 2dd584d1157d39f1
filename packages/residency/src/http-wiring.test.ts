import { createHttpClient } from '@fieldkit/http'
import { type MockServer, serve } from '@fieldkit/mocks'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGuard } from './guard'
import { definePolicy } from './policy'

// The mock hosts live on loopback, so the resolver is injected and the policy allows those addresses by name.
describe('wired into @fieldkit/http', () => {
  let eu: MockServer
  let us: MockServer
  const policy = definePolicy({
    dataClasses: { pii: ['eu'] },
    hosts: { 'lake.eu.test': 'eu', 'lake.us.test': 'us' },
    allowSpecial: ['lake.eu.test', 'lake.us.test'],
  })
  const addresses: Record<string, string> = { 'lake.eu.test': '127.0.0.2', 'lake.us.test': '127.0.0.4' }
  const guard = createGuard(policy, { resolver: async (host) => [addresses[host] ?? '0.0.0.0'] })

  beforeAll(async () => {
    const lake = (region: string) => [
      http.post('*/ingest', async ({ request }) => HttpResponse.json({ region, got: await request.json() })),
    ]
    eu = await serve(lake('eu'), { host: '127.0.0.2' })
    us = await serve(lake('us'), { host: '127.0.0.4' })
  })
  afterAll(async () => {
    await Promise.all([eu.close(), us.close()])
  })

  it('a pii client reaches the EU host', async () => {
    const client = createHttpClient({
      baseUrl: `http://lake.eu.test:${eu.port}`,
      residency: { guard, dataClass: 'pii' },
    })
    const res = await client.request({ method: 'POST', path: '/ingest', json: { id: '000042' } })
    expect(await res.json()).toEqual({ region: 'eu', got: { id: '000042' } })
    await client.close()
  })

  it('a pii client is refused for the US host before any byte is sent', async () => {
    const client = createHttpClient({
      baseUrl: `http://lake.us.test:${us.port}`,
      residency: { guard, dataClass: 'pii' },
    })
    const error = await client
      .request({ method: 'POST', path: '/ingest', json: { id: '000042' } })
      .catch((e: unknown) => e)
    await client.close()
    expect(error).toMatchObject({
      code: 'FK_RESIDENCY_DENIED',
      details: { host: 'lake.us.test', region: 'us', dataClass: 'pii' },
    })
    expect(us.connections()).toBe(0)
    expect(us.requests).toHaveLength(0)
  })
})
