import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import type { AuthStrategy } from '@fieldkit/core'
import { type MockServer, serve } from '@fieldkit/mocks'
import { memoryLogger, rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { Agent, type Dispatcher } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'

const SECRET = 'hmac-shared-secret-value'
const PASSWORD = 'correct horse'

const sign = (method: string, path: string, nonce: string) =>
  createHmac('sha256', SECRET).update(`${method} ${path} ${nonce}`).digest('hex')

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

/** A signing strategy: a fresh nonce and an HMAC over method, path and nonce on every attempt. */
function hmacStrategy(): AuthStrategy & { applied: number } {
  return {
    scheme: 'HMAC',
    applied: 0,
    apply(request) {
      this.applied += 1
      const nonce = randomUUID()
      const path = `${request.url.pathname}${request.url.search}`
      request.headers.authorization = `HMAC nonce="${nonce}", signature="${sign(request.method, path, nonce)}"`
    },
  }
}

/** A session scheme: the server offers a session on 401; the strategy takes it and the request goes again. */
function sessionStrategy(password: string, closeSpy?: () => void): AuthStrategy {
  let session: string | undefined
  return {
    scheme: 'Session',
    apply(request) {
      if (session !== undefined) request.headers.authorization = `Session ${session}`
      request.headers['x-password'] = password
    },
    challenge(response) {
      const offer = response.headers['x-session-offer']
      // Nothing new learnt (the same session offered again) means the credentials themselves were refused.
      if (typeof offer !== 'string' || offer === session) return false
      session = offer
      return true
    },
    async close() {
      closeSpy?.()
    },
  }
}

describe('auth strategies', () => {
  let mock: MockServer
  const nonces = new Set<string>()
  let signedFailures = 0
  beforeAll(async () => {
    mock = await serve([
      http.get('*/signed', ({ request }) => {
        const match = /^HMAC nonce="([^"]+)", signature="([0-9a-f]+)"$/.exec(request.headers.get('authorization') ?? '')
        const url = new URL(request.url)
        if (
          match === null ||
          nonces.has(match[1] ?? '') ||
          !same(match[2] ?? '', sign('GET', `${url.pathname}${url.search}`, match[1] ?? ''))
        ) {
          return HttpResponse.json({ error: 'bad signature' }, { status: 401 })
        }
        nonces.add(match[1] ?? '')
        if (signedFailures > 0) {
          signedFailures -= 1
          return HttpResponse.json({ error: 'busy' }, { status: 503 })
        }
        return HttpResponse.json({ ok: true })
      }),
      http.get('*/session', ({ request }) => {
        if (!same(request.headers.get('x-password') ?? '', PASSWORD)) {
          return HttpResponse.json({ error: 'bad password' }, { status: 401, headers: { 'x-session-offer': 'sess-1' } })
        }
        if (request.headers.get('authorization') !== 'Session sess-1') {
          return HttpResponse.json({ error: 'log in' }, { status: 401, headers: { 'x-session-offer': 'sess-1' } })
        }
        return HttpResponse.json({ ok: true })
      }),
      // A portal: without the session cookie it redirects to its login page instead of answering 401.
      http.get('*/portal', ({ request }) =>
        request.headers.get('cookie') === 'portal=ok'
          ? HttpResponse.json({ ok: true })
          : new HttpResponse(null, { status: 302, headers: { location: '/login' } }),
      ),
    ])
  })
  afterAll(() => mock.close())

  it('treats an answer the strategy calls refused (a redirect to the login page) like a 401', async () => {
    let loggedIn = false
    const portal: AuthStrategy = {
      scheme: 'Portal',
      apply(request) {
        if (loggedIn) request.headers.cookie = 'portal=ok'
      },
      isRefused: (response) => response.status === 302 && response.headers.location === '/login',
      challenge() {
        loggedIn = true
        return true
      },
    }
    const client = createHttpClient({ baseUrl: mock.url, auth: portal })
    const res = await client.request('/portal')
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(2)
    await client.close()
  })

  it('still throws FK_AUTH_REJECTED with throwOnStatus: false: a refused credential is not a status to handle', async () => {
    const client = createHttpClient({ baseUrl: mock.url, auth: sessionStrategy('wrong password') })
    const error = await rejection(client.request({ path: '/session', throwOnStatus: false }))
    expect(error.code).toBe('FK_AUTH_REJECTED')
    await client.close()
  })

  it('re-applies the strategy on every attempt, so each retry carries a fresh nonce and signature', async () => {
    const auth = hmacStrategy()
    const client = createHttpClient({ baseUrl: mock.url, auth, retry: { minDelayMs: 1, maxDelayMs: 2, budget: false } })
    signedFailures = 2
    const res = await client.request({ path: '/signed', query: { q: 'x' } })
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(3)
    expect(auth.applied).toBe(3)
    await client.close()
  })

  it('answers a 401 challenge once, without spending a retry', async () => {
    const client = createHttpClient({ baseUrl: mock.url, auth: sessionStrategy(PASSWORD), retry: { retries: 0 } })
    const res = await client.request('/session')
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(2)
    await client.close()
  })

  it('throws FK_AUTH_REJECTED naming the scheme when the second answer is still 401, and logs no secret', async () => {
    const log = memoryLogger('debug')
    const closed: string[] = []
    const client = createHttpClient({
      baseUrl: mock.url,
      auth: sessionStrategy('wrong password', () => closed.push('auth')),
      logger: log.logger,
    })
    const before = mock.requests.length
    const error = await rejection(client.request('/session'))
    expect(error.code).toBe('FK_AUTH_REJECTED')
    expect(error.message).toContain('Session authentication')
    expect((error as unknown as { hint: string }).hint).toMatch(/user name, domain, password/)
    expect(mock.requests.length - before).toBe(2)
    expect(`${error.message} ${JSON.stringify(error)} ${log.raw()}`).not.toContain('wrong password')
    await client.close()
    expect(closed).toEqual(['auth'])
  })

  it('sends through the strategy’s own dispatcher when it has one', async () => {
    let dispatched = 0
    class CountingAgent extends Agent {
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        dispatched += 1
        return super.dispatch(options, handler)
      }
    }
    const dispatcher = new CountingAgent()
    const auth = { ...hmacStrategy(), dispatcher, close: () => dispatcher.close() }
    const client = createHttpClient({ baseUrl: mock.url, auth })
    expect((await client.request('/signed')).status).toBe(200)
    expect(dispatched).toBe(1)
    await client.close()
    expect(dispatcher.closed).toBe(true)
  })
})
