import { type ModelServer, startModelServer } from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type HrRecord, summariseHr } from './summarise-hr'

const records: HrRecord[] = [
  { name: 'Ann Lee', email: 'ann.lee@client.example', phone: '+44 20 7946 0958', note: 'back on 3 March' },
  { name: 'Piotr Nowak', email: 'p.nowak@client.example', phone: '+48 22 123 45 67', note: 'needs a laptop' },
]

// A stand-in model (@fieldkit/mocks): it records what it received and "summarises" with the first placeholders.
let model: ModelServer
let origin = ''
const received = () => model.received.map((r) => r.body)
beforeAll(async () => {
  model = await startModelServer({ answer: 'Summary: <DATA_1>, <EMAIL_1>, <PHONE_1> need follow-up.' })
  origin = model.origin
})
afterAll(() => model.close())

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
    for (const r of records) for (const v of [r.name, r.email, r.phone]) expect(received().join('\n')).not.toContain(v)
    expect(summary).toBe('Summary: Ann Lee, ann.lee@client.example, +44 20 7946 0958 need follow-up.')
    expect(audit[0]).toMatchObject({
      decision: 'allowed',
      region: 'eu',
      pseudonymised: { denied: 2, email: 2, phone: 2 },
    })
  })

  it('refuses the US endpoint before sending anything', async () => {
    const before = received().length
    // The OpenAI SDK wraps what its fetch throws in an APIConnectionError; the guard's typed error is its cause.
    await expect(summariseHr(records, options('us.models.test'))).rejects.toMatchObject({
      cause: { code: 'FK_AI_RESIDENCY_DENIED' },
    })
    expect(received().length).toBe(before)
  })
})
