import {
  closeMidBody,
  flaky,
  idempotencyCounter,
  type MockServer,
  resetConnection,
  retryAfter,
  serve,
} from '@fieldkit/mocks'
import { memoryLogger, rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'

const fast = { minDelayMs: 1, maxDelayMs: 5, budget: false as const }

describe('retries', () => {
  let mock: MockServer
  let counter: ReturnType<typeof idempotencyCounter>
  const hits = new Map<string, number>()
  const hit = (name: string) => {
    const n = (hits.get(name) ?? 0) + 1
    hits.set(name, n)
    return n
  }

  beforeAll(async () => {
    counter = idempotencyCounter({ failFirst: 1 })
    mock = await serve([
      ...retryAfter({ failures: 1, seconds: 1 }),
      ...counter.handlers,
      ...flaky({ path: '/always-503', errorRate: 1, resetRate: 0 }),
      http.all('*/reset-once', ({ request }) =>
        hit(`reset-${request.method}`) === 1 ? resetConnection() : HttpResponse.json({ ok: true }),
      ),
      http.get('*/mid-body-once', () =>
        hit('mid') === 1
          ? closeMidBody(JSON.stringify({ ok: true, pad: 'x'.repeat(500) }), 50)
          : HttpResponse.json({ ok: true }),
      ),
      http.get('*/not-found', () =>
        HttpResponse.json({ error: 'no such order', access_token: 'sekrit-123' }, { status: 404 }),
      ),
      http.post('*/post-503', () => HttpResponse.json({ error: 'busy' }, { status: 503 })),
    ])
  })
  afterAll(() => mock.close())

  const count = (path: string, method = 'GET') =>
    mock.requests.filter((r) => r.path.startsWith(path) && r.method === method).length

  it('retries a GET on 503 and waits the Retry-After seconds', async () => {
    const delays: number[] = []
    const client = createHttpClient({
      baseUrl: mock.url,
      retry: fast,
      hooks: { beforeRetry: [(r) => void delays.push(r.delayMs)] },
    })
    const res = await client.request('/retry-after/seconds')
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(2)
    expect(delays).toEqual([1000])
    await client.close()
  })

  it('honours Retry-After given as an HTTP date on a 429', async () => {
    const delays: number[] = []
    const client = createHttpClient({
      baseUrl: mock.url,
      retry: fast,
      hooks: { beforeRetry: [(r) => void delays.push(r.delayMs)] },
    })
    const res = await client.request('/retry-after/date')
    expect(res.status).toBe(200)
    expect(delays).toHaveLength(1)
    expect(delays[0]).toBeGreaterThanOrEqual(0)
    expect(delays[0]).toBeLessThanOrEqual(1000)
    expect(client.stats().status429).toBe(1)
    await client.close()
  })

  it('fails at once with FK_HTTP_RATE_LIMITED instead of sleeping for an hour', async () => {
    const client = createHttpClient({ baseUrl: mock.url, retry: fast })
    const started = performance.now()
    const error = await rejection(client.request('/retry-after/hour'))
    expect(performance.now() - started).toBeLessThan(1000)
    expect(error.code).toBe('FK_HTTP_RATE_LIMITED')
    expect(error.details?.retryAfterMs).toBe(3_600_000)
    expect(typeof error.details?.retryAt).toBe('string')
    await client.close()
  })

  it('ignores a malformed Retry-After with a debug log and backs off by itself', async () => {
    const log = memoryLogger('debug')
    const client = createHttpClient({ baseUrl: mock.url, retry: fast, logger: log.logger })
    const res = await client.request('/retry-after/malformed')
    expect(res.status).toBe(200)
    expect(log.lines.some((l) => l.msg === 'ignoring a malformed Retry-After header' && l.retryAfter === 'soon')).toBe(
      true,
    )
    await client.close()
  })

  it('retries a keyed POST with the same Idempotency-Key on every attempt', async () => {
    const client = createHttpClient({ baseUrl: mock.url, retry: fast })
    const res = await client.request({ method: 'POST', path: '/idempotent', json: { a: 1 }, idempotencyKey: true })
    const body = (await res.json()) as { key: string; seen: number }
    expect(res.status).toBe(201)
    expect(body.seen).toBe(2)
    expect(counter.counts.get(body.key)).toBe(2)
    await client.close()
  })

  it('never re-sends a POST without an idempotency key', async () => {
    const client = createHttpClient({ baseUrl: mock.url, retry: fast })
    const before = count('/post-503', 'POST')
    const error = await rejection(client.request({ method: 'POST', path: '/post-503', json: {} }))
    expect(error.code).toBe('FK_HTTP_STATUS')
    expect(count('/post-503', 'POST') - before).toBe(1)
    const reset = await rejection(client.request({ method: 'POST', path: '/reset-once' }))
    expect(reset.code).toBe('FK_HTTP_NETWORK')
    expect(reset.message).toContain('not retried')
    expect(count('/reset-once', 'POST')).toBe(1)
    await client.close()
  })

  it('retries a GET after a reset connection and after a socket closed mid-body', async () => {
    const client = createHttpClient({ baseUrl: mock.url, retry: fast })
    expect((await client.request('/reset-once')).attempts).toBe(2)
    expect((await client.request('/mid-body-once')).attempts).toBe(2)
    await client.close()
  })

  it('gives up with FK_HTTP_RETRY_EXHAUSTED listing every attempt and its delay', async () => {
    const client = createHttpClient({ baseUrl: mock.url, retry: { ...fast, retries: 3 }, breaker: false })
    const before = count('/always-503')
    const error = await rejection(client.request('/always-503'))
    expect(error.code).toBe('FK_HTTP_RETRY_EXHAUSTED')
    expect(count('/always-503') - before).toBe(4)
    const attempts = error.details?.attempts as { attempt: number; status: number; delayMs?: number }[]
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 503, 503])
    expect(attempts.slice(0, 3).every((a) => typeof a.delayMs === 'number')).toBe(true)
    expect(error.message).toMatch(/failed with 503 after 4 attempts over \d+\.\d s/)
    await client.close()
  })

  it('returns the last answer instead of throwing when throwOnStatus is false', async () => {
    const client = createHttpClient({ baseUrl: mock.url, retry: { ...fast, retries: 1 }, breaker: false })
    const res = await client.request({ path: '/always-503', throwOnStatus: false })
    expect(res.status).toBe(503)
    expect(res.attempts).toBe(2)
    await client.close()
  })

  it('stops retrying when the retry budget is spent', async () => {
    const client = createHttpClient({
      baseUrl: mock.url,
      breaker: false,
      retry: { minDelayMs: 1, maxDelayMs: 2, retries: 5, budget: { ratio: 0.01, minPerWindow: 2, windowMs: 60_000 } },
    })
    const error = await rejection(client.request('/always-503'))
    expect(error.code).toBe('FK_HTTP_RETRY_EXHAUSTED')
    expect(error.details?.reason).toBe('budget')
    expect(client.stats().retries).toBe(2)
    await client.close()
  })

  it('throws FK_HTTP_STATUS with the URL and body excerpt redacted', async () => {
    const log = memoryLogger('debug')
    const client = createHttpClient({
      baseUrl: mock.url,
      logger: log.logger,
      headers: { authorization: 'Bearer top-secret-token' },
      redactor: { redactString: (text) => ({ text: text.replace(/no such order/g, '[PII]') }) },
    })
    const error = await rejection(client.request({ path: '/not-found', query: { token: 'qs-secret', page: 2 } }))
    expect(error.code).toBe('FK_HTTP_STATUS')
    expect((error as unknown as { status: number }).status).toBe(404)
    const everything = `${error.message} ${JSON.stringify(error)} ${log.raw()}`
    for (const secret of ['qs-secret', 'sekrit-123', 'top-secret-token', 'no such order'])
      expect(everything).not.toContain(secret)
    expect(error.message).toContain('token=[REDACTED]&page=2')
    expect(
      log.lines.some(
        (l) =>
          l.msg === 'http attempt' &&
          l.status === 404 &&
          l.attempt === 1 &&
          l.path === '/not-found?token=[REDACTED]&page=2',
      ),
    ).toBe(true)
    await client.close()
  })
})
