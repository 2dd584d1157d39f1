import { describe, expect, it } from 'vitest'
import { createHttpClient } from './client'
import type { HttpClientOptions } from './options'

describe('options are validated at construction', () => {
  it.each([
    [{ retry: { retries: -1 } }, 'Expected `retry.retries` to be a non-negative integer, got -1'],
    [{ retry: { retries: 1.5 } }, 'Expected `retry.retries` to be a non-negative integer, got 1.5'],
    [{ baseUrl: 'ftp://x' }, 'Expected `baseUrl` to be an absolute http(s) URL, got "ftp://x"'],
    [{ baseUrl: 'not a url' }, 'Expected `baseUrl` to be an absolute http(s) URL'],
    [{ baseUrl: 'https://u:p@x.example' }, 'Expected `baseUrl` to carry no credentials'],
    [{ timeout: { headers: 0 } }, 'Expected `timeout.headers` to be a positive number of milliseconds'],
    [{ breaker: { failureRatio: 2 } }, 'Expected `breaker.failureRatio` to be a number in (0, 1], got 2'],
    [{ retry: { budget: { ratio: 0 } } }, 'Expected `retry.budget.ratio` to be a number in (0, 1], got 0'],
    [{ retry: { statuses: [700] } }, 'Expected `retry.statuses` to be an array of HTTP statuses'],
    [{ retry: { minDelayMs: 500, maxDelayMs: 100 } }, 'Expected `retry.maxDelayMs` to be at least retry.minDelayMs'],
    [{ headers: { accept: 1 } }, 'Expected `headers.accept` to be a string, got 1'],
    [{ hooks: { beforeRequest: ['x'] } }, 'Expected `hooks.beforeRequest` to be an array of functions'],
    [{ auth: { scheme: 'X' } }, 'Expected `auth` to be an AuthStrategy'],
    [
      { residency: { guard: {}, dataClass: 'pii' } },
      'Expected `residency` to be `{ guard: EgressGuard, dataClass: string }`',
    ],
    [{ maxResponseBytes: -5 }, 'Expected `maxResponseBytes` to be a non-negative integer, got -5'],
  ])('%j', (options, message) => {
    let caught: unknown
    try {
      createHttpClient(options as unknown as HttpClientOptions)
    } catch (error) {
      caught = error
    }
    expect(caught).toMatchObject({ code: 'FK_HTTP_OPTIONS' })
    expect((caught as Error).message).toContain(message)
  })

  it('rejects a relative path without baseUrl, at request time, with a typed error', async () => {
    const client = createHttpClient()
    await expect(client.request('/x')).rejects.toMatchObject({ code: 'FK_HTTP_INVALID_REQUEST' })
    await client.close()
  })
})
