import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createGuard, definePolicy, regionOfHost } from '@fieldkit/residency'
import { Agent } from 'undici'
import { compare } from './harness'

const OPS = 200_000
const REQUESTS = 3_000
const IN_FLIGHT = 16

/** Residency: a cached decision (target under 2 µs) and the guard's cost on keep-alive requests (target under 3%). */
export default async function main(): Promise<void> {
  const hosts = [
    's3.eu-west-1.amazonaws.com',
    'bedrock-runtime.us-east-1.amazonaws.com',
    'erp.client.example',
    'europe-west4-aiplatform.googleapis.com',
  ]
  const policy = definePolicy({
    dataClasses: { pii: ['eu'] },
    hosts: { 'erp.client.example': 'eu', 'api.local.test': 'eu' },
    allowSpecial: ['127.0.0.1'],
    ipRanges: [{ cidr: '52.94.0.0/16', region: 'eu-west-1', provider: 'aws' }],
  })
  const guard = createGuard(policy, { resolver: async () => ['52.94.1.1'] })
  const urls = hosts.map((h) => new URL(`https://${h}/x`))
  for (const url of urls) await guard.check(url, 'pii')

  await compare(
    [
      {
        name: 'regionOfHost (name rules only, no cache)',
        base: true,
        run: () => {
          for (let i = 0; i < OPS; i++) regionOfHost(hosts[i & 3] as string)
          return OPS
        },
      },
      {
        name: 'guard.check (cached decision)',
        run: async () => {
          for (let i = 0; i < OPS; i++) await guard.check(urls[i & 3] as URL, 'pii')
          return OPS
        },
      },
    ],
    {
      title: `Residency decisions: ${OPS.toLocaleString('en-US')} checks over 4 hosts`,
      unit: 'op',
      notes: ['µs per decision = 1,000,000 ÷ op/s.'],
    },
  )

  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const plain = new Agent({ connections: IN_FLIGHT })
  const guarded = new Agent({
    connections: IN_FLIGHT,
    connect: createGuard(policy, { resolver: async () => ['127.0.0.1'] }).connector('pii'),
  })
  const load = (agent: Agent, origin: string) => async () => {
    let next = 0
    const worker = async () => {
      while (next < REQUESTS) {
        next += 1
        const res = await agent.request({ origin, path: '/items', method: 'GET' })
        await res.body.text()
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    return REQUESTS
  }
  await compare(
    [
      { name: 'undici Agent', base: true, run: load(plain, `http://127.0.0.1:${port}`) },
      { name: 'undici Agent + guard.connector', run: load(guarded, `http://api.local.test:${port}`) },
    ],
    {
      title: `Guard cost on keep-alive requests: ${REQUESTS} GETs, ${IN_FLIGHT} in flight`,
      unit: 'req',
      notes: ['The connector runs once per connection; keep-alive requests reuse checked connections.'],
    },
  )
  await Promise.all([plain.close(), guarded.close()])
  await new Promise((resolve) => server.close(resolve))
}
