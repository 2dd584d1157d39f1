import { connect } from 'node:net'
import { isFieldkitError } from '@fieldkit/core'
import { HttpResponse, http, type MockServer, serve } from '@fieldkit/mocks'
import { Agent, Client, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGuard } from './guard'
import { definePolicy } from './policy'

// Loopback stands in for the world: 127.0.0.2 is an EU address, 127.0.0.3 an internal one nobody may reach.
const policy = definePolicy({
  dataClasses: { pii: ['eu'] },
  ipRanges: [{ cidr: '127.0.0.2/32', region: 'eu' }],
  allowSpecial: ['127.0.0.2'],
  cacheTtlMs: 0,
})

describe('guard.check on a multi-address answer (issue 22, point 11)', () => {
  const world = definePolicy({
    dataClasses: { pii: ['eu'] },
    ipRanges: [{ cidr: '93.184.216.0/24', region: 'eu' }],
    cacheTtlMs: 0,
  })

  it.each([
    [['93.184.216.36', '127.0.0.1'], '127.0.0.1'],
    [['127.0.0.1', '93.184.216.36'], '127.0.0.1'],
    [['93.184.216.36', '169.254.169.254', '93.184.216.37'], '169.254.169.254'],
  ])('denies %j: one denied address denies the name (%s)', async (answer, refused) => {
    const guard = createGuard(world, { resolver: async () => answer })
    const decision = await guard.check('https://erp.client.example/api', 'pii')
    expect(decision.allowed).toBe(false)
    expect(decision.ip).toBe(refused)
    expect(decision.reason).toMatch(/special-use/)
    expect(decision.addresses).toEqual(answer)
  })

  it('allows an answer whose every address is allowed, and lists them all', async () => {
    const guard = createGuard(world, { resolver: async () => ['93.184.216.36', '93.184.216.37'] })
    const decision = await guard.check('https://erp.client.example/api', 'pii')
    expect(decision).toMatchObject({
      allowed: true,
      ip: '93.184.216.36',
      addresses: ['93.184.216.36', '93.184.216.37'],
    })
  })
})

describe('guard.lookup: a dns.lookup for dispatchers built elsewhere (undici, against loopback servers)', () => {
  let eu: MockServer
  let internal: MockServer
  const ok = (name: string) => [http.all('*', () => HttpResponse.json({ from: name }))]
  beforeAll(async () => {
    eu = await serve(ok('eu'), { host: '127.0.0.2' })
    internal = await serve(ok('internal'), { host: '127.0.0.3', port: 0 })
  })
  afterAll(async () => {
    await Promise.all([eu.close(), internal.close()])
  })

  /** A resolver that records each question, so the tests see the name is resolved once per connection. */
  function resolverOf(answer: string[]) {
    const asked: string[] = []
    const resolver = async (host: string) => {
      asked.push(host)
      return answer
    }
    return { asked, resolver }
  }

  it('an undici Agent with connect: { lookup } reaches a host whose every address is allowed, resolving once', async () => {
    const { asked, resolver } = resolverOf(['127.0.0.2'])
    const agent = new Agent({ connect: { lookup: createGuard(policy, { resolver }).lookup('pii') } })
    const res = await request(`http://hr.eu.test:${eu.port}/x`, { dispatcher: agent })
    expect(await res.body.json()).toEqual({ from: 'eu' })
    expect(eu.requests.at(-1)?.headers.host).toBe(`hr.eu.test:${eu.port}`)
    expect(asked).toEqual(['hr.eu.test'])
    await agent.close()
  })

  it('a single-connection Client (as NTLM’s dispatcher builds) never connects when one address of the answer is internal', async () => {
    const { resolver } = resolverOf(['127.0.0.2', '127.0.0.3'])
    const before = internal.connections()
    const client = new Client(`http://hr.eu.test:${internal.port}`, {
      connect: { lookup: createGuard(policy, { resolver }).lookup('pii') },
    })
    const error = await client.request({ path: '/admin', method: 'GET' }).catch((e: unknown) => e)
    await client.close()
    expect(isFieldkitError(error), String(error)).toBe(true)
    expect(error).toMatchObject({ code: 'FK_RESIDENCY_DENIED' })
    expect((error as Error).message).toContain('127.0.0.3')
    expect(internal.connections()).toBe(before)
  })

  it('answers net.connect one checked address, or every checked one with all: true', async () => {
    const lookup = createGuard(policy, { resolver: async () => ['127.0.0.2'] }).lookup('pii')
    const one = await new Promise((resolve, reject) =>
      lookup('hr.eu.test', {}, (e, address, family) => (e ? reject(e) : resolve([address, family]))),
    )
    expect(one).toEqual(['127.0.0.2', 4])
    const all = await new Promise((resolve, reject) =>
      lookup('hr.eu.test', { all: true }, (e, addresses) => (e ? reject(e) : resolve(addresses))),
    )
    expect(all).toEqual([{ address: '127.0.0.2', family: 4 }])
    const socket = connect({ host: 'hr.eu.test', port: eu.port, lookup })
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    expect(socket.remoteAddress).toBe('127.0.0.2')
    socket.destroy()
  })

  it('refuses a family the checked answer does not have, with a typed error', async () => {
    const lookup = createGuard(policy, { resolver: async () => ['127.0.0.2'] }).lookup('pii')
    const error = await new Promise((resolve) => lookup('hr.eu.test', { family: 6 }, (e) => resolve(e)))
    expect(error).toMatchObject({ code: 'FK_RESIDENCY_RESOLVE' })
  })
})
