import { digest, ntlm } from '@fieldkit/auth'
import { isFieldkitError } from '@fieldkit/core'
import { digestAuth, flaky, type MockServer, ntlmAuth, retryAfter, serve } from '@fieldkit/mocks'
import { memoryLogger, rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { Agent, type Dispatcher, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createHttpClient } from '../client'
import { fakeGuard } from '../residency.test-helper'
import { interceptors } from './index'

/** Global fetch with an undici 7 dispatcher (Node 20's types name undici 6's Dispatcher; the objects are compatible). */
const fetchWith = (url: string, init: Omit<RequestInit, 'dispatcher'> & { dispatcher: Dispatcher }) =>
  fetch(url, init as unknown as RequestInit)

const fast = { minDelayMs: 1, maxDelayMs: 5, budget: false as const }

/** The Fieldkit error under fetch's `TypeError: fetch failed`. */
async function fetchFailure(promise: Promise<unknown>): Promise<{ code?: string; details?: Record<string, unknown> }> {
  try {
    await promise
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause
    if (isFieldkitError(cause)) return cause as never
    throw error
  }
  throw new Error('expected a failure')
}

describe('interceptors through global fetch and undici.request', () => {
  let mock: MockServer
  let other: string
  const seen: { path: string; authorization: string | null }[] = []
  let hits = 0
  let serviceDown = false
  let quotaHits = 0
  const quotaTimes: number[] = []
  beforeAll(async () => {
    mock = await serve([
      ...retryAfter({ failures: 1, seconds: 1 }),
      ...flaky({ path: '/always-503', errorRate: 1, resetRate: 0 }),
      ...digestAuth({ path: '/digest', users: { ann: 'pa55-word' }, realm: 'erp' }),
      ...ntlmAuth({ path: '/ntlm', users: [{ username: 'ann', domain: 'CORP', password: 'Ntlm-pa55' }] }),
      http.post('*/post-503', () => {
        hits += 1
        return HttpResponse.json({ error: 'busy' }, { status: 503 })
      }),
      http.get('*/go', ({ request }) => {
        const to = new URL(request.url).searchParams.get('to') ?? '/seen'
        return new HttpResponse(null, { status: 302, headers: { location: to } })
      }),
      http.get('*/quota-429', () => {
        quotaHits += 1
        return quotaHits === 1
          ? HttpResponse.json({ error: 'slow down' }, { status: 429, headers: { 'retry-after': '1' } })
          : HttpResponse.json({ ok: true })
      }),
      http.get('*/quota-ok', () => {
        quotaTimes.push(performance.now())
        return HttpResponse.json({ ok: true })
      }),
      http.get('*/sometimes', () =>
        serviceDown ? HttpResponse.json({ error: 'down' }, { status: 503 }) : HttpResponse.json({ ok: true }),
      ),
      http.get('*/seen', ({ request }) => {
        seen.push({ path: new URL(request.url).host, authorization: request.headers.get('authorization') })
        return HttpResponse.json({ ok: true })
      }),
    ])
    other = `http://localhost:${mock.port}`
  })
  afterAll(() => mock.close())

  const compose = (...list: Dispatcher.DispatcherComposeInterceptor[]) => new Agent().compose(...list)

  it('retries with Retry-After in seconds and as a date, through fetch and undici.request', async () => {
    const dispatcher = compose(interceptors.retry(fast))
    const t0 = performance.now()
    const res = await fetchWith(`${mock.url}/retry-after/seconds`, { dispatcher })
    expect(res.status).toBe(200)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900)
    const viaRequest = await request(`${mock.url}/retry-after/date`, { dispatcher })
    expect(viaRequest.statusCode).toBe(200)
    await viaRequest.body.text()
  })

  it('never retries a keyless POST; retries one with an Idempotency-Key (buffered body, undici.request)', async () => {
    const dispatcher = compose(interceptors.retry({ retries: 2, ...fast }))
    hits = 0
    const res = await fetchWith(`${mock.url}/post-503`, { method: 'POST', body: '{}', dispatcher })
    expect(res.status).toBe(503)
    expect(hits).toBe(1)
    hits = 0
    const keyed = await request(`${mock.url}/post-503`, {
      method: 'POST',
      body: '{}',
      headers: { 'idempotency-key': 'k-1' },
      dispatcher,
    })
    await keyed.body.text()
    expect(keyed.statusCode).toBe(503)
    expect(hits).toBe(3)
  })

  it("with onExhausted: 'error', fails as the client does when retries run out on a status", async () => {
    const dispatcher = compose(interceptors.retry({ retries: 1, ...fast, onExhausted: 'error' }))
    const viaFetch = await fetchFailure(fetchWith(`${mock.url}/always-503`, { dispatcher }))
    const client = createHttpClient({ baseUrl: mock.url, retry: { retries: 1, ...fast }, breaker: false })
    const viaClient = await rejection(client.request('/always-503'))
    await client.close()
    for (const error of [viaFetch, viaClient]) {
      expect(error).toMatchObject({
        code: 'FK_HTTP_RETRY_EXHAUSTED',
        details: {
          reason: 'attempts',
          attempts: [
            { attempt: 1, status: 503 },
            { attempt: 2, status: 503 },
          ],
        },
      })
    }
    // The mock numbers its answers ("request": 2); the rest of the excerpt is the same body, cut the same way.
    const excerpt = (error: unknown) =>
      String((error as { details: { bodyExcerpt?: unknown } }).details.bodyExcerpt).replace(/\d+/g, 'n')
    expect(excerpt(viaFetch)).toContain('temporarily unavailable')
    expect(excerpt(viaFetch)).toBe(excerpt(viaClient))
    expect((viaFetch as Error).message.replace(/over [\d.]+ s/, '')).toBe(
      (viaClient as Error).message.replace(/over [\d.]+ s/, ''),
    )
    expect(() => interceptors.retry({ onExhausted: 'throw' as never })).toThrow(
      expect.objectContaining({ code: 'FK_HTTP_OPTIONS' }),
    )
  })

  it('pauses every caller of the limiter after one 429 with Retry-After', async () => {
    const quota = interceptors.rateLimit({ perSecond: 1_000 })
    const dispatcher = compose(quota, interceptors.retry(fast))
    const t0 = performance.now()
    const first = fetchWith(`${mock.url}/quota-429`, { dispatcher })
    // Wait for the 429 to be seen (on a loaded machine it may take longer than a fixed sleep).
    await vi.waitFor(() => expect(quota.limiter.state().pausedForMs).toBeGreaterThan(0), { timeout: 900 })
    const others = await Promise.all([1, 2, 3].map(() => fetchWith(`${mock.url}/quota-ok`, { dispatcher })))
    expect((await first).status).toBe(200)
    expect(others.map((r) => r.status)).toEqual([200, 200, 200])
    for (const at of quotaTimes) expect(at - t0).toBeGreaterThanOrEqual(900) // none went out during the pause
    await quota.limiter.close()
  })

  it('logs one line per attempt, without the secret query value', async () => {
    const memory = memoryLogger('debug')
    const dispatcher = compose(interceptors.log({ logger: memory.logger }), interceptors.retry(fast))
    hits = 0
    const res = await fetchWith(`${mock.url}/always-503?token=log-secret-1`, { dispatcher })
    expect(res.status).toBe(503)
    const lines = memory.lines.filter((l) => l.msg === 'http attempt')
    expect(lines).toHaveLength(3) // the first attempt and the default two retries
    expect(lines[0]).toMatchObject({ method: 'GET', status: 503, path: '/always-503?token=[REDACTED]' })
    expect(memory.raw()).not.toContain('log-secret-1')
  })

  it('opens the breaker and fails fast with FK_HTTP_CIRCUIT_OPEN as err.cause', async () => {
    const dispatcher = compose(interceptors.breaker({ minimumCalls: 2, failureRatio: 0.5, openMs: 60_000 }))
    for (let i = 0; i < 2; i++) expect((await fetchWith(`${mock.url}/always-503`, { dispatcher })).status).toBe(503)
    const error = await fetchFailure(fetchWith(`${mock.url}/always-503`, { dispatcher }))
    expect(error.code).toBe('FK_HTTP_CIRCUIT_OPEN')
  })

  it('probes after openMs: a failed probe opens the circuit again, a good one closes it (half-open → closed)', async () => {
    // The breaker reads performance.now(): only that clock is faked, the sockets run for real.
    vi.useFakeTimers({ toFake: ['performance'] })
    try {
      const dispatcher = compose(interceptors.breaker({ minimumCalls: 2, failureRatio: 0.5, openMs: 5_000 }))
      const get = () => fetchWith(`${mock.url}/sometimes`, { dispatcher })
      serviceDown = true
      for (let i = 0; i < 2; i++) expect((await get()).status).toBe(503)
      expect((await fetchFailure(get())).code).toBe('FK_HTTP_CIRCUIT_OPEN')
      vi.advanceTimersByTime(5_001)
      expect((await get()).status).toBe(503) // the probe goes out, and fails
      const reopened = await fetchFailure(get())
      expect(reopened).toMatchObject({ code: 'FK_HTTP_CIRCUIT_OPEN', details: { retryInMs: expect.any(Number) } })
      expect(reopened.details?.retryInMs).toBeGreaterThan(4_000)
      serviceDown = false
      vi.advanceTimersByTime(5_001)
      expect((await get()).status).toBe(200) // the probe succeeds: closed
      const after = await Promise.all([get(), get(), get()]) // a half-open circuit would admit one probe only
      expect(after.map((r) => r.status)).toEqual([200, 200, 200])
    } finally {
      serviceDown = false
      vi.useRealTimers()
    }
  })

  it('answers a Digest challenge, for its origin only', async () => {
    const dispatcher = compose(
      interceptors.auth(digest({ username: 'ann', password: 'pa55-word' }), { origin: mock.url }),
      interceptors.retry(fast),
    )
    const res = await fetchWith(`${mock.url}/digest`, { dispatcher })
    expect(res.status).toBe(200)
    const wrong = compose(interceptors.auth(digest({ username: 'ann', password: 'nope-nope' }), { origin: mock.url }))
    expect((await fetchFailure(fetchWith(`${mock.url}/digest`, { dispatcher: wrong }))).code).toBe('FK_AUTH_REJECTED')
  })

  it('sends no Authorization on a redirect hop to another origin', async () => {
    const bearer = {
      scheme: 'Bearer',
      apply(r: { headers: Record<string, string> }) {
        r.headers.authorization = 'Bearer tok-fetch-1'
      },
    }
    const dispatcher = compose(
      interceptors.auth(bearer, { origin: mock.url }),
      interceptors.retry(fast),
      interceptors.redirect(),
    )
    await (await fetchWith(`${mock.url}/go?to=/seen`, { dispatcher })).text()
    expect(seen.at(-1)?.authorization).toBe('Bearer tok-fetch-1')
    await (await fetchWith(`${mock.url}/go?to=${encodeURIComponent(`${other}/seen`)}`, { dispatcher })).text()
    expect(seen.at(-1)).toEqual({ path: `localhost:${mock.port}`, authorization: null })
  })

  it('names the hops of a redirected request in the error of its last hop, as the client does', async () => {
    const dispatcher = compose(interceptors.retry({ retries: 0, onExhausted: 'error' }), interceptors.redirect())
    const error = await fetchFailure(fetchWith(`${mock.url}/go?to=/always-503&token=hop-secret-1`, { dispatcher }))
    expect(error).toMatchObject({
      code: 'FK_HTTP_RETRY_EXHAUSTED',
      details: { hops: [`${mock.url}/go?to=/always-503&token=[REDACTED]`, `${mock.url}/always-503`] },
    })
  })

  it('refuses a redirect hop to a residency-denied host before it connects', async () => {
    const guard = fakeGuard()
    const dispatcher = new Agent({ connect: guard.connector('pii') as never }).compose(interceptors.redirect())
    const before = seen.length
    const error = await fetchFailure(
      fetchWith(`${mock.url}/go?to=${encodeURIComponent(`${other}/seen`)}`, { dispatcher }),
    )
    expect(error.code).toBe('FK_RESIDENCY_DENIED')
    expect(seen.length).toBe(before)
  })

  it('composes on NTLM’s own dispatcher', async () => {
    const strategy = ntlm({ username: 'ann', domain: 'CORP', password: 'Ntlm-pa55' })
    const dispatcher = (strategy.dispatcher as Dispatcher).compose(interceptors.retry(fast))
    const res = await fetchWith(`${mock.url}/ntlm`, { dispatcher })
    expect(res.status).toBe(200)
    await strategy.close?.()
  })
})
