import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, it } from 'vitest'
import { createRedactor, type Finding } from './index'

class Customer {
  constructor(
    public name: string,
    public email: string,
  ) {}
  greet(): string {
    return `hello ${this.name}`
  }
}

describe('redactObject', () => {
  it('returns a redacted deep copy and never mutates the input', () => {
    const input = { user: { email: 'ann@example.com', tags: ['call +44 20 7946 0018'] }, n: 1 }
    const snapshot = structuredClone(input)
    const { value, findings } = createRedactor().redactObject(input)
    expect(input).toEqual(snapshot)
    expect(value).toEqual({ user: { email: '[EMAIL]', tags: ['call [PHONE]'] }, n: 1 })
    expect(findings.map((f) => [f.kind, f.path, f.offset])).toEqual([
      ['email', 'user.email', 0],
      ['phone', 'user.tags.0', 5],
    ])
  })

  it('replaces whole values under key paths with * and ** wildcards', () => {
    const r = createRedactor({ keys: ['password', 'req.headers.authorization', '*.token', '**.secret'] })
    const { value, findings } = r.redactObject({
      password: 'hunter2',
      req: { headers: { authorization: 'Basic x', accept: 'json' } },
      session: { token: 't1', id: 3 },
      deep: { a: { b: { secret: { nested: 1 } } } },
      secret: 's',
    })
    expect(value).toEqual({
      password: '[REDACTED]',
      req: { headers: { authorization: '[REDACTED]', accept: 'json' } },
      session: { token: '[REDACTED]', id: 3 },
      deep: { a: { b: { secret: '[REDACTED]' } } },
      secret: '[REDACTED]',
    })
    expect(findings.filter((f) => f.kind === 'key').map((f) => f.path)).toEqual([
      'password',
      'req.headers.authorization',
      'session.token',
      'deep.a.b.secret',
      'secret',
    ])
  })

  it('drops keys when the key action is drop', () => {
    const r = createRedactor({ keys: ['user.ssn'], actions: { key: 'drop' } })
    expect(r.redactObject({ user: { ssn: '078-05-1123', name: 'Ann' } }).value).toEqual({ user: { name: 'Ann' } })
  })

  it('keeps circular references circular and copies Dates, Maps, Sets, Buffers and class instances', () => {
    const when = new Date('2024-05-01T00:00:00Z')
    const circular: Record<string, unknown> = { email: 'ann@example.com', when }
    circular.self = circular
    const input = {
      circular,
      map: new Map([['contact', 'bob@example.com']]),
      set: new Set(['4111111111111111']),
      buf: Buffer.from('ssn 078-05-1123'),
      customer: new Customer('Ann', 'ann@example.com'),
      card: 4111111111111111,
    }
    const { value } = createRedactor().redactObject(input)
    const c = value.circular as Record<string, unknown>
    expect(c.self).toBe(c)
    expect(c.email).toBe('[EMAIL]')
    expect(c.when).toEqual(when)
    expect(c.when).not.toBe(when)
    expect(value.map.get('contact')).toBe('[EMAIL]')
    expect([...value.set]).toEqual(['[CARD]'])
    expect(value.buf.toString()).toBe('ssn [SSN]')
    expect(value.customer).toBeInstanceOf(Customer)
    expect(value.customer.greet()).toBe('hello Ann')
    expect(value.customer.email).toBe('[EMAIL]')
    expect(value.card).toBe('[CARD]')
    expect(input.buf.toString()).toBe('ssn 078-05-1123')
  })

  it('copies errors with message, stack and the cause chain redacted', () => {
    const root = new Error('lookup failed for ann@example.com')
    const err = new Error('sync failed for card 4111111111111111', { cause: root })
    const { value } = createRedactor().redactObject(err)
    expect(value).toBeInstanceOf(Error)
    expect(value.message).toBe('sync failed for card [CARD]')
    expect(value.stack).not.toContain('4111111111111111')
    expect((value.cause as Error).message).toBe('lookup failed for [EMAIL]')
    expect(err.message).toContain('4111111111111111')
  })
})

describe('redactStream', () => {
  async function run(chunks: (string | Buffer)[]): Promise<{ out: string; findings: Finding[] }> {
    const stream = createRedactor().redactStream()
    const findings: Finding[] = []
    stream.on('finding', (f: Finding) => findings.push(f))
    let out = ''
    await pipeline(
      Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))),
      stream,
      new Writable({
        write(chunk, _enc, cb) {
          out += chunk.toString()
          cb()
        },
      }),
    )
    return { out, findings }
  }

  it('finds a value split across chunks, even inside a UTF-8 character boundary', async () => {
    const text = 'Zoë paid with 4111 1111 1111 1111 today\nmail ann@example.com\n'
    const bytes = Buffer.from(text)
    const chunks: Buffer[] = []
    // 3-byte chunks: `ë` (2 bytes) is split, and so are the card and the email.
    for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.subarray(i, i + 3))
    const { out, findings } = await run(chunks)
    expect(out).toBe('Zoë paid with [CARD] today\nmail [EMAIL]\n')
    expect(findings.map((f) => f.kind)).toEqual(['card', 'email'])
  })

  it('holds a PEM private key until its END line and reports offsets into the whole input', async () => {
    const { out, findings } = await run([
      'a\n-----BEGIN PRIVATE KEY-----\nMIIB',
      'OgIBAAJBAKj34\n',
      '-----END PRIVATE KEY-----\nphone 415-555-0132\n',
    ])
    expect(out).toBe('a\n[PRIVATE_KEY]\nphone [PHONE]\n')
    expect(findings[0]?.offset).toBe(2)
  })

  it('releases text without line breaks in pieces and still joins values across the cut', async () => {
    const r = createRedactor()
    const stream = r.redactStream({ maxBuffer: 64, overlap: 32 })
    let out = ''
    stream.on('data', (d: Buffer | string) => {
      out += d.toString()
    })
    const long = `${'x'.repeat(60)} 4111 1111 1111 1111 ${'y'.repeat(60)} ann@example.com`
    for (let i = 0; i < long.length; i += 5) stream.write(long.slice(i, i + 5))
    stream.end()
    await new Promise((resolve) => stream.on('end', resolve))
    expect(out).toBe(`${'x'.repeat(60)} [CARD] ${'y'.repeat(60)} [EMAIL]`)
  })
})
