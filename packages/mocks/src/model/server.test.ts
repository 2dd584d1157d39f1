import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { catalog } from '../catalog'
import { serve } from '../serve'
import { type ModelServer, mangleText, modelServer, startModelServer } from './server'

let model: ModelServer
beforeAll(async () => {
  model = await startModelServer({ regions: { 'eu.model.test': 'eu' } })
})
afterAll(() => model.close())
beforeEach(() => {
  Object.assign(model, {
    mangle: 'none',
    chunkSize: 4,
    splits: undefined,
    toolCalls: false,
    answer: undefined,
    tokenLimit: undefined,
  })
  model.received.length = 0
})

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${model.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely, as a test asserts on their shape
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json()
const chat = (content: string, extra: object = {}) => ({ model: 'm', messages: [{ role: 'user', content }], ...extra })

/** The text of a chat-completions event stream, joined from its deltas. */
function chatText(stream: string): string[] {
  return stream
    .split('\n\n')
    .filter((e) => e.startsWith('data: {'))
    .map((e) => JSON.parse(e.slice(6)).choices[0]?.delta?.content)
    .filter((t): t is string => typeof t === 'string' && t !== '')
}

describe('model server', () => {
  it('echoes the last user message with its placeholders, in each API’s JSON', async () => {
    const openai = await json(post('/v1/chat/completions', chat('mail <EMAIL_1>')))
    expect(openai.choices[0].message.content).toBe('Echo: mail <EMAIL_1>')
    expect(openai.usage.total_tokens).toBe(30)
    const anthropic = await json(post('/v1/messages', chat('call <PHONE_2>')))
    expect(anthropic.content).toEqual([{ type: 'text', text: 'Echo: call <PHONE_2>' }])
    const responses = await json(post('/v1/responses', { model: 'm', input: 'hi <NAME_1>' }))
    expect(responses.output[0].content[0].text).toBe('Echo: hi <NAME_1>')
    expect(model.received.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/messages', '/v1/responses'])
  })

  it('splits a streamed placeholder across events at every position with chunkSize 1', async () => {
    model.chunkSize = 1
    const res = await post('/v1/chat/completions', chat('<EMAIL_1>', { stream: true }))
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const deltas = chatText(await res.text())
    expect(deltas.join('')).toBe('Echo: <EMAIL_1>')
    expect(deltas.every((d) => d.length === 1)).toBe(true)
    expect(model.streams.at(-1)?.sentAt.length).toBe(deltas.length + 4)
  })

  it('cuts the streamed text exactly at the offsets asked for', async () => {
    model.splits = [9, 3]
    const res = await post('/v1/chat/completions', chat('<EMAIL_1>', { stream: true }))
    expect(chatText(await res.text())).toEqual(['Ech', 'o: <EM', 'AIL_1>'])
  })

  it('cuts the connection after the events asked for', async () => {
    model.cutAfter = 2
    const res = await post('/v1/chat/completions', chat('a longer answer', { stream: true }))
    await expect(res.text()).rejects.toThrow()
  })

  it('mangles placeholders as models do, and JSON-escapes them in tool arguments', async () => {
    expect(mangleText('<EMAIL_1> and <PHONE_12>', 'case')).toBe('<email_1> and <phone_12>')
    expect(mangleText('<EMAIL_1>', 'spaces')).toBe('< EMAIL_1 >')
    expect(mangleText('<EMAIL_1>', 'bare')).toBe('EMAIL_1')
    model.toolCalls = true
    model.mangle = 'json-escape'
    const tools = [{ type: 'function', function: { name: 'send_mail', parameters: {} } }]
    const res = await post('/v1/chat/completions', chat('to <EMAIL_1>', { tools }))
    const args: string = (await json(res)).choices[0].message.tool_calls[0].function.arguments
    expect(args).toContain('\\u003cEMAIL_1\\u003e')
    expect(JSON.parse(args).to).toBe('<EMAIL_1>')
  })

  it('answers scripted 429 and 529 first, then normally', async () => {
    model.failures.push(429, 529)
    model.failureHeaders = { 'retry-after-ms': '5' }
    const first = await post('/v1/messages', chat('x'))
    expect([first.status, first.headers.get('retry-after-ms')]).toEqual([429, '5'])
    const second = await post('/v1/messages', chat('x'))
    expect(second.status).toBe(529)
    expect((await json(second)).error.type).toBe('overloaded_error')
    expect((await post('/v1/messages', chat('x'))).status).toBe(200)
  })

  it('keeps its own token quota and answers 429 with token headers past it', async () => {
    model.tokenLimit = { tokens: 60, windowMs: 60_000 }
    model.accepted.length = 0
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await post('/v1/chat/completions', chat('x'))).status)
    expect(statuses).toEqual([200, 200, 429])
    expect(model.limited).toBe(1)
    const last = await post('/v1/chat/completions', chat('x'))
    expect(last.headers.get('x-ratelimit-remaining-tokens')).toBe('0')
    expect(Number(last.headers.get('retry-after-ms'))).toBeGreaterThan(0)
  })

  it('names the region of the host a request was meant for', async () => {
    const res = await post('/v1/chat/completions', chat('x'), { 'x-forwarded-host': 'eu.model.test' })
    expect(res.headers.get('x-model-region')).toBe('eu')
    expect(model.received[0]).toMatchObject({ host: 'eu.model.test', region: 'eu' })
    await post('/v1/chat/completions', chat('x'), { 'x-forwarded-host': 'us.model.test' })
    expect(model.received[1]?.region).toBeUndefined()
  })

  it('refuses bad options with the expected() wording', () => {
    expect(() => modelServer({ chunkSize: 0 })).toThrow(
      expect.objectContaining({
        code: 'FK_MOCK_OPTIONS',
        message: expect.stringContaining('Expected `modelServer.chunkSize` to be a positive integer, got 0'),
      }),
    )
  })

  it('is a catalog scenario that fieldkit mock serve can serve', async () => {
    const scenario = catalog.find((s) => s.name === 'model')
    const mock = await serve(scenario?.handlers() ?? [])
    try {
      const res = await fetch(`${mock.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify(chat('hi <EMAIL_1>')),
      })
      expect((await json(res)).choices[0].message.content).toBe('Echo: hi <EMAIL_1>')
    } finally {
      await mock.close()
    }
  })
})
