import { ntlm } from '@fieldkit/auth'
import { type MockServer, ntlmAuth, serve } from '@fieldkit/mocks'
import { createGuard, definePolicy } from '@fieldkit/residency'
import { rejection } from '@fieldkit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'

// The world in a policy: 93.184.216.0/24 is an EU range; loopback (127.0.0.1) is special-use and refused, except
// 127.0.0.2, which stands in for an EU server on this machine.
const policy = definePolicy({
  dataClasses: { pii: ['eu'] },
  ipRanges: [
    { cidr: '93.184.216.0/24', region: 'eu' },
    { cidr: '127.0.0.2/32', region: 'eu' },
  ],
  allowSpecial: ['127.0.0.2'],
  cacheTtlMs: 0,
})
const users = [{ username: 'ann', domain: 'CORP', password: 'Ntlm-pa55' }]

describe('residency with a strategy that brings its own dispatcher: NTLM connections are pinned (issue 22, point 11)', () => {
  let loopback: MockServer
  let eu: MockServer
  beforeAll(async () => {
    loopback = await serve(ntlmAuth({ path: '/records', users }))
    eu = await serve(ntlmAuth({ path: '/records', users }), { host: '127.0.0.2' })
  })
  afterAll(async () => {
    await Promise.all([loopback.close(), eu.close()])
  })

  async function send(resolver: (host: string) => Promise<string[]>, url: string) {
    const client = createHttpClient({
      auth: ntlm({ username: 'CORP\\ann', password: 'Ntlm-pa55' }),
      residency: { guard: createGuard(policy, { resolver }), dataClass: 'pii' },
      retry: false,
    })
    try {
      return await client.request(url)
    } finally {
      await client.close()
    }
  }

  it('refuses an answer of ["93.184.216.36", "127.0.0.1"] without reaching the loopback server', async () => {
    const before = { connections: loopback.connections(), requests: loopback.requests.length }
    const error = await rejection(
      send(async () => ['93.184.216.36', '127.0.0.1'], `http://localhost:${loopback.port}/records`),
    )
    expect(error.code).toMatch(/^FK_(HTTP_EGRESS|RESIDENCY)_DENIED$/)
    expect(loopback.connections()).toBe(before.connections)
    expect(loopback.requests.length).toBe(before.requests)
  })

  it('connects only where the guard checked: a name that rebinds to loopback after the check is refused at connect time', async () => {
    // The check by name sees a public EU address; the connection's own resolution would then reach loopback.
    let asked = 0
    const rebinding = async () => (++asked === 1 ? ['93.184.216.36'] : ['93.184.216.36', '127.0.0.1'])
    const before = { connections: loopback.connections(), requests: loopback.requests.length }
    const error = await rejection(send(rebinding, `http://localhost:${loopback.port}/records`))
    expect(error.code).toBe('FK_RESIDENCY_DENIED')
    expect(error.message).toContain('127.0.0.1')
    expect(asked).toBeGreaterThanOrEqual(2)
    expect(loopback.connections()).toBe(before.connections)
    expect(loopback.requests.length).toBe(before.requests)
  })

  it('authenticates over the pinned connection to the checked address (the name resolves only through the guard)', async () => {
    const asked: string[] = []
    const resolver = async (host: string) => {
      asked.push(host)
      return ['127.0.0.2']
    }
    const res = await send(resolver, `http://erp.eu.test:${eu.port}/records`)
    expect(res.status).toBe(200)
    expect(asked.filter((h) => h === 'erp.eu.test').length).toBeGreaterThanOrEqual(2)
    expect(eu.requests.at(-1)?.headers.host).toBe(`erp.eu.test:${eu.port}`)
  })
})
