import { isFieldkitError } from '@fieldkit/core'
import { type MockServer, serve } from '@fieldkit/mocks'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ntlmServer } from '../test-servers.test-helper'
import { withAuth } from '../with-auth'
import { ntlm } from './ntlm'

describe('ntlm over HTTP', () => {
  let server: MockServer
  const creds = { user: 'User', domain: 'Domain', password: 'Password' }
  beforeAll(async () => {
    server = await serve([
      ntlmServer({ path: '/ntlm', ...creds }),
      ntlmServer({ path: '/mic', ...creds, timestamp: true }),
      ntlmServer({ path: '/negotiate', ...creds, negotiateOnly: true, timestamp: true }),
    ])
  })
  afterAll(() => server.close())

  for (const [label, username, path] of [
    ['DOMAIN\\user', 'Domain\\User', '/ntlm'],
    ['user@domain', 'User@Domain', '/ntlm'],
    ['a MIC when the target info has a timestamp', 'Domain\\User', '/mic'],
    ['Negotiate-wrapped NTLM', 'Domain\\User', '/negotiate'],
  ] as const) {
    it(`authenticates with ${label}`, async () => {
      const auth = ntlm({ username, password: 'Password' })
      const res = await request(`${server.url}${path}`, { dispatcher: auth.dispatcher })
      expect(res.statusCode).toBe(200)
      await res.body.dump()
      await auth.close()
    })
  }

  it('runs the handshake on one connection, then reuses it without a new handshake', async () => {
    const auth = ntlm({ username: 'User', domain: 'Domain', password: 'Password', connections: 1 })
    const before = server.requests.length
    for (let i = 0; i < 3; i++) {
      const res = await request(`${server.url}/mic`, { dispatcher: auth.dispatcher })
      expect(res.statusCode).toBe(200)
      await res.body.dump()
    }
    const seen = server.requests.slice(before)
    expect(seen).toHaveLength(4)
    expect(new Set(seen.map((r) => r.connection)).size).toBe(1)
    expect(seen.slice(2).every((r) => r.headers.authorization === undefined)).toBe(true)
    await auth.close()
  })

  it('never interleaves requests inside a handshake under 50 concurrent requests', async () => {
    const auth = ntlm({ username: 'Domain\\User', password: 'Password', connections: 5 })
    const before = server.requests.length
    const codes = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await request(`${server.url}/mic?i=${i}`, { dispatcher: auth.dispatcher })
        await res.body.dump()
        return res.statusCode
      }),
    )
    expect(codes.every((c) => c === 200)).toBe(true)
    const seen = server.requests.slice(before)
    // 5 connections × (NEGOTIATE leg) + 50 requests, of which 5 carried the AUTHENTICATE message.
    expect(seen).toHaveLength(55)
    const byConnection = new Map<number, typeof seen>()
    for (const r of seen) byConnection.set(r.connection, [...(byConnection.get(r.connection) ?? []), r])
    expect(byConnection.size).toBe(5)
    for (const requests of byConnection.values()) {
      const kinds = requests.map((r) => {
        const token = Buffer.from((r.headers.authorization ?? 'x ').split(' ')[1] ?? '', 'base64')
        return token.length > 12 ? token.readUInt32LE(8) : 0
      })
      expect(kinds.slice(0, 2)).toEqual([1, 3])
      expect(kinds.slice(2).every((k) => k === 0)).toBe(true)
    }
    await auth.close()
  })

  it('POSTs the body once, on the AUTHENTICATE leg', async () => {
    const auth = ntlm({ username: 'Domain\\User', password: 'Password' })
    const before = server.requests.length
    const res = await request(`${server.url}/ntlm`, { method: 'POST', body: 'payload', dispatcher: auth.dispatcher })
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    expect(server.requests.slice(before).map((r) => r.body)).toEqual(['', 'payload'])
    await auth.close()
  })

  it('is refused with FK_AUTH_REJECTED with a wrong password, without leaking it', async () => {
    const auth = ntlm({ username: 'Domain\\User', password: 'Wrong-Password' })
    const error = await withAuth(auth)(`${server.url}/ntlm`).catch((e: unknown) => e)
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_REJECTED')
    expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain('Wrong-Password')
    await auth.close()
  })

  it('refuses a domain that contradicts the one in the user name', () => {
    expect(() => ntlm({ username: 'A\\u', domain: 'B', password: 'p' })).toThrow(/domain/)
  })
})
