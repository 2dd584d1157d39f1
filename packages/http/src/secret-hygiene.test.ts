import { apiKey, oauth1 } from '@fieldkit/auth'
import type { AuthStrategy } from '@fieldkit/core'
import { type MockServer, serve } from '@fieldkit/mocks'
import { errorTexts, expectNoLeak, memoryLogger, rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'

/** A debug-mode server: it answers 400 with every header and the URL it received, as text and as JSON. */
const echoHandler = http.all('*/echo', ({ request }) => {
  const received = Object.fromEntries(request.headers)
  const text = `bad request; you sent ${request.method} ${request.url} with ${JSON.stringify(received)} / ${Object.entries(
    received,
  )
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n')}`
  return new HttpResponse(text, { status: 400, headers: { 'content-type': 'text/plain' } })
})

/** A scheme the core scrubber has no rule for: `Authorization: Token …`. */
const tokenScheme = (token: string): AuthStrategy => ({
  scheme: 'Token',
  apply(request) {
    request.headers.authorization = `Token ${token}`
  },
})

describe('issue 22 point 1: credentials echoed by the server never reach an error or a log line', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([echoHandler])
  })
  afterAll(() => mock.close())

  async function echoed(options: Parameters<typeof createHttpClient>[0], headers?: Record<string, string>) {
    const log = memoryLogger('debug')
    const client = createHttpClient({ baseUrl: mock.url, logger: log.logger, retry: false, ...options })
    const error = await rejection(client.request({ path: '/echo?page=1', ...(headers ? { headers } : {}) }))
    await client.close()
    expect(error.code).toBe('FK_HTTP_STATUS')
    return { error, texts: [...errorTexts(error), log.raw()] }
  }

  it('scrubs a Cookie the caller sent, in raw, percent and base64 forms', async () => {
    const { error, texts } = await echoed({}, { cookie: 'SESSION=cookie-secret-value; theme=dark' })
    expect(error.message).toContain('[REDACTED]') // the echo came back, scrubbed
    expectNoLeak(['cookie-secret-value'], texts)
  })

  it('scrubs `Authorization: Token …` set by a strategy', async () => {
    const { texts } = await echoed({ auth: tokenScheme('tok-4f9a8b7c6d5e') })
    expectNoLeak(['tok-4f9a8b7c6d5e'], texts)
  })

  it('scrubs an x-api-key header set by apiKey({ in: "header" })', async () => {
    const { texts } = await echoed({ auth: apiKey({ in: 'header', name: 'x-api-key', value: 'ak-live-7Hq2ZpX9' }) })
    expectNoLeak(['ak-live-7Hq2ZpX9'], texts)
  })

  it('scrubs a key sent as a cookie by apiKey({ in: "cookie" })', async () => {
    const { texts } = await echoed({ auth: apiKey({ in: 'cookie', name: 'k', value: 'ck-live-3Rt8WmN1' }) })
    expectNoLeak(['ck-live-3Rt8WmN1'], texts)
  })

  it('scrubs a key sent in the query under a name no redaction list knows', async () => {
    const { texts } = await echoed({ auth: apiKey({ in: 'query', name: 'q7', value: 'qk-live-5Lp0VbC2' }) })
    expectNoLeak(['qk-live-5Lp0VbC2'], texts)
  })

  it("scrubs OAuth 1.0a PLAINTEXT's consumerSecret&tokenSecret", async () => {
    const auth = oauth1({
      consumerKey: 'ck',
      consumerSecret: 'consumer-secret-1',
      token: 'tk',
      tokenSecret: 'token-secret-2',
      signatureMethod: 'PLAINTEXT',
    })
    const { texts } = await echoed({ auth })
    expectNoLeak(['consumer-secret-1', 'token-secret-2', 'consumer-secret-1&token-secret-2'], texts)
  })
})

describe('issue 22 point 1, after the call: res.json() on an echoed body', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([
      http.get(
        '*/echo-200',
        ({ request }) =>
          new HttpResponse(`<html>debug: you sent ${request.headers.get('x-api-key')}</html>`, { status: 200 }),
      ),
    ])
  })
  afterAll(() => mock.close())

  it('scrubs FK_HTTP_INVALID_JSON of the key the strategy sent', async () => {
    const client = createHttpClient({
      baseUrl: mock.url,
      auth: apiKey({ in: 'header', name: 'x-api-key', value: 'ak-json-9Zq1Wx' }),
    })
    const res = await client.request('/echo-200')
    const error = await rejection(res.json())
    await client.close()
    expect(error.code).toBe('FK_HTTP_INVALID_JSON')
    expectNoLeak(['ak-json-9Zq1Wx'], errorTexts(error))
  })
})

describe('issue 22 point 4: an invalid request URL with a password keeps no input in its cause', () => {
  it('gives FK_HTTP_INVALID_REQUEST whose message, cause and inspect output hold no password', async () => {
    const client = createHttpClient()
    const error = await rejection(client.request({ path: 'http://user:SEKRET-pw-42@[::1' }))
    await client.close()
    expect(error.code).toBe('FK_HTTP_INVALID_REQUEST')
    expect((error.cause as { code?: string }).code).toBe('ERR_INVALID_URL')
    expectNoLeak(['SEKRET-pw-42'], errorTexts(error))
  })
})

describe('issue 22 point 10: a Retry-After beyond maxRetryAfterMs, however written, is too long', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([
      http.get('*/huge/:value', ({ params }) =>
        HttpResponse.json({ error: 'slow down' }, { status: 429, headers: { 'retry-after': String(params.value) } }),
      ),
    ])
  })
  afterAll(() => mock.close())

  it.each([['99999999'], ['999999999999999999999999'], ['9'.repeat(80)], ['Fri, 31 Dec 9999 23:59:59 GMT']])(
    'fails at once with FK_HTTP_RATE_LIMITED for Retry-After %j',
    async (value) => {
      const client = createHttpClient({ baseUrl: mock.url, retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 } })
      const before = mock.requests.length
      const error = await rejection(client.request(`/huge/${encodeURIComponent(value)}`))
      await client.close()
      expect(error.code).toBe('FK_HTTP_RATE_LIMITED')
      expect(mock.requests.length - before).toBe(1) // not retried at once
    },
  )
})
