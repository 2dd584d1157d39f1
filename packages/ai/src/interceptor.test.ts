import { type ModelServer, startModelServer } from '@fieldkit/mocks'
import { createRedactor } from '@fieldkit/redact'
import { createGuard, definePolicy } from '@fieldkit/residency'
import { expectNoLeak, rejection } from '@fieldkit/testing'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditRecord } from './audit'
import { createModelGuard } from './guard'
import { EXPECTED_ECHO, PLANTED, PROMPT, SECRET } from './guard.test-helper'

let server: ModelServer
beforeAll(async () => {
  server = await startModelServer()
})
afterAll(() => server.close())

function agentFor(allow: string[]) {
  const records: AuditRecord[] = []
  // The loopback server is placed in the EU by name; a policy that allows only the US refuses it.
  const policy = definePolicy({
    dataClasses: { pii: allow },
    hosts: { '127.0.0.1': 'eu' },
    allowSpecial: ['127.0.0.1'],
  })
  const guard = createModelGuard({
    redactor: createRedactor({ deny: [PLANTED.name] }),
    residency: { guard: createGuard(policy), dataClass: 'pii' },
    audit: (r) => records.push(r),
  })
  return { agent: new Agent().compose(guard.interceptor()), records }
}

const body = (stream: boolean) => JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: PROMPT }] })

describe('guard.interceptor() on an undici dispatcher', () => {
  it('pseudonymises the request and restores a JSON answer', async () => {
    server.received.length = 0
    const { agent, records } = agentFor(['eu'])
    const res = await request(`${server.origin}/v1/chat/completions`, {
      method: 'POST',
      body: body(false),
      dispatcher: agent,
    })
    const answer = (await res.body.json()) as { choices: { message: { content: string } }[] }
    expect(answer.choices[0]?.message.content).toBe(EXPECTED_ECHO)
    expectNoLeak(
      [...Object.values(PLANTED), SECRET],
      server.received.map((r) => r.body),
    )
    expect(records[0]).toMatchObject({
      decision: 'allowed',
      region: 'eu',
      usage: { inputTokens: 20, outputTokens: 10 },
    })
  })

  it('restores a stream split into one-character events', async () => {
    server.chunkSize = 1
    const { agent, records } = agentFor(['eu'])
    const res = await request(`${server.origin}/v1/chat/completions`, {
      method: 'POST',
      body: body(true),
      dispatcher: agent,
    })
    let text = ''
    for (const block of (await res.body.text()).split('\n\n')) {
      if (block.startsWith('data: {')) text += JSON.parse(block.slice(6)).choices[0]?.delta?.content ?? ''
    }
    expect(text).toBe(EXPECTED_ECHO)
    expect(records[0]).toMatchObject({ stream: true, unrestored: 0 })
    server.chunkSize = 4
  })

  it('refuses a region the class may not reach, with nothing sent', async () => {
    server.received.length = 0
    const { agent, records } = agentFor(['us'])
    const error = await rejection(
      request(`${server.origin}/v1/chat/completions`, { method: 'POST', body: body(false), dispatcher: agent }),
    )
    expect(error.code).toBe('FK_AI_RESIDENCY_DENIED')
    expect(server.received).toHaveLength(0)
    expect(records[0]).toMatchObject({ decision: 'denied', error: 'FK_AI_RESIDENCY_DENIED' })
  })
})
