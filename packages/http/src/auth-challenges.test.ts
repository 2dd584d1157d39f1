import { digest } from '@fieldkit/auth'
import { AuthError, type AuthStrategy } from '@fieldkit/core'
import { digestAuth, type MockServer, serve } from '@fieldkit/mocks'
import { rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'

describe('issue 15 point 1: a stale nonce on the answer is answered again, bounded', () => {
  let mock: MockServer
  let clock = 1_000_000
  let ageNextAnswer = false
  beforeAll(async () => {
    mock = await serve([
      ...digestAuth({
        path: '/digest',
        users: { ann: 'pa55-word' },
        realm: 'erp',
        nonceTtlMs: 1_000,
        now: () => clock,
      }),
      // A server that answers every answer with a fresh challenge and stale=true: it never lets anyone in.
      http.get('*/always-stale', () =>
        HttpResponse.json(
          { error: 'stale' },
          {
            status: 401,
            headers: {
              'www-authenticate': `Digest realm="erp", qop="auth", nonce="${Math.random().toString(36).slice(2)}", stale=true`,
            },
          },
        ),
      ),
    ])
  })
  afterAll(() => mock.close())

  it('succeeds when the server answers the answer with 401 stale=true and a new nonce', async () => {
    const client = createHttpClient({
      baseUrl: mock.url,
      auth: digest({ username: 'ann', password: 'pa55-word' }),
      hooks: {
        // The nonce expires between the challenge and its answer (Apache's one-time nonces do the same).
        beforeRequest: [
          (request) => {
            if (ageNextAnswer && request.attempt === 2) clock += 5_000
          },
        ],
      },
    })
    ageNextAnswer = true
    const res = await client.request('/digest')
    ageNextAnswer = false
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(3) // the challenge, the stale answer, the answer with the new nonce
    await client.close()
  })

  it('stops a strategy that keeps asking after three answered challenges, with FK_AUTH_REJECTED naming them', async () => {
    const eager: AuthStrategy = { scheme: 'Eager', apply() {}, challenge: () => true }
    const client = createHttpClient({ baseUrl: mock.url, auth: eager })
    const before = mock.requests.length
    const error = await rejection(client.request('/always-stale'))
    await client.close()
    expect(error).toBeInstanceOf(AuthError)
    expect(error.code).toBe('FK_AUTH_REJECTED')
    expect(error.details?.challenges).toBe(3)
    expect(mock.requests.length - before).toBe(4)
    expect(error.message).toContain('after answering 3 challenges')
  })

  it('gives Digest no more than three answers against a server that is always stale', async () => {
    const client = createHttpClient({ baseUrl: mock.url, auth: digest({ username: 'ann', password: 'pa55-word' }) })
    const before = mock.requests.length
    const error = await rejection(client.request('/always-stale'))
    await client.close()
    expect(error.code).toBe('FK_AUTH_REJECTED')
    expect(mock.requests.length - before).toBeLessThanOrEqual(4)
  })
})

describe('issue 15: FK_AUTH_REJECTED names the real cause', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([http.get('*/refuse', () => HttpResponse.json({ error: 'no' }, { status: 401 }))])
  })
  afterAll(() => mock.close())

  it("uses the strategy's refusalHint and never says 'after answering its challenge' without a challenge", async () => {
    const seen: boolean[] = []
    const auth: AuthStrategy = {
      scheme: 'ApiKey',
      apply(request) {
        request.headers['x-api-key'] = 'the-api-key-value'
      },
      refusalHint(response, { challenged }) {
        seen.push(challenged)
        return `The API key was refused (${response.status}); check it in the portal`
      },
    }
    const client = createHttpClient({ baseUrl: mock.url, auth })
    const error = await rejection(client.request('/refuse'))
    await client.close()
    expect(error.code).toBe('FK_AUTH_REJECTED')
    expect(error.hint).toBe('The API key was refused (401); check it in the portal')
    expect(error.message).not.toContain('challenge')
    expect(seen).toEqual([false])
  })

  it('keeps the generic hint when the strategy has no refusalHint', async () => {
    const client = createHttpClient({ baseUrl: mock.url, auth: { scheme: 'X', apply() {} } })
    const error = await rejection(client.request('/refuse'))
    await client.close()
    expect(error.hint).toMatch(/check the user name/)
  })

  it("never retries an AuthError thrown by the strategy's own dispatcher (an mTLS refusal)", async () => {
    let dispatched = 0
    const dispatcher = new Agent().compose((dispatch) => (options, handler) => {
      dispatched += 1
      const refusal = new AuthError({
        code: 'FK_AUTH_CERT_INVALID',
        message: '[fieldkit/auth] the server refused the client certificate',
        hint: 'Check the client certificate',
      })
      queueMicrotask(() => handler.onResponseError?.(null as never, refusal))
      return true || dispatch(options, handler)
    })
    const auth: AuthStrategy = { scheme: 'mTLS', apply() {}, dispatcher }
    const client = createHttpClient({ baseUrl: mock.url, auth, retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 } })
    const error = await rejection(client.request('/refuse'))
    await client.close()
    expect(error).toBeInstanceOf(AuthError)
    expect(error.code).toBe('FK_AUTH_CERT_INVALID')
    expect(dispatched).toBe(1)
  })
})
