import { type MockServer, serve } from '@fieldkit/mocks'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAssistant } from './assistant'

// A mock of the OpenAI API: the model list answers 429 with Retry-After once, then the list; chat completions answer.
describe('the openai SDK through Fieldkit interceptors', () => {
  let api: MockServer
  let listCalls = 0
  const keys: (string | null)[] = []
  beforeAll(async () => {
    api = await serve([
      http.get('*/v1/models', ({ request }) => {
        keys.push(request.headers.get('authorization'))
        listCalls += 1
        if (listCalls === 1) {
          return HttpResponse.json(
            { error: { message: 'Rate limit reached' } },
            { status: 429, headers: { 'retry-after': '1' } },
          )
        }
        return HttpResponse.json({
          object: 'list',
          data: [{ id: 'gpt-test', object: 'model', created: 0, owned_by: 'me' }],
        })
      }),
      http.post('*/v1/chat/completions', async ({ request }) => {
        const body = (await request.json()) as { messages: { content: string }[] }
        return HttpResponse.json({
          id: 'c1',
          object: 'chat.completion',
          created: 0,
          model: 'gpt-test',
          choices: [
            {
              index: 0,
              finish_reason: 'stop',
              message: { role: 'assistant', content: `echo: ${body.messages[0]?.content}` },
            },
          ],
        })
      }),
    ])
  })
  afterAll(() => api.close())

  it('waits out a 429 with Retry-After through the retry interceptor (SDK retries off)', async () => {
    const { client, close } = createAssistant({ apiKey: 'sk-test-key', baseURL: `${api.url}/v1`, perSecond: 50 })
    const t0 = performance.now()
    const models = await client.models.list()
    expect(models.data.map((m) => m.id)).toEqual(['gpt-test'])
    expect(listCalls).toBe(2)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900)
    expect(keys).toEqual(['Bearer sk-test-key', 'Bearer sk-test-key'])
    await close()
  })

  it('sends a chat completion through the same dispatcher', async () => {
    const { client, close } = createAssistant({ apiKey: 'sk-test-key', baseURL: `${api.url}/v1`, perSecond: 50 })
    const answer = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(answer.choices[0]?.message.content).toBe('echo: hi')
    await close()
  })
})
