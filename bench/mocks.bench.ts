import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@fieldkit/mocks'
import { HttpResponse, http } from 'msw'
import { Agent, request } from 'undici'
import { compare } from './harness'

const BODY = JSON.stringify({ ok: true, items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item ${i}` })) })
const REQUESTS = 2_000
const IN_FLIGHT = 16

/** The simulator's own cost: MSW handlers behind serve() against a bare node:http server answering the same body. */
export default async function main(): Promise<void> {
  const mock = await serve([
    http.get('*/items', () => HttpResponse.text(BODY, { headers: { 'content-type': 'application/json' } })),
  ])
  const raw = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(BODY))
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
  const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`
  const agent = new Agent({ connections: IN_FLIGHT })

  const load = (origin: string) => async () => {
    let next = 0
    const worker = async () => {
      while (next < REQUESTS) {
        next += 1
        const res = await request(`${origin}/items`, { dispatcher: agent })
        await res.body.text()
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    return REQUESTS
  }

  await compare(
    [
      { name: 'node:http server', base: true, run: load(rawUrl) },
      { name: '@fieldkit/mocks serve()', run: load(mock.url) },
    ],
    {
      title: `Simulator overhead: ${REQUESTS} GETs, ${IN_FLIGHT} in flight, undici client`,
      unit: 'req',
      notes: ['Server and client share the machine; the ratio is what MSW handler matching costs per request.'],
    },
  )
  await agent.close()
  await mock.close()
  await new Promise((resolve) => raw.close(resolve))
}
