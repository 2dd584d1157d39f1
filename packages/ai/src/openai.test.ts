import { type ModelServer, startModelServer } from '@fieldkit/mocks'
import { expectNoLeak } from '@fieldkit/testing'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { EU, EXPECTED_ECHO, guardFor, PLANTED, PROMPT, placeholderSplits, SECRET } from './guard.test-helper'

let server: ModelServer
beforeAll(async () => {
  server = await startModelServer()
})
afterAll(() => server.close())
beforeEach(() => {
  server.received.length = 0
  Object.assign(server, {
    mangle: 'none',
    chunkSize: 4,
    splits: undefined,
    toolCalls: false,
    answer: undefined,
    rawStream: undefined,
  })
})

const tools = [
  { type: 'function' as const, function: { name: 'send_mail', parameters: { type: 'object', properties: {} } } },
]

function client(guard: { fetch: typeof fetch }) {
  return new OpenAI({ baseURL: `${EU}/v1`, apiKey: 'sk-test-not-a-secret', fetch: guard.fetch, maxRetries: 0 })
}

function expectNothingPlanted() {
  expect(server.received.length).toBeGreaterThan(0)
  expectNoLeak(
    [...Object.values(PLANTED), SECRET],
    server.received.map((r) => r.body),
  )
}

describe('OpenAI chat completions through guard.fetch (openai SDK 6)', () => {
  it('sends placeholders, never a planted value, and restores the answer exactly', async () => {
    const { guard, records } = guardFor(server)
    const answer = await client(guard).chat.completions.create({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: `You help ${PLANTED.name}.` },
        { role: 'user', content: PROMPT },
      ],
    })
    expectNothingPlanted()
    const sent = JSON.parse(server.received[0]?.body as string)
    expect(sent.messages[0].content).toBe('You help <DATA_1>.')
    expect(sent.messages[1].content).toContain('<EMAIL__1>, PHONE__2 and email___1')
    expect(sent.messages[1].content.match(/<EMAIL_1>/g)).toHaveLength(2) // the same value, the same placeholder
    expect(answer.choices[0]?.message.content).toBe(EXPECTED_ECHO)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({
      decision: 'allowed',
      region: 'eu',
      model: 'gpt-test',
      pseudonymised: { denied: 2, email: 2, phone: 1, iban: 1 },
      secrets: { secret: 1 },
      usage: { inputTokens: 20, outputTokens: 10 },
    })
    expectNoLeak([...Object.values(PLANTED), SECRET], [JSON.stringify(records)])
    expect(JSON.stringify(records)).not.toMatch(/<[A-Z]+_\d+>/)
  })

  for (const chunkSize of [1, 2, 3, 5, 7, 11]) {
    it(`restores a streamed answer exactly with ${chunkSize}-character events`, async () => {
      server.chunkSize = chunkSize
      const { guard, records } = guardFor(server)
      const stream = await client(guard).chat.completions.create({
        model: 'gpt-test',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: PROMPT }],
      })
      let text = ''
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
      expect(text).toBe(EXPECTED_ECHO)
      expectNothingPlanted()
      expect(records[0]).toMatchObject({ stream: true, unrestored: 0, usage: { inputTokens: 20, outputTokens: 10 } })
    })
  }

  for (const mangle of ['none', 'spaces'] as const) {
    it(`restores exactly whichever position a placeholder is split at, for every placeholder (${mangle})`, async () => {
      server.mangle = mangle
      const { guard, records } = guardFor(server)
      const ask = () =>
        client(guard).chat.completions.create({
          model: 'gpt-test',
          stream: true,
          messages: [{ role: 'user', content: PROMPT }],
        })
      await (await ask()).toReadableStream().cancel()
      // What the server streams back: the echo of what it received, mangled as configured.
      const sent = JSON.parse(server.received[0]?.body as string).messages[0].content as string
      const echo = `Echo: ${mangle === 'spaces' ? sent.replace(/<([A-Z]+_[0-9]+)>/g, '< $1 >') : sent}`
      const splits = placeholderSplits(echo)
      expect(splits.length).toBeGreaterThan(60) // 8 placeholders and placeholder-shaped texts, every inner offset
      for (const at of splits) {
        server.splits = [at]
        let text = ''
        for await (const chunk of await ask()) text += chunk.choices[0]?.delta.content ?? ''
        expect({ at, text }).toEqual({ at, text: EXPECTED_ECHO })
      }
      expectNothingPlanted()
      expect(records.every((r) => r.unrestored === 0)).toBe(true)
    })
  }

  for (const mangle of ['case', 'spaces', 'bare'] as const) {
    it(`restores placeholders a model mangled (${mangle}), streamed and whole`, async () => {
      server.mangle = mangle
      server.chunkSize = 3
      const { guard } = guardFor(server)
      const whole = await client(guard).chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: PROMPT }],
      })
      expect(whole.choices[0]?.message.content).toBe(EXPECTED_ECHO)
      const stream = await client(guard).chat.completions.create({
        model: 'm',
        stream: true,
        messages: [{ role: 'user', content: PROMPT }],
      })
      let text = ''
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
      expect(text).toBe(EXPECTED_ECHO)
    })
  }

  for (const mangle of ['none', 'json-escape'] as const) {
    it(`restores tool-call arguments (${mangle}), so the tool runs on real values`, async () => {
      server.toolCalls = true
      server.mangle = mangle
      server.chunkSize = 2
      const { guard } = guardFor(server)
      const whole = await client(guard).chat.completions.create({
        model: 'm',
        tools,
        messages: [{ role: 'user', content: PROMPT }],
      })
      const call = whole.choices[0]?.message.tool_calls?.[0]
      const args = JSON.parse(call?.type === 'function' ? call.function.arguments : '{}')
      expect(args).toEqual({ to: PLANTED.name, text: EXPECTED_ECHO })
      const stream = await client(guard).chat.completions.create({
        model: 'm',
        tools,
        stream: true,
        messages: [{ role: 'user', content: PROMPT }],
      })
      let streamed = ''
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? ''
      expect(JSON.parse(streamed)).toEqual({ to: PLANTED.name, text: EXPECTED_ECHO })
    })
  }

  it('sends tool results and earlier tool calls with placeholders too', async () => {
    const { guard } = guardFor(server)
    await client(guard).chat.completions.create({
      model: 'm',
      tools,
      messages: [
        { role: 'user', content: 'Who is on call?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'c1',
              type: 'function',
              function: { name: 'lookup', arguments: JSON.stringify({ email: PLANTED.email }) },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: `${PLANTED.name}, ${PLANTED.phone}` },
      ],
    })
    expectNothingPlanted()
    const sent = JSON.parse(server.received[0]?.body as string)
    expect(JSON.parse(sent.messages[1].tool_calls[0].function.arguments)).toEqual({ email: '<EMAIL_1>' })
    expect(sent.messages[2].content).toBe('<DATA_1>, <PHONE_1>')
  })

  it('never restores a placeholder of another conversation, and counts it', async () => {
    const { guard, records } = guardFor(server)
    const openai = client(guard)
    await openai.chat.completions.create(
      { model: 'm', messages: [{ role: 'user', content: 'a@example.com and b@example.com' }] },
      { headers: { 'x-fieldkit-conversation': 'conv-a' } },
    )
    server.answer = 'Known <EMAIL_1>, foreign <EMAIL_2>'
    const answer = await openai.chat.completions.create(
      { model: 'm', messages: [{ role: 'user', content: 'c@example.com' }] },
      { headers: { 'x-fieldkit-conversation': 'conv-b' } },
    )
    expect(answer.choices[0]?.message.content).toBe('Known c@example.com, foreign <EMAIL_2>')
    expect(records[1]).toMatchObject({ conversation: 'conv-b', restored: 1, unrestored: 1 })
    expect(server.received[1]?.headers['x-fieldkit-conversation']).toBeUndefined()
  })

  it('keeps one mapping for a whole multi-turn conversation', async () => {
    const { guard } = guardFor(server)
    const openai = client(guard)
    await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: `x ${PLANTED.phone}` }] })
    await openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: `y ${PLANTED.email} ${PLANTED.phone}` }],
    })
    expect(JSON.parse(server.received[1]?.body as string).messages[0].content).toBe('y <EMAIL_1> <PHONE_1>')
  })

  it('restores the responses API, whole and streamed', async () => {
    const { guard } = guardFor(server)
    const openai = client(guard)
    const whole = await openai.responses.create({
      model: 'm',
      input: PROMPT,
      instructions: `Be kind to ${PLANTED.name}`,
    })
    expect(whole.output_text).toBe(EXPECTED_ECHO)
    server.chunkSize = 1
    const stream = await openai.responses.create({
      model: 'm',
      input: [{ role: 'user', content: PROMPT }],
      stream: true,
    })
    let text = ''
    for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta
    expect(text).toBe(EXPECTED_ECHO)
    expectNothingPlanted()
  })
})
