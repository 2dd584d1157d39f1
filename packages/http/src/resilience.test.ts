import { type MockServer, serve, slow } from '@fieldkit/mocks'
import { rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createHttpClient } from './client'

describe('breaker, timeouts, limits and typed JSON', () => {
  let mock: MockServer
  let healthy = false
  beforeAll(async () => {
    mock = await serve([
      http.get('*/sick', () =>
        healthy ? HttpResponse.json({ ok: true }) : HttpResponse.json({ down: true }, { status: 500 }),
      ),
      ...slow({ path: '/slow-headers', headerDelayMs: 1500 }),
      http.get('*/stall-body', () => {
        let timer: NodeJS.Timeout | undefined
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"first":'))
            timer = setTimeout(() => {
              controller.enqueue(new TextEncoder().encode('1}'))
              controller.close()
            }, 1500)
          },
          cancel: () => clearTimeout(timer),
        })
        return new HttpResponse(stream, { headers: { 'content-type': 'application/json' } })
      }),
      http.get('*/big', () => HttpResponse.text('x'.repeat(5000))),
      http.get('*/html', () =>
        HttpResponse.text('<html>login here, session=abcdef access_token=zzz-secret</html>', {
          headers: { 'content-type': 'text/html' },
        }),
      ),
      http.get('*/order', () => HttpResponse.json({ id: 42, total: '12.50' })),
      http.get('*/wait-503', () => HttpResponse.json({}, { status: 503, headers: { 'retry-after': '5' } })),
    ])
  })
  afterAll(() => mock.close())

  it('opens the circuit per origin, refuses without sending, then closes after a good half-open probe', async () => {
    healthy = false
    const client = createHttpClient({
      baseUrl: mock.url,
      retry: false,
      breaker: { minimumCalls: 4, failureRatio: 0.5, openMs: 150 },
    })
    for (let i = 0; i < 4; i++) expect((await rejection(client.request('/sick'))).code).toBe('FK_HTTP_STATUS')
    const sent = mock.requests.length
    const open = await rejection(client.request('/sick'))
    expect(open.code).toBe('FK_HTTP_CIRCUIT_OPEN')
    expect(open.details?.retryInMs).toBeGreaterThan(0)
    expect(open.details?.retryInMs).toBeLessThanOrEqual(150)
    expect(mock.requests.length).toBe(sent)
    expect(client.stats().breakers[mock.url]?.state).toBe('open')

    await new Promise((resolve) => setTimeout(resolve, 170))
    expect((await rejection(client.request('/sick'))).code).toBe('FK_HTTP_STATUS') // the probe fails: open again
    expect(client.stats().breakers[mock.url]?.state).toBe('open')
    await new Promise((resolve) => setTimeout(resolve, 170))
    healthy = true
    expect((await client.request('/sick')).status).toBe(200)
    expect(client.stats().breakers[mock.url]).toMatchObject({ state: 'closed', openings: 2 })
    expect(client.stats().circuitRejections).toBe(1)
    await client.close()
  })

  // undici checks these two timeouts on a half-second tick, so the mock stays silent well past that.
  it('times out waiting for headers, and for a silent body', async () => {
    const client = createHttpClient({ baseUrl: mock.url, retry: false, timeout: { headers: 100, bodyIdle: 60 } })
    const headers = await rejection(client.request('/slow-headers'))
    expect(headers).toMatchObject({ code: 'FK_HTTP_TIMEOUT', details: { kind: 'headers', timeoutMs: 100 } })
    const body = await rejection(client.request('/stall-body'))
    expect(body).toMatchObject({ code: 'FK_HTTP_TIMEOUT', details: { kind: 'bodyIdle' } })
    await client.close()
  })

  it('enforces a total deadline across attempts and waits', async () => {
    const client = createHttpClient({ baseUrl: mock.url, timeout: { total: 150 } })
    const started = performance.now()
    const error = await rejection(client.request('/slow-headers'))
    expect(error).toMatchObject({ code: 'FK_HTTP_TIMEOUT', details: { kind: 'total' } })
    expect(performance.now() - started).toBeLessThan(1000)
    await client.close()
  })

  it('aborts a request waiting for its retry as soon as the signal fires', async () => {
    const client = createHttpClient({
      baseUrl: mock.url,
      breaker: false,
      retry: { maxRetryAfterMs: 10_000, budget: false },
    })
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('user cancelled')), 100)
    const started = performance.now()
    const error = await rejection(client.request({ path: '/wait-503', signal: controller.signal }))
    expect(error.message).toBe('user cancelled')
    expect(performance.now() - started).toBeLessThan(1000)
    await client.close()
  })

  it('close() stops a waiting request, and later requests fail with FK_HTTP_CLOSED', async () => {
    const client = createHttpClient({
      baseUrl: mock.url,
      breaker: false,
      retry: { maxRetryAfterMs: 10_000, budget: false },
    })
    const pending = rejection(client.request('/wait-503'))
    await new Promise((resolve) => setTimeout(resolve, 50))
    await client.close()
    expect((await pending).code).toBe('FK_HTTP_CLOSED')
    expect((await rejection(client.request('/order'))).code).toBe('FK_HTTP_CLOSED')
  })

  it('close() leaves no timer or socket behind', async () => {
    const count = () => {
      const info = process.getActiveResourcesInfo()
      return {
        timers: info.filter((r) => r === 'Timeout').length,
        sockets: info.filter((r) => r === 'TCPSocketWrap').length,
      }
    }
    const before = count()
    const client = createHttpClient({ baseUrl: mock.url, timeout: { total: 1_000 } })
    await Promise.all(Array.from({ length: 8 }, () => client.request('/order')))
    expect(count().sockets).toBeGreaterThan(before.sockets)
    await client.close()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const after = count()
    expect(after.sockets).toBeLessThanOrEqual(before.sockets)
    expect(after.timers).toBeLessThanOrEqual(before.timers)
  })

  it('refuses bodies above maxResponseBytes', async () => {
    const client = createHttpClient({ baseUrl: mock.url, maxResponseBytes: 1000, retry: false })
    const error = await rejection(client.request('/big'))
    expect(error).toMatchObject({ code: 'FK_HTTP_RESPONSE_TOO_LARGE', details: { maxResponseBytes: 1000 } })
    await client.close()
  })

  it('parses JSON against a zod schema, with typed errors for non-JSON and wrong shapes', async () => {
    const client = createHttpClient({ baseUrl: mock.url })
    const Order = z.object({ id: z.number(), total: z.string() })
    const order = await (await client.request('/order')).json(Order)
    expect(order.total).toBe('12.50')
    const schema = await rejection((await client.request('/order')).json(z.object({ id: z.string() })))
    expect(schema.code).toBe('FK_HTTP_SCHEMA')
    expect(schema.details?.issues).toEqual([expect.objectContaining({ path: 'id' })])
    const html = await rejection((await client.request('/html')).json())
    expect(html.code).toBe('FK_HTTP_INVALID_JSON')
    expect(html.message).toContain('<html>login here')
    expect(html.message).not.toContain('zzz-secret')
    await client.close()
  })

  it('reports latency percentiles and counters', async () => {
    const client = createHttpClient({ baseUrl: mock.url })
    for (let i = 0; i < 20; i++) await client.request('/order')
    const stats = client.stats()
    expect(stats).toMatchObject({ requests: 20, attempts: 20, succeeded: 20, failed: 0, retries: 0 })
    expect(stats.latencyMs.samples).toBe(20)
    expect(stats.latencyMs.p50).toBeGreaterThan(0)
    expect(stats.latencyMs.p99).toBeGreaterThanOrEqual(stats.latencyMs.p50)
    await client.close()
  })

  it('runs the hooks before the request, after the response and before a retry', async () => {
    const seen: string[] = []
    healthy = true
    const client = createHttpClient({
      baseUrl: mock.url,
      hooks: {
        beforeRequest: [
          (r) => {
            r.headers['x-trace'] = 'abc'
          },
        ],
        afterResponse: [(r) => void seen.push(`after ${r.status}`)],
      },
    })
    await client.request('/order')
    expect(mock.requests.at(-1)?.headers['x-trace']).toBe('abc')
    expect(seen).toEqual(['after 200'])
    await client.close()
  })
})
