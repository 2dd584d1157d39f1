import { createServer } from 'node:net'
import { type MockServer, serve } from '@fieldkit/mocks'
import { rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'

/** A loopback port that nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('issue 15: errors that name the real cause', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([
      http.get('*/busy', () => HttpResponse.json({ error: 'quota' }, { status: 429, headers: { 'retry-after': '0' } })),
    ])
  })
  afterAll(() => mock.close())

  it('says to set rateLimit, not to raise retry.retries, when retries ran out on 429s', async () => {
    const client = createHttpClient({ baseUrl: mock.url, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2 } })
    const error = await rejection(client.request('/busy'))
    await client.close()
    expect(error.code).toBe('FK_HTTP_RETRY_EXHAUSTED')
    expect(error.hint).toContain('rateLimit')
    expect(error.hint).not.toContain('raise retry.retries')
  })

  it('says nothing is listening at host:port when the connection is refused', async () => {
    const port = await closedPort()
    const client = createHttpClient({ baseUrl: `http://127.0.0.1:${port}`, retry: { retries: 1, minDelayMs: 1 } })
    const error = await rejection(client.request('/x'))
    await client.close()
    expect(error.code).toBe('FK_HTTP_RETRY_EXHAUSTED')
    expect(error.hint).toContain(`Nothing is listening at 127.0.0.1:${port}`)
  })

  it('says so when retries are off, instead of blaming a missing idempotency key', async () => {
    const port = await closedPort()
    const client = createHttpClient({ baseUrl: `http://127.0.0.1:${port}`, retry: false })
    const error = await rejection(client.request('/x'))
    await client.close()
    expect(error.code).toBe('FK_HTTP_NETWORK')
    expect(error.message).toContain('retries are off')
    expect(error.message).not.toContain('idempotency key')
    expect(error.hint).toContain(`Nothing is listening at 127.0.0.1:${port}`)
  })
})
