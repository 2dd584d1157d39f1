import { FieldkitError } from '@fieldkit/core'
import { type MockServer, serve } from '@fieldkit/mocks'
import { rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpClient } from './client'
import { fakeGuard } from './residency.test-helper'

/** What the target saw: method, body and the credential headers, per request. */
interface Seen {
  method: string
  body: string
  authorization: string | null
  cookie: string | null
  host: string | null
}

describe('redirects through the client', () => {
  let mock: MockServer
  const seen: Seen[] = []
  let other: string
  beforeAll(async () => {
    mock = await serve([
      http.all('*/go/:status', ({ params, request }) => {
        const to = new URL(request.url).searchParams.get('to') ?? '/target'
        return new HttpResponse(null, { status: Number(params.status), headers: { location: to } })
      }),
      http.all('*/target', async ({ request }) => {
        seen.push({
          method: request.method,
          body: await request.text(),
          authorization: request.headers.get('authorization'),
          cookie: request.headers.get('cookie'),
          host: request.headers.get('host'),
        })
        return HttpResponse.json({ ok: true })
      }),
      http.get('*/loop/a', () => new HttpResponse(null, { status: 302, headers: { location: '/loop/b' } })),
      http.get('*/loop/b', () => new HttpResponse(null, { status: 302, headers: { location: '/loop/a' } })),
      http.get('*/chain/:n', ({ params }) => {
        const n = Number(params.n)
        return new HttpResponse(null, { status: 302, headers: { location: `/chain/${n + 1}` } })
      }),
    ])
    other = `http://localhost:${mock.port}` // another origin on the same server
  })
  afterAll(() => mock.close())

  const last = () => seen[seen.length - 1] as Seen

  it.each([
    [301, 'GET', ''],
    [302, 'GET', ''],
    [303, 'GET', ''],
    [307, 'POST', '{"n":1}'],
    [308, 'POST', '{"n":1}'],
  ])(
    'follows %i: the POST arrives as %s with body %j, and response.url names the target',
    async (status, method, body) => {
      const client = createHttpClient({ baseUrl: mock.url })
      const res = await client.request({ method: 'POST', path: `/go/${status}`, json: { n: 1 }, idempotencyKey: true })
      await client.close()
      expect(res.status).toBe(200)
      expect(res.url).toBe(`${mock.url}/target`)
      expect(last().method).toBe(method)
      expect(last().body).toBe(body)
    },
  )

  it('drops Authorization and Cookie on a hop to another origin', async () => {
    const auth = {
      scheme: 'Bearer',
      apply(r: { headers: Record<string, string> }) {
        r.headers.authorization = 'Bearer tok-cross-1'
      },
    }
    const authed = createHttpClient({ baseUrl: mock.url, auth, headers: { cookie: 'sid=cookie-value-1' } })
    await authed.request(`/go/302?to=${encodeURIComponent(`${other}/target`)}`)
    expect(last()).toMatchObject({ authorization: null, cookie: null, host: `localhost:${mock.port}` })
    await authed.request('/go/302?to=/target') // same origin: kept
    expect(last()).toMatchObject({ authorization: 'Bearer tok-cross-1', cookie: 'sid=cookie-value-1' })
    await authed.close()
  })

  it('keeps them for an origin redirect.keepAuth names', async () => {
    const auth = {
      scheme: 'Bearer',
      apply(r: { headers: Record<string, string> }) {
        r.headers.authorization = 'Bearer tok-cross-2'
      },
    }
    const client = createHttpClient({ baseUrl: mock.url, auth, redirect: { keepAuth: [other] } })
    await client.request(`/go/307?to=${encodeURIComponent(`${other}/target`)}`)
    await client.close()
    expect(last().authorization).toBe('Bearer tok-cross-2')
  })

  it('stops a loop and a long chain with FK_HTTP_REDIRECT listing the hops', async () => {
    const client = createHttpClient({ baseUrl: mock.url, redirect: { max: 3 } })
    const loop = await rejection(client.request('/loop/a'))
    expect(loop.code).toBe('FK_HTTP_REDIRECT')
    expect(loop.details?.hops).toEqual([`${mock.url}/loop/a`, `${mock.url}/loop/b`, `${mock.url}/loop/a`])
    const long = await rejection(client.request('/chain/1'))
    expect(long.code).toBe('FK_HTTP_REDIRECT')
    expect(long.message).toContain('more than 3 hops')
    await client.close()
  })

  it('returns the 3xx as it is with redirect: false', async () => {
    const client = createHttpClient({ baseUrl: mock.url, redirect: false })
    const res = await client.request({ path: '/go/302', throwOnStatus: false })
    expect(res.status).toBe(302)
    expect((await rejection(client.request('/go/302'))).code).toBe('FK_HTTP_STATUS')
    await client.close()
  })

  it('checks every hop against the residency guard before it connects', async () => {
    const guard = fakeGuard()
    const client = createHttpClient({ baseUrl: mock.url, residency: { guard, dataClass: 'pii' } })
    const before = seen.length
    const error = await rejection(client.request(`/go/302?to=${encodeURIComponent(`${other}/target`)}`))
    await client.close()
    expect(error).toBeInstanceOf(FieldkitError)
    expect(error.code).toBe('FK_RESIDENCY_DENIED')
    expect(guard.connects).toContain('localhost')
    expect(seen.length).toBe(before) // the target never saw the request
  })
})
