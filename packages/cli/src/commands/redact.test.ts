import { describe, expect, it } from 'vitest'
import { runCli } from '../spawn-cli.test-helper'

const log = [
  '2026-11-23T10:00:00Z user anna.mueller@corp.example paid with 4111 1111 1111 1111',
  '2026-11-23T10:00:01Z GET /api?token=abcdef0123456789abcdef Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
  '2026-11-23T10:00:02Z refund to DE89370400440532013000',
].join('\n')

describe('fieldkit redact', () => {
  it('redacts stdin to stdout and reports counts per kind on stderr', async () => {
    const { code, stdout, stderr } = await runCli(['redact', '--report'], { input: log })
    expect(code).toBe(0)
    for (const secret of [
      'anna.mueller@corp.example',
      '4111 1111 1111 1111',
      'abcdef0123456789abcdef',
      'DE89370400440532013000',
      'c2lnbmF0dXJl',
    ]) {
      expect(stdout).not.toContain(secret)
    }
    expect(stdout.split('\n')).toHaveLength(3)
    expect(stderr).toMatch(/^redacted \d+ value\(s\): /)
    expect(stderr).toContain('email 1')
  })

  it('hashes emails with the secret from the environment: the same input gives the same output', async () => {
    const env = { FIELDKIT_REDACT_SECRET: 'a-long-random-secret-for-tests' }
    const first = await runCli(['redact'], { input: 'a@corp.example\n', env })
    const second = await runCli(['redact'], { input: 'a@corp.example\n', env })
    expect(first.stdout).toBe(second.stdout)
    expect(first.stdout).not.toContain('a@corp.example')
  })

  it('reports as JSON with --json', async () => {
    const { stderr } = await runCli(['--json', 'redact', '--report'], { input: 'call +44 20 7946 0958\n' })
    expect(JSON.parse(stderr)).toMatchObject({ total: 1, byKind: { phone: 1 } })
  })
})
