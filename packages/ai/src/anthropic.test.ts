import Anthropic from '@anthropic-ai/sdk'
import { type ModelServer, startModelServer } from '@fieldkit/mocks'
import { expectNoLeak } from '@fieldkit/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EU, EXPECTED_ECHO, guardFor, PLANTED, PROMPT, placeholderSplits, SECRET } from './guard.test-helper'

let server: ModelServer
beforeAll(async () => {
  server = await startModelServer()
})
afterAll(() => server.close())
beforeEach(() => {
  server.received.length = 0
  Object.assign(server, { mangle: 'none', chunkSize: 4, splits: undefined, toolCalls: false, answer: undefined })
})

function client(guard: { fetch: typeof fetch }) {
  return new Anthropic({ baseURL: EU, apiKey: 'sk-ant-test-not-a-secret', fetch: guard.fetch, maxRetries: 0 })
}
const tools = [{ name: 'send_mail', input_schema: { type: 'object' as const, properties: {} } }]

describe('Anthropic messages through guard.fetch (@anthropic-ai/sdk)', () => {
  it('sends placeholders in the system prompt and messages, and restores the answer', async () => {
    const { guard, records } = guardFor(server)
    const answer = await client(guard).messages.create({
      model: 'claude-test',
      max_tokens: 100,
      system: `Assistant of ${PLANTED.name}`,
      messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }],
    })
    expectNoLeak(
      [...Object.values(PLANTED), SECRET],
      server.received.map((r) => r.body),
    )
    expect(JSON.parse(server.received[0]?.body as string).system).toBe('Assistant of <DATA_1>')
    expect(answer.content[0]?.type === 'text' && answer.content[0].text).toBe(EXPECTED_ECHO)
    expect(records[0]).toMatchObject({ format: 'anthropic-messages', usage: { inputTokens: 20, outputTokens: 10 } })
  })

  for (const chunkSize of [1, 3, 8]) {
    it(`restores a streamed answer exactly with ${chunkSize}-character deltas`, async () => {
      server.chunkSize = chunkSize
      const { guard, records } = guardFor(server)
      const stream = await client(guard).messages.create({
        model: 'claude-test',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: PROMPT }],
      })
      let text = ''
      for await (const event of stream) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text
      }
      expect(text).toBe(EXPECTED_ECHO)
      expect(records[0]).toMatchObject({ stream: true, usage: { inputTokens: 20, outputTokens: 10 } })
    })
  }

  it('restores exactly whichever position a placeholder is split at, for every placeholder', async () => {
    const { guard } = guardFor(server)
    const ask = async () => {
      let text = ''
      const stream = await client(guard).messages.create({
        model: 'claude-test',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: PROMPT }],
      })
      for await (const event of stream) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text
      }
      return text
    }
    await ask()
    const sent = JSON.parse(server.received[0]?.body as string).messages[0].content as string
    const splits = placeholderSplits(`Echo: ${sent}`)
    expect(splits.length).toBeGreaterThan(60)
    for (const at of splits) {
      server.splits = [at]
      expect({ at, text: await ask() }).toEqual({ at, text: EXPECTED_ECHO })
    }
  })

  it('restores tool_use input, whole and streamed as partial JSON', async () => {
    server.toolCalls = true
    server.chunkSize = 1
    const { guard } = guardFor(server)
    const whole = await client(guard).messages.create({
      model: 'c',
      max_tokens: 10,
      tools,
      messages: [{ role: 'user', content: PROMPT }],
    })
    expect(whole.content[0]?.type === 'tool_use' && whole.content[0].input).toEqual({
      to: PLANTED.name,
      text: EXPECTED_ECHO,
    })
    const message = await client(guard)
      .messages.stream({ model: 'c', max_tokens: 10, tools, messages: [{ role: 'user', content: PROMPT }] })
      .finalMessage()
    expect(message.content[0]?.type === 'tool_use' && message.content[0].input).toEqual({
      to: PLANTED.name,
      text: EXPECTED_ECHO,
    })
  })

  it('sends tool results with placeholders', async () => {
    const { guard } = guardFor(server)
    await client(guard).messages.create({
      model: 'c',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'Look him up' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 't1', name: 'lookup', input: { email: PLANTED.email } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: `phone ${PLANTED.phone}` }] },
      ],
    })
    const sent = JSON.parse(server.received[0]?.body as string)
    expect(sent.messages[1].content[0].input).toEqual({ email: '<EMAIL_1>' })
    expect(sent.messages[2].content[0].content).toBe('phone <PHONE_1>')
  })
})
