import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resetConnection } from './actions'
import { chain } from './chain'
import { type MockServer, serve } from './serve'

describe('chain', () => {
  let mock: MockServer
  const seen: string[] = []
  beforeAll(async () => {
    const auth = [
      http.all('*/orders', ({ request }) => {
        seen.push('auth')
        return request.headers.get('authorization') === 'Bearer good'
          ? HttpResponse.json({ ok: true })
          : new HttpResponse(null, { status: 401, headers: { 'www-authenticate': 'Bearer' } })
      }),
    ]
    let calls = 0
    const quota = [
      http.all('*/orders', () => {
        seen.push('quota')
        calls += 1
        return calls % 3 === 0
          ? new HttpResponse(null, { status: 429, headers: { 'retry-after': '1' } })
          : HttpResponse.json({})
      }),
    ]
    const network = [
      http.all('*/orders', ({ request }) =>
        request.headers.get('x-break') ? resetConnection() : HttpResponse.json({}),
      ),
    ]
    const data = [
      http.post('*/orders', async ({ request }) => {
        seen.push('data')
        return HttpResponse.json({ created: await request.json() }, { status: 201 })
      }),
    ]
    mock = await serve(chain('/orders', auth, quota, network, data))
  })
  afterAll(() => mock.close())

  const post = (headers: Record<string, string>) =>
    fetch(`${mock.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{"id":"0042"}',
    })

  it('passes a request through every layer to the last, body intact', async () => {
    seen.length = 0
    const res = await post({ authorization: 'Bearer good' })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ created: { id: '0042' } })
    expect(seen).toEqual(['auth', 'quota', 'data'])
  })

  it('stops at the first refusal', async () => {
    seen.length = 0
    const res = await post({ authorization: 'Bearer bad' })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    expect(seen).toEqual(['auth'])
  })

  it('passes on a 429 from a middle layer', async () => {
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await post({ authorization: 'Bearer good' })).status)
    expect(statuses).toContain(429)
  })

  it('passes on a reset connection', async () => {
    await expect(post({ authorization: 'Bearer good', 'x-break': '1' })).rejects.toThrow()
  })

  it('answers 404 naming the layer with no handler for the request', async () => {
    const open = [http.all('*/things', () => HttpResponse.json({}))]
    const postOnly = [http.post('*/things', () => HttpResponse.json({ created: true }))]
    const small = await serve(chain('/things', open, postOnly))
    const res = await fetch(`${small.url}/things`)
    await small.close()
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({
      error: 'no mock handler in chain layer',
      layer: 1,
      method: 'GET',
      path: '/things',
    })
  })
})
