import { isFieldkitError } from '@fieldkit/core'
import { flaky, serve } from '@fieldkit/mocks'
import { describe, expect, it } from 'vitest'
import { createHttpClient } from './client'

const REQUESTS = 10_000
const IN_FLIGHT = 64
const RETRIES = 3
const KINDS = ['GET', 'PUT', 'POST with key', 'POST without key'] as const
type Kind = (typeof KINDS)[number]

// The fault run of the issue: 10,000 requests against 20% 503s and 5% connection resets, with the client's
// default policy (retry budget and breaker on), only the backoff shortened so that the run stays under a minute.
describe('fault run', () => {
  it('ends every request in success or a typed error, never sends more than allowed, never repeats a keyless POST', async () => {
    const mock = await serve(flaky({ seed: 2026, errorRate: 0.2, resetRate: 0.05 }))
    const client = createHttpClient({
      baseUrl: mock.url,
      retry: { retries: RETRIES, minDelayMs: 1, maxDelayMs: 20 },
      pool: { connections: IN_FLIGHT },
    })
    const kindOf = new Map<string, Kind>()
    const outcomes = new Map<string, number>()
    let next = 0
    const started = performance.now()

    const worker = async () => {
      while (next < REQUESTS) {
        const n = next++
        const kind = KINDS[n % KINDS.length] as Kind
        const id = `req-${n}`
        kindOf.set(id, kind)
        try {
          const res = await client.request({
            method: kind === 'GET' ? 'GET' : kind === 'PUT' ? 'PUT' : 'POST',
            path: '/flaky',
            headers: { 'x-request-id': id },
            ...(kind === 'GET' ? {} : { json: { n } }),
            ...(kind === 'POST with key' ? { idempotencyKey: `key-${n}` } : {}),
          })
          expect(res.status).toBe(200)
          outcomes.set('success', (outcomes.get('success') ?? 0) + 1)
        } catch (error) {
          if (!isFieldkitError(error)) throw error
          outcomes.set(error.code, (outcomes.get(error.code) ?? 0) + 1)
        }
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
    const seconds = (performance.now() - started) / 1000
    const stats = client.stats()
    await client.close()
    await mock.close()

    const sends = new Map<string, number>()
    const keys = new Map<string, Set<string>>()
    for (const request of mock.requests) {
      const id = request.headers['x-request-id'] ?? ''
      sends.set(id, (sends.get(id) ?? 0) + 1)
      const key = request.headers['idempotency-key']
      if (key !== undefined) keys.set(id, (keys.get(id) ?? new Set()).add(key))
    }

    const total = [...outcomes.values()].reduce((a, b) => a + b, 0)
    expect(total).toBe(REQUESTS)
    const allowed = new Set([
      'success',
      'FK_HTTP_RETRY_EXHAUSTED',
      'FK_HTTP_STATUS',
      'FK_HTTP_NETWORK',
      'FK_HTTP_CIRCUIT_OPEN',
    ])
    for (const code of outcomes.keys()) expect(allowed).toContain(code)
    expect(sends.size).toBe(REQUESTS - (outcomes.get('FK_HTTP_CIRCUIT_OPEN') ?? 0))

    const sendsByKind = new Map<Kind, number[]>()
    for (const [id, count] of sends) {
      const kind = kindOf.get(id) as Kind
      const list = sendsByKind.get(kind) ?? []
      list.push(count)
      sendsByKind.set(kind, list)
      expect(count).toBeLessThanOrEqual(kind === 'POST without key' ? 1 : RETRIES + 1)
    }
    for (const [id, set] of keys) {
      expect(set.size, `${id} changed its idempotency key between attempts`).toBe(1)
      expect(kindOf.get(id)).toBe('POST with key')
    }
    const most = (kind: Kind) => Math.max(...(sendsByKind.get(kind) ?? [0]))
    console.log(
      `fault run: ${REQUESTS} requests in ${seconds.toFixed(1)} s; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; ` +
        `sends on the wire ${mock.requests.length}; most sends per request: GET ${most('GET')}, PUT ${most('PUT')}, ` +
        `POST with key ${most('POST with key')}, POST without key ${most('POST without key')}; retries ${stats.retries}; ` +
        `latency p50 ${stats.latencyMs.p50} ms, p99 ${stats.latencyMs.p99} ms`,
    )
    expect(most('POST without key')).toBe(1)
    expect(seconds).toBeLessThan(60)
  }, 120_000)
})
