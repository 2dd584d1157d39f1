import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rejection } from '@fieldkit/testing'
import { describe, expect, it } from 'vitest'
import { runCli } from '../spawn-cli.test-helper'
import { inspectRequest } from './ai'

const EMAIL = 'ann.lee@example.com'
const NAME = 'Ann Lee'
const request = JSON.stringify({
  model: 'gpt-x',
  messages: [
    { role: 'system', content: 'You write HR summaries.' },
    { role: 'user', content: `Summarise ${NAME} (${EMAIL}); key sk_live_4eC39HqLyjWDarjtT1zdp7dc; again ${EMAIL}` },
  ],
})
const policy = {
  dataClasses: { pii: ['eu'], pseudonymised: ['eu'] },
  hosts: { 'model.eu.test': 'eu', 'model.us.test': 'us' },
  allowSpecial: ['127.0.0.1'],
}
const resolve = new Map([
  ['model.eu.test', ['127.0.0.1']],
  ['model.us.test', ['127.0.0.1']],
])

describe('fieldkit ai inspect', () => {
  it('shows the body with placeholders and the kinds found, without checking an endpoint when no policy is given', async () => {
    const report = await inspectRequest(request, {
      endpoint: 'https://model.eu.test/v1/chat/completions',
      deny: [NAME],
    })
    const content = (report.body as { messages: { content: string }[] }).messages[1]?.content
    expect(content).toBe('Summarise <DATA_1> (<EMAIL_1>); key [SECRET]; again <EMAIL_1>')
    expect(report.pseudonymised).toEqual({ email: 2, denied: 1 })
    expect(Object.values(report.secrets).reduce((a, b) => a + b, 0)).toBe(1)
    expect(report.decision).toBe('unchecked')
    expect(report.format).toMatch(/chat/)
  })

  it('says the EU endpoint may receive it and the US endpoint may not, under the policy', async () => {
    const base = { policy, resolve, deny: [NAME], pseudonymisedClass: 'pseudonymised' }
    const eu = await inspectRequest(request, { ...base, endpoint: 'https://model.eu.test/v1/chat/completions' })
    expect(eu).toMatchObject({ decision: 'allowed', dataClass: 'pseudonymised', region: 'eu' })
    const us = await inspectRequest(request, { ...base, endpoint: 'https://model.us.test/v1/chat/completions' })
    expect(us).toMatchObject({ decision: 'denied', region: 'us' })
    expect(us.reason).toContain('model.us.test')
    // What would have been sent is still shown, with placeholders.
    expect(JSON.stringify(us.body)).toContain('<EMAIL_1>')
    expect(JSON.stringify(us.body)).not.toContain(EMAIL)
  })

  it('refuses a body that is not the API’s JSON with a typed error', async () => {
    const error = await rejection(inspectRequest('not json', { endpoint: 'https://model.eu.test/v1/chat/completions' }))
    expect(error.code).toBe('FK_AI_INVALID_BODY')
    expect(error.message).not.toContain('not json')
  })

  it('prints JSON and exits 3 when the endpoint is refused, with no planted value in the output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldkit-ai-'))
    writeFileSync(join(dir, 'request.json'), request)
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy))
    const args = ['--json', 'ai', 'inspect', join(dir, 'request.json'), '--policy', join(dir, 'policy.json')]
    const flags = ['--resolve', 'model.us.test:127.0.0.1', '--deny', NAME]
    const { code, stdout, stderr } = await runCli([
      ...args,
      '--endpoint',
      'https://model.us.test/v1/chat/completions',
      ...flags,
    ])
    expect(stderr).toBe('')
    expect(code).toBe(3)
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({ decision: 'denied', region: 'us', pseudonymised: { email: 2, denied: 1 } })
    expect(stdout).not.toContain(EMAIL)
    expect(stdout).not.toContain(NAME)
    const human = await runCli(args.slice(1).concat(['--endpoint', 'https://model.us.test/v1/messages', ...flags]))
    expect(human.stdout).toContain('Would send to https://model.us.test/v1/messages')
    expect(human.stdout).toContain('Endpoint: refused')
  })
})
