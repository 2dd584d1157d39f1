import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { createRedactor, pinoRedaction } from './index'

function capture() {
  const lines: Record<string, unknown>[] = []
  const destination = { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) }
  return { lines, destination }
}

describe('pinoRedaction', () => {
  it('redacts key paths, values anywhere, the message and its format arguments', () => {
    const { lines, destination } = capture()
    const redactor = createRedactor({ keys: ['user.password', '**.token'] })
    const logger = pino({ ...pinoRedaction(redactor) }, destination)
    const input = { user: { email: 'ann@example.com', password: 'hunter2' }, nested: { a: { token: 't-1' } } }
    logger.info(input, 'signed in from %s with card 4111111111111111', '10.1.2.3')
    const line = lines[0] as Record<string, unknown>
    expect(line.user).toEqual({ email: '[EMAIL]', password: '[REDACTED]' })
    expect(line.nested).toEqual({ a: { token: '[REDACTED]' } })
    expect(line.msg).toBe('signed in from [IP] with card [CARD]')
    expect(input.user.password).toBe('hunter2')
  })

  it('redacts errors and their cause chains, logged alone or under err', () => {
    const { lines, destination } = capture()
    const logger = pino({ ...pinoRedaction(createRedactor()) }, destination)
    const err = new Error('charge failed for 4111 1111 1111 1111', {
      cause: new Error('upstream said: customer ann@example.com unknown'),
    })
    logger.error(err)
    logger.error({ err }, 'payment failed')
    for (const line of lines) {
      const text = JSON.stringify(line)
      expect(text).not.toContain('4111 1111')
      expect(text).not.toContain('ann@example.com')
      expect((line.err as { message: string }).message).toContain('charge failed for [CARD]')
    }
  })

  it('redacts live HTTP request and response logs: authorization and cookie headers, query tokens', async () => {
    const { lines, destination } = capture()
    const logger = pino({ ...pinoRedaction(createRedactor({ keys: ['res.headers["set-cookie"]'] })) }, destination)
    const server = createServer((req, res) => {
      res.setHeader('set-cookie', 'sid=abc123; HttpOnly')
      res.end('ok')
      logger.info({ req, res }, 'request completed')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      await new Promise<void>((resolve, reject) => {
        request(
          {
            host: '127.0.0.1',
            port,
            path: '/orders?access_token=abc123def&page=2',
            headers: {
              authorization: 'Bearer abcdefgh12345678',
              cookie: 'sid=abc123',
              'x-customer': 'ann@example.com',
            },
          },
          (res) => {
            res.resume()
            res.on('end', resolve)
          },
        )
          .on('error', reject)
          .end()
      })
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
    const line = lines.find((l) => l.msg === 'request completed') as {
      req: Record<string, unknown>
      res: Record<string, unknown>
    }
    const headers = line.req.headers as Record<string, string>
    expect(headers.authorization).toBe('[AUTHORIZATION]')
    expect(headers.cookie).toBe('[COOKIE]')
    expect(headers['x-customer']).toBe('[EMAIL]')
    expect(line.req.url).toBe('/orders?access_token=[SECRET]&page=2')
    expect((line.res.headers as Record<string, string>)['set-cookie']).toBe('[REDACTED]')
  })
})
