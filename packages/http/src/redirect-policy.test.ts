import { describe, expect, it } from 'vitest'
import { decideRedirect, type Hop, resolveRedirect } from './redirect-policy'

const defaults = resolveRedirect({}) as NonNullable<ReturnType<typeof resolveRedirect>>
const post: Hop = {
  method: 'POST',
  url: 'https://erp.example/orders',
  headers: {
    authorization: 'Bearer t0ken-value',
    cookie: 'sid=abc1234',
    'content-type': 'application/json',
    accept: 'application/json',
  },
  body: 'replayable',
}

describe('decideRedirect (RFC 9110 section 15.4)', () => {
  it.each([
    [301, 'GET', undefined],
    [302, 'GET', undefined],
    [303, 'GET', undefined],
    [307, 'POST', 'replayable'],
    [308, 'POST', 'replayable'],
  ] as const)('%i turns a POST into %s', (status, method, body) => {
    const d = decideRedirect(post, status, '/orders/42', [post.url], defaults)
    if (!d.follow) throw new Error('not followed')
    expect(d.next.method).toBe(method)
    expect(d.next.body).toBe(body)
    expect(d.next.url).toBe('https://erp.example/orders/42')
    expect(d.next.headers['content-type']).toBe(method === 'GET' ? undefined : 'application/json')
    expect(d.next.headers.authorization).toBe('Bearer t0ken-value') // same origin keeps credentials
  })

  it('303 turns a PUT into a GET; 301 keeps a PUT', () => {
    const put = { ...post, method: 'PUT' }
    expect(decideRedirect(put, 303, '/x', [put.url], defaults)).toMatchObject({ next: { method: 'GET' } })
    expect(decideRedirect(put, 301, '/x', [put.url], defaults)).toMatchObject({ next: { method: 'PUT' } })
  })

  it('does not follow 300, 304, or a 3xx without Location', () => {
    expect(decideRedirect(post, 300, '/x', [post.url], defaults).follow).toBe(false)
    expect(decideRedirect(post, 304, '/x', [post.url], defaults).follow).toBe(false)
    expect(decideRedirect(post, 302, undefined, [post.url], defaults).follow).toBe(false)
  })

  it('drops Authorization, Cookie and Proxy-Authorization on a hop to another origin', () => {
    const d = decideRedirect(post, 307, 'https://files.example/blob', [post.url], defaults)
    if (!d.follow) throw new Error('not followed')
    expect(d.dropAuth).toBe(true)
    expect(d.next.headers).toEqual({ 'content-type': 'application/json', accept: 'application/json' })
  })

  it('keeps them for an origin keepAuth names', () => {
    const keep = resolveRedirect({ keepAuth: ['https://files.example'] }) as typeof defaults
    const d = decideRedirect(post, 307, 'https://files.example/blob', [post.url], keep)
    expect(d).toMatchObject({
      follow: true,
      dropAuth: false,
      next: { headers: { authorization: 'Bearer t0ken-value' } },
    })
  })

  it('refuses https → http unless allowed', () => {
    expect(() => decideRedirect(post, 302, 'http://erp.example/x', [post.url], defaults)).toThrow(
      expect.objectContaining({ code: 'FK_HTTP_REDIRECT' }),
    )
    const allow = resolveRedirect({ allowDowngrade: true }) as typeof defaults
    expect(decideRedirect(post, 302, 'http://erp.example/x', [post.url], allow).follow).toBe(true)
  })

  it('refuses a loop, more than max hops, and a non-http Location', () => {
    const get = { ...post, method: 'GET', body: undefined, url: 'https://erp.example/b' }
    expect(() => decideRedirect(get, 302, '/a', ['https://erp.example/a', get.url], defaults)).toThrow(/loops/)
    const chain = ['1', '2', '3', '4', '5', '6'].map((n) => `https://erp.example/${n}`)
    expect(() => decideRedirect(get, 302, '/7', chain, defaults)).toThrow(/more than 5 hops/)
    expect(() => decideRedirect(get, 302, 'file:///etc/passwd', [get.url], defaults)).toThrow(/file: URL/)
  })

  it('refuses to resend a stream body on 307/308 with FK_HTTP_BODY_NOT_REPLAYABLE, and drops it on 303', () => {
    const stream: Hop = { ...post, body: 'stream' }
    expect(() => decideRedirect(stream, 307, '/x', [stream.url], defaults)).toThrow(
      expect.objectContaining({ code: 'FK_HTTP_BODY_NOT_REPLAYABLE' }),
    )
    expect(decideRedirect(stream, 303, '/x', [stream.url], defaults)).toMatchObject({ dropBody: true })
  })

  it.each([
    [{ max: -1 }, 'Expected `redirect.max` to be a non-negative integer, got -1'],
    [{ keepAuth: ['ftp://x'] }, 'Expected `redirect.keepAuth[]` to be an http(s) origin, got "ftp://x"'],
    [[], 'Expected `redirect` to be an object or false, got an array of 0'],
  ])('validates %j', (options, message) => {
    expect(() => resolveRedirect(options as never)).toThrow(message)
  })
})
