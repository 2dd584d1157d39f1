import { readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { isFieldkitError } from '@fieldkit/core'
import { type MockServer, serve } from '@fieldkit/mocks'
import fc from 'fast-check'
import { HttpResponse, http } from 'msw'
import { pino } from 'pino'
import { Agent, interceptors, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGuard } from './guard'
import { definePolicy } from './policy'

interface Case {
  kind: string
  value: string
  shouldBlock?: boolean
  note?: string
}
const vectors = JSON.parse(
  readFileSync(new URL('../../../fixtures/shared/vectors/pii-cases.json', import.meta.url), 'utf8'),
) as Case[]

const asUrl = (host: string) => (host.includes(':') ? `http://[${host}]/` : `http://${host}/`)

describe('special-use destinations — shared/vectors/pii-cases.json egress_ip and egress_host', () => {
  // `public` allows unknown destinations, so only the special-use rule can refuse these.
  const guard = createGuard(
    definePolicy({ dataClasses: { public: { allow: ['eu', 'us'], unknown: 'allow' } }, cacheTtlMs: 0 }),
    {
      resolver: async (host) => {
        const table: Record<string, string[]> = {
          '127.0.0.1.nip.io': ['127.0.0.1'],
          'metadata.google.internal': ['169.254.169.254'],
        }
        const found = table[host]
        if (!found) throw new Error(`no such host in the test resolver: ${host}`)
        return found
      },
    },
  )

  it.each(vectors.filter((c) => c.kind === 'egress_ip' || c.kind === 'egress_host'))(
    '$value ($note) → blocked: $shouldBlock',
    async ({ value, shouldBlock }) => {
      const decision = await guard.check(asUrl(value), 'public')
      expect(decision.allowed).toBe(!shouldBlock)
      if (shouldBlock) expect(decision.reason).toMatch(/special-use/)
    },
  )

  it('refuses the EC2 IPv6 metadata address fd00:ec2::254', async () => {
    expect((await guard.check('http://[fd00:ec2::254]/', 'public')).allowed).toBe(false)
  })
})

describe('regions per data class', () => {
  const guard = createGuard(
    definePolicy({
      dataClasses: { pii: ['eu'], financial: ['eu', 'uk'], public: { allow: ['eu', 'us'], unknown: 'allow' } },
      hosts: { 'erp.client.example': 'eu', '*.lake.us.example': 'us' },
      ipRanges: [{ cidr: '52.94.0.0/16', region: 'eu-west-2', provider: 'aws' }],
    }),
    { resolver: async () => ['52.94.1.1'] },
  )

  it.each([
    ['https://s3.eu-west-1.amazonaws.com/b', 'pii', true],
    ['https://s3.us-east-1.amazonaws.com/b', 'pii', false],
    ['https://s3.eu-west-2.amazonaws.com/b', 'pii', false], // London is not in the EU
    ['https://s3.eu-west-2.amazonaws.com/b', 'financial', true],
    ['https://europe-west4-aiplatform.googleapis.com/v1', 'pii', true],
    ['https://eu.api.openai.com/v1', 'pii', true],
    ['https://api.openai.com/v1', 'financial', true], // the name says nothing; the address is in a London range
    ['https://api.openai.com/v1', 'pii', false],
    ['https://erp.client.example/api', 'pii', true],
    ['https://raw.lake.us.example/put', 'pii', false],
    ['https://raw.lake.us.example/put', 'public', true],
  ])('%s for %s → allowed %s', async (url, dataClass, allowed) => {
    expect((await guard.check(url, dataClass)).allowed).toBe(allowed)
  })

  it('places a host the name says nothing about by its resolved address in the range files', async () => {
    const decision = await guard.check('https://mybucket.s3.amazonaws.com/', 'financial')
    expect(decision).toMatchObject({ allowed: true, region: 'eu-west-2', ip: '52.94.1.1', regions: ['uk'] })
    expect(decision.reason).toContain('52.94.0.0/16')
  })

  it('denies unknown destinations for every class but public', async () => {
    const unknown = createGuard(definePolicy({ dataClasses: { pii: ['eu'], public: ['eu'] } }), {
      resolver: async () => ['8.8.8.8'],
    })
    expect((await unknown.check('https://api.vendor.example', 'pii')).allowed).toBe(false)
    expect((await unknown.check('https://api.vendor.example', 'public')).allowed).toBe(true)
  })

  it('rejects an unknown data class with FK_RESIDENCY_POLICY', async () => {
    await expect(guard.check('https://erp.client.example', 'health')).rejects.toMatchObject({
      code: 'FK_RESIDENCY_POLICY',
    })
  })

  it('refuses text that is not a URL with FK_RESIDENCY_INVALID_URL, carrying none of the text', async () => {
    const error = await guard.check('erp.client.example/api?token=s3cret-token', 'pii').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'FK_RESIDENCY_INVALID_URL' })
    const err = error as Error
    expect(err.cause).toBeUndefined()
    expect(`${err.message} ${JSON.stringify(err)} ${String(err.stack)}`).not.toContain('s3cret')
  })

  it('gives a decision or a typed error for any URL host', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), async (host) => {
        try {
          const decision = await guard.check(asUrl(host), 'public')
          expect(typeof decision.allowed).toBe('boolean')
        } catch (error) {
          expect(isFieldkitError(error)).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('enforcement at connect time, on loopback hosts allowed by name', () => {
  // Loopback stands in for the outside world: 127.0.0.2 is the EU host, 127.0.0.3 an internal one, 127.0.0.4 the US host.
  let eu: MockServer
  let internal: MockServer
  let us: MockServer
  const answers = new Map<string, string[]>()
  const lines: Record<string, unknown>[] = []
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)))
        done()
      },
    }),
  )
  const policy = (mode: 'enforce' | 'report' = 'enforce') =>
    definePolicy({
      dataClasses: { pii: ['eu'] },
      hosts: { 'hr.eu.test': 'eu', 'lake.eu.test': 'eu', 'lake.us.test': 'us' },
      ipRanges: [{ cidr: '127.0.0.2/32', region: 'eu' }],
      allowSpecial: ['127.0.0.2', 'lake.us.test'],
      cacheTtlMs: 0,
      mode,
    })
  const resolver = async (host: string) => {
    const next = answers.get(host)
    if (!next || next.length === 0) throw new Error(`unknown host ${host}`)
    return [next.length > 1 ? (next.shift() as string) : (next[0] as string)]
  }

  beforeAll(async () => {
    const ok = (name: string) => [http.all('*', () => HttpResponse.json({ from: name }))]
    eu = await serve(
      [
        http.get('*/redirect', ({ request }) => {
          const target = new URL(request.url).searchParams.get('to') ?? ''
          return new HttpResponse(null, { status: 302, headers: { location: target } })
        }),
        ...ok('eu'),
      ],
      { host: '127.0.0.2' },
    )
    internal = await serve(ok('internal'), { host: '127.0.0.3' })
    us = await serve(ok('us'), { host: '127.0.0.4' })
  })
  afterAll(async () => {
    await Promise.all([eu.close(), internal.close(), us.close()])
  })

  it('connects to exactly the address it checked, and blocks a rebinding to an internal address', async () => {
    answers.set('hr.eu.test', ['127.0.0.2', '127.0.0.3'])
    const guard = createGuard(policy(), { resolver })
    const first = new Agent({ connect: guard.connector('pii') })
    const res = await request(`http://hr.eu.test:${eu.port}/employees`, { dispatcher: first })
    expect(await res.body.json()).toEqual({ from: 'eu' })
    expect(eu.requests.at(-1)?.headers.host).toBe(`hr.eu.test:${eu.port}`)
    await first.close()

    // A new connection: DNS now answers with the internal address (port chosen so the internal server would answer).
    const internalBefore = internal.connections()
    const second = new Agent({ connect: guard.connector('pii') })
    const error = await request(`http://hr.eu.test:${internal.port}/admin`, { dispatcher: second }).catch(
      (e: unknown) => e,
    )
    await second.close()
    expect(error).toMatchObject({ code: 'FK_RESIDENCY_DENIED' })
    expect((error as Error).message).toContain('127.0.0.3')
    expect(internal.connections()).toBe(internalBefore)
  })

  it('checks IP-literal URLs, which skip DNS', async () => {
    const guard = createGuard(policy(), { resolver })
    const agent = new Agent({ connect: guard.connector('pii') })
    const before = internal.connections()
    await expect(request(`http://127.0.0.3:${internal.port}/`, { dispatcher: agent })).rejects.toMatchObject({
      code: 'FK_RESIDENCY_DENIED',
    })
    await expect(request(`http://[::1]:${internal.port}/`, { dispatcher: agent })).rejects.toMatchObject({
      code: 'FK_RESIDENCY_DENIED',
    })
    await expect(request(`http://[::ffff:127.0.0.3]:${internal.port}/`, { dispatcher: agent })).rejects.toMatchObject({
      code: 'FK_RESIDENCY_DENIED',
    })
    await agent.close()
    expect(internal.connections()).toBe(before)
  })

  it('re-checks redirects: an EU host redirecting to a US host is refused before the US host sees a byte', async () => {
    answers.set('lake.eu.test', ['127.0.0.2'])
    answers.set('lake.us.test', ['127.0.0.4'])
    const guard = createGuard(policy(), { resolver })
    const agent = new Agent({ connect: guard.connector('pii') }).compose(interceptors.redirect({ maxRedirections: 3 }))
    const target = `http://lake.us.test:${us.port}/ingest`
    const error = await request(`http://lake.eu.test:${eu.port}/redirect?to=${encodeURIComponent(target)}`, {
      dispatcher: agent,
    }).catch((e: unknown) => e)
    await agent.close()
    expect(error).toMatchObject({
      code: 'FK_RESIDENCY_DENIED',
      details: { host: 'lake.us.test', region: 'us', dataClass: 'pii' },
    })
    expect(us.connections()).toBe(0)
  })

  it('the interceptor refuses before dispatching, with the same error', async () => {
    answers.set('lake.us.test', ['127.0.0.4'])
    const guard = createGuard(policy(), { resolver })
    const agent = new Agent().compose(guard.interceptor('pii'))
    await expect(request(`http://lake.us.test:${us.port}/`, { dispatcher: agent })).rejects.toMatchObject({
      code: 'FK_RESIDENCY_DENIED',
    })
    await agent.close()
    expect(us.connections()).toBe(0)
  })

  it('report mode lets the request through and writes one "would deny" audit line per decision', async () => {
    answers.set('lake.us.test', ['127.0.0.4'])
    lines.length = 0
    const guard = createGuard(policy('report'), { resolver, logger })
    const agent = new Agent({ connect: guard.connector('pii') })
    const res = await request(`http://lake.us.test:${us.port}/ingest`, { dispatcher: agent })
    expect(await res.body.json()).toEqual({ from: 'us' })
    await agent.close()
    const audit = lines.filter((l) => l.event === 'residency.decision')
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({
      fieldkit: 'residency',
      msg: 'egress would be denied (report mode)',
      dataClass: 'pii',
      host: 'lake.us.test',
      ip: '127.0.0.4',
      region: 'us',
      rule: 'policy host lake.us.test → us',
      allowed: false,
      mode: 'report',
    })
    expect(typeof audit[0]?.time).toBe('number')
  })

  it('names host, region, data class and allowed regions in the error, with a hint', async () => {
    answers.set('lake.us.test', ['127.0.0.4'])
    const guard = createGuard(policy(), { resolver })
    const failure = await new Promise<Error | null>((resolve) =>
      guard.connector('pii')(
        { hostname: 'lake.us.test', host: 'lake.us.test', protocol: 'http:', port: String(us.port) } as never,
        (...args: [Error | null, unknown?]) => resolve(args[0]),
      ),
    )
    expect(failure?.message).toMatch(
      /pii data may not go to lake\.us\.test: it is in region us; pii may go to eu \(rule: policy host/,
    )
    expect((failure as { hint?: string }).hint).toMatch(/mode: "report"/)
  })
})
