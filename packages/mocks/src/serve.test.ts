import { execFile } from 'node:child_process'
import { Agent, request as httpRequest } from 'node:http'
import { promisify } from 'node:util'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeMidBody, dripBody, resetConnection } from './actions'
import { flaky } from './scenarios/flaky'
import { slow } from './scenarios/slow'
import { CONNECTION_HEADER, type MockServer, serve } from './serve'

const run = promisify(execFile)

function get(url: string, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
      .on('error', reject)
      .end()
  })
}

describe('serve on a loopback socket', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([
      http.post('*/echo', async ({ request }) =>
        HttpResponse.json({ body: await request.text(), connection: request.headers.get(CONNECTION_HEADER) }),
      ),
      http.get('*/reset', () => resetConnection()),
      http.get('*/cut', () => closeMidBody('{"records":[1,2,3,4,5,6,7,8,9]}', 10)),
      http.get('*/drip', ({ request }) => dripBody('abcdefgh', { chunks: 4, intervalMs: 30, signal: request.signal })),
      http.get('*/cookies', () => {
        const headers = new Headers()
        headers.append('set-cookie', 'a=1; Path=/')
        headers.append('set-cookie', 'b=2; Path=/')
        return new HttpResponse('ok', { headers })
      }),
    ])
  })
  afterAll(() => mock.close())

  it('answers from the handlers and records what it saw', async () => {
    const res = await fetch(`${mock.url}/echo?x=1`, { method: 'POST', body: 'hello', headers: { 'x-test': 'yes' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ body: 'hello' })
    const seen = mock.requests.at(-1)
    expect(seen).toMatchObject({ method: 'POST', path: '/echo?x=1', body: 'hello' })
    expect(seen?.headers['x-test']).toBe('yes')
    expect(seen?.headers[CONNECTION_HEADER]).toBeUndefined()
  })

  it('is reachable by curl, an independent client', async () => {
    const { stdout } = await run('curl', ['-sS', '-X', 'POST', '--data', 'from-curl', `${mock.url}/echo`])
    expect(JSON.parse(stdout)).toMatchObject({ body: 'from-curl' })
  })

  it('answers 404 with the method and path when no handler matches', async () => {
    const res = await fetch(`${mock.url}/nothing-here`)
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: 'no mock handler', method: 'GET', path: '/nothing-here' })
  })

  it('resets the connection on resetConnection()', async () => {
    await expect(get(`${mock.url}/reset`)).rejects.toMatchObject({ code: 'ECONNRESET' })
  })

  it('closes the socket mid-body on closeMidBody()', async () => {
    await expect(get(`${mock.url}/cut`)).rejects.toThrow(/aborted|ECONNRESET|socket hang up/)
  })

  it('drips a body in chunks over time', async () => {
    const started = performance.now()
    const res = await get(`${mock.url}/drip`)
    expect(res.body).toBe('abcdefgh')
    expect(performance.now() - started).toBeGreaterThanOrEqual(100)
  })

  it('keeps repeated Set-Cookie headers apart', async () => {
    const res = await fetch(`${mock.url}/cookies`)
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/'])
  })

  it('tells handlers which connection carried a request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const post = (body: string) =>
      new Promise<string>((resolve, reject) => {
        const req = httpRequest(`${mock.url}/echo`, { method: 'POST', agent }, (res) => {
          let text = ''
          res.on('data', (c) => {
            text += c
          })
          res.on('end', () => resolve(JSON.parse(text).connection))
        })
        req.on('error', reject)
        req.end(body)
      })
    const first = await post('1')
    const second = await post('2')
    agent.destroy()
    expect(first).toBe(second)
    const fresh = await post('3')
    expect(fresh).not.toBe(first)
  })
})

describe('flaky', () => {
  async function statuses(seed: number, count: number): Promise<(number | 'reset')[]> {
    const mock = await serve(flaky({ seed }))
    const out: (number | 'reset')[] = []
    for (let i = 0; i < count; i++) {
      out.push(
        await get(`${mock.url}/flaky`).then(
          (r) => r.status,
          () => 'reset' as const,
        ),
      )
    }
    await mock.close()
    return out
  }

  it('fails the same requests for the same seed', async () => {
    const a = await statuses(11, 60)
    const b = await statuses(11, 60)
    expect(a).toEqual(b)
  })

  it('fails about the configured shares', async () => {
    const outcomes = await statuses(3, 400)
    const share = (v: number | 'reset') => outcomes.filter((o) => o === v).length / outcomes.length
    expect(share(503)).toBeGreaterThan(0.12)
    expect(share(503)).toBeLessThan(0.28)
    expect(share('reset')).toBeGreaterThan(0.01)
    expect(share('reset')).toBeLessThan(0.1)
    expect(share(200)).toBeGreaterThan(0.65)
  })
})

describe('slow', () => {
  it('delays headers by the configured time', async () => {
    const mock = await serve(slow({ headerDelayMs: 150, chunks: 1, intervalMs: 1 }))
    const started = performance.now()
    const res = await get(`${mock.url}/slow`)
    expect(res.body).toHaveLength(1024)
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
    await mock.close()
  })
})

describe('in-process with setupServer, for fetch-based code', () => {
  const server = setupServer(...flaky({ seed: 5, errorRate: 0, resetRate: 0 }))
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())

  it('answers fetch without a socket', async () => {
    const res = await fetch('https://erp.client.example/flaky', {
      method: 'POST',
      headers: { 'idempotency-key': 'k1' },
    })
    expect(await res.json()).toMatchObject({ ok: true, method: 'POST', idempotencyKey: 'k1' })
  })

  it('turns resetConnection() into a network error', async () => {
    server.use(http.get('*/down', () => resetConnection()))
    await expect(fetch('https://erp.client.example/down')).rejects.toThrow(TypeError)
  })
})

describe('close', () => {
  it('resolves while a keep-alive connection is still open', async () => {
    const mock = await serve(flaky({ errorRate: 0, resetRate: 0 }))
    const agent = new Agent({ keepAlive: true })
    await get(`${mock.url}/flaky`, agent)
    await mock.close()
    agent.destroy()
    expect(mock.connections()).toBe(1)
  })
})
