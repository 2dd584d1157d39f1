import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type HrRecord, summariseHr } from './summarise-hr'

const records: HrRecord[] = [
  { name: 'Ann Lee', email: 'ann.lee@client.example', phone: '+44 20 7946 0958', note: 'back on 3 March' },
  { name: 'Piotr Nowak', email: 'p.nowak@client.example', phone: '+48 22 123 45 67', note: 'needs a laptop' },
]

// A stand-in model: it records what it received and "summarises" by quoting the placeholders it saw.
const received: string[] = []
const server = createServer((req, res) => {
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', () => {
    received.push(body)
    const seen = [...new Set(body.match(/<[A-Z]+_\d+>/g) ?? [])]
    const content = `Summary: ${seen.slice(0, 3).join(', ')} need follow-up.`
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        id: 'c',
        object: 'chat.completion',
        created: 0,
        model: 'm',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
        usage: { prompt_tokens: 90, completion_tokens: 12, total_tokens: 102 },
      }),
    )
  })
})
let origin = ''
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const options = (host: string) => ({
  baseURL: `http://${host}/v1`,
  apiKey: 'test',
  model: 'm',
  hosts: { 'eu.models.test': 'eu', 'us.models.test': 'us' },
  residency: { resolver: async () => ['127.0.0.1'], allowSpecial: ['127.0.0.1'] },
  fetch: ((input, init) => fetch(new URL(new URL(String(input)).pathname, origin), init)) as typeof fetch,
  conversation: 'case-1',
})

describe('HR summary through a model on the EU endpoint', () => {
  it('sends only placeholders and restores names and e-mails in the summary', async () => {
    const { summary, audit } = await summariseHr(records, options('eu.models.test'))
    for (const r of records) for (const v of [r.name, r.email, r.phone]) expect(received.join('\n')).not.toContain(v)
    expect(summary).toBe('Summary: Ann Lee, ann.lee@client.example, +44 20 7946 0958 need follow-up.')
    expect(audit[0]).toMatchObject({
      decision: 'allowed',
      region: 'eu',
      pseudonymised: { denied: 2, email: 2, phone: 2 },
    })
  })

  it('refuses the US endpoint before sending anything', async () => {
    const before = received.length
    // The OpenAI SDK wraps what its fetch throws in an APIConnectionError; the guard's typed error is its cause.
    await expect(summariseHr(records, options('us.models.test'))).rejects.toMatchObject({
      cause: { code: 'FK_AI_RESIDENCY_DENIED' },
    })
    expect(received.length).toBe(before)
  })
})
