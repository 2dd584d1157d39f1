import { type ModelServer, startModelServer } from '@fieldkit/mocks'
import { expectNoLeak, rejection } from '@fieldkit/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EU, guardFor, PLANTED, US } from './guard.test-helper'

let server: ModelServer
beforeAll(async () => {
  server = await startModelServer()
})
afterAll(() => server.close())
beforeEach(() => {
  server.received.length = 0
  server.failures.length = 0
  Object.assign(server, {
    mangle: 'none',
    chunkSize: 4,
    answer: undefined,
    rawStream: undefined,
    cutAfter: undefined,
    headers: {},
    failureHeaders: {},
  })
})

const chat = (content: string, extra: object = {}) =>
  JSON.stringify({ model: 'm', messages: [{ role: 'user', content }], ...extra })
const post = (body: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
})

describe('residency by data class', () => {
  it('allows the EU endpoint and refuses the US one before connecting, with nothing sent', async () => {
    const { guard, records } = guardFor(server)
    const ok = await guard.fetch(`${EU}/v1/chat/completions`, post(chat(`hi ${PLANTED.email}`)))
    expect(ok.status).toBe(200)
    const error = await rejection(guard.fetch(`${US}/v1/chat/completions`, post(chat(`hi ${PLANTED.email}`))))
    expect(error.code).toBe('FK_AI_RESIDENCY_DENIED')
    expect(error.hint).toMatch(/region/)
    expect(server.received).toHaveLength(1)
    expect(records.map((r) => [r.decision, r.region, r.dataClass])).toEqual([
      ['allowed', 'eu', 'pseudonymised'],
      ['denied', 'us', 'pseudonymised'],
    ])
  })

  it('lets a call with nothing personal in it go where the clean class may go', async () => {
    const { guard, records } = guardFor(server)
    const res = await guard.fetch(`${US}/v1/chat/completions`, post(chat('What is 2 + 2?')))
    expect(res.status).toBe(200)
    expect(records[0]).toMatchObject({ dataClass: 'public', decision: 'allowed', region: 'us' })
  })
})

describe('bad input', () => {
  it('refuses a body that is not the API’s JSON, with nothing sent', async () => {
    const { guard, records } = guardFor(server)
    for (const body of ['not json', JSON.stringify({ model: 'm', prompt: PLANTED.email }), '[1,2]']) {
      const error = await rejection(guard.fetch(`${EU}/v1/chat/completions`, post(body)))
      expect(error.code).toBe('FK_AI_INVALID_BODY')
      expectNoLeak([PLANTED.email], [error.message, error.hint ?? ''])
    }
    const other = await rejection(guard.fetch(`${EU}/v1/embeddings`, post(JSON.stringify({ input: 'x' }))))
    expect(other.code).toBe('FK_AI_INVALID_BODY')
    expect(server.received).toHaveLength(0)
    expect(records.every((r) => r.decision === 'refused')).toBe(true)
  })

  it('pseudonymises configured JSON paths of other endpoints', async () => {
    server.answer = 'ok <EMAIL_1>'
    const { guard } = guardFor(server, { paths: ['input.*'] })
    const res = await guard.fetch(`${EU}/v1/embeddings`, post(JSON.stringify({ model: 'e', input: [PLANTED.email] })))
    expect(JSON.parse(server.received[0]?.body as string).input).toEqual(['<EMAIL_1>'])
    expect(res.status).toBe(200)
  })

  it('passes an unreadable body through only when asked, and audits it so', async () => {
    const { guard, records } = guardFor(server, { passThrough: true })
    await guard.fetch(`${EU}/v1/chat/completions`, post('plain text'))
    expect(server.received[0]?.body).toBe('plain text')
    expect(records[0]).toMatchObject({ decision: 'passthrough', dataClass: 'pii' })
  })

  it('closes a malformed stream with a typed error', async () => {
    server.rawStream = 'data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: {broken\n\n'
    const { guard, records } = guardFor(server)
    const res = await guard.fetch(`${EU}/v1/chat/completions`, post(chat('x', { stream: true })))
    const error = await rejection(res.text())
    expect(error.code).toBe('FK_AI_STREAM_MALFORMED')
    expect(records[0]).toMatchObject({ error: 'FK_AI_STREAM_MALFORMED', stream: true })
  })

  it('rejects bad options with the house wording', () => {
    expect(() => guardFor(server, { retries: -1 })).toThrow(/Expected `retries` to be a non-negative integer, got -1/)
  })
})

describe('retries and quotas', () => {
  it('retries 429 and 529 with their delays, then answers', async () => {
    server.failures.push(429, 529)
    server.failureHeaders = { 'retry-after-ms': '20' }
    const { guard, records } = guardFor(server)
    const started = Date.now()
    const res = await guard.fetch(`${EU}/v1/chat/completions`, post(chat('hello')))
    expect(res.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(38)
    expect(records[0]).toMatchObject({ attempts: 3, status: 200 })
  })

  it('retries a 503 before the answer, and never a stream that fails after its first byte', async () => {
    server.failures.push(503)
    server.failureHeaders = { 'retry-after-ms': '5' }
    server.cutAfter = 3
    const { guard, records } = guardFor(server)
    const res = await guard.fetch(
      `${EU}/v1/chat/completions`,
      post(chat('hello there, a longer answer', { stream: true })),
    )
    expect(res.status).toBe(200)
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    expect((await reader.read()).done).toBe(false) // the first bytes arrived
    await rejection(
      (async () => {
        for (;;) if ((await reader.read()).done) return
      })(),
    )
    expect(server.received).toHaveLength(2) // the 503 and the stream: nothing was sent again after the cut
    expect(records[0]).toMatchObject({ attempts: 2, stream: true })
    expect(records[0]?.error).toBeDefined()
  })

  it('holds calls back while the provider says its token quota is spent', async () => {
    server.headers = { 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '150ms' }
    const { guard } = guardFor(server)
    await guard.fetch(`${EU}/v1/chat/completions`, post(chat('one')))
    server.headers = {}
    const started = Date.now()
    await guard.fetch(`${EU}/v1/chat/completions`, post(chat('two')))
    expect(Date.now() - started).toBeGreaterThanOrEqual(100)
  })

  it('fails a call that can never fit the token quota with FK_AI_QUOTA, sending nothing', async () => {
    const { guard } = guardFor(server, { rateLimit: { tokensPerMinute: 100 } })
    const error = await rejection(guard.fetch(`${EU}/v1/chat/completions`, post(chat('hello', { max_tokens: 500 }))))
    expect(error.code).toBe('FK_AI_QUOTA')
    expect(server.received).toHaveLength(0)
  })
})

describe('pseudonymise and restore without fetch', () => {
  it('keeps placeholders stable per conversation and apart between conversations', async () => {
    const { guard } = guardFor(server)
    const a = await guard.pseudonymise(`${PLANTED.email} ${PLANTED.phone} ${PLANTED.email}`, { conversation: 'a' })
    expect(a.text).toBe('<EMAIL_1> <PHONE_1> <EMAIL_1>')
    const b = await guard.pseudonymise('other@example.com', { conversation: 'b' })
    expect(b.text).toBe('<EMAIL_1>')
    expect(await guard.restore('<EMAIL_1>', { conversation: 'a' })).toBe(PLANTED.email)
    expect(await guard.restore('<EMAIL_1> <PHONE_1>', { conversation: 'b' })).toBe('other@example.com <PHONE_1>')
    const c = await guard.pseudonymise('x')
    expect(c.text).toBe('x')
  })
})

describe('request bodies as bytes', () => {
  it('reads a UTF-8 byte body as the API’s JSON', async () => {
    const { guard } = guardFor(server)
    const res = await guard.fetch(`${EU}/v1/chat/completions`, {
      method: 'POST',
      body: new TextEncoder().encode(chat(`mail ${PLANTED.email}`)),
    })
    expect(res.status).toBe(200)
    expect(JSON.parse(server.received[0]?.body as string).messages[0].content).toBe('mail <EMAIL_1>')
  })
})
