import { isFieldkitError } from '@fieldkit/core'
import { describe, expect, it } from 'vitest'
import { apiKey, basic, bearer } from './basic'
import { vector } from './vectors.test-helper'

type Inputs = Record<string, string>
const req = () => ({ method: 'GET', url: new URL('https://api.example/x?a=1'), headers: {} as Record<string, string> })

describe('basic vectors', () => {
  it('RFC 7617 section 2: Aladdin / open sesame', async () => {
    const v = vector('basic-rfc7617-aladdin')
    const r = req()
    await basic(v.inputs as { username: string; password: string }).apply(r)
    expect(r.headers.authorization).toBe(v.expected.authorization)
  })

  it('RFC 7617 section 2.1: charset="UTF-8" (and the Latin-1 form for old servers)', async () => {
    const v = vector('basic-rfc7617-utf8-charset')
    const i = v.inputs as Inputs
    const r = req()
    await basic({ username: i.username as string, password: i.password as string }).apply(r)
    expect(r.headers.authorization).toBe(v.expected.authorization)
    await basic({ username: i.username as string, password: i.password as string, charset: 'latin1' }).apply(r)
    expect(r.headers.authorization).toBe('Basic dGVzdDoxMjOj')
  })

  it('RFC 6749 section 2.3.1: client_secret_basic example', async () => {
    const v = vector('oauth2-client-secret-basic-rfc6749')
    const i = v.inputs as Inputs
    const r = req()
    await basic({ username: i.client_id as string, password: i.client_secret as string }).apply(r)
    expect(r.headers.authorization).toBe(v.expected.authorization)
  })
})

describe('basic, bearer and apiKey options', () => {
  it('names the bad option without echoing a secret', () => {
    const error = (() => {
      try {
        basic({ username: 'a:b', password: 'secret-value' })
      } catch (e) {
        return e
      }
    })()
    expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_INVALID_OPTIONS')
    expect(JSON.stringify(error)).not.toContain('secret-value')
    expect(() => basic({ username: 'u', password: 'p', charset: 'utf-16' as never })).toThrow(/charset/)
    expect(() => apiKey({ in: 'body' as never, name: 'k', value: 'v' })).toThrow(/`in`/)
    expect(() => bearer('')).toThrow(/token/)
  })

  it('bearer calls the token function before every attempt', async () => {
    let n = 0
    const auth = bearer(() => `t${++n}`)
    const r = req()
    await auth.apply(r)
    await auth.apply(r)
    expect(r.headers.authorization).toBe('Bearer t2')
  })

  it('apiKey goes into the query or a cookie, replacing its previous value', async () => {
    const q = req()
    await apiKey({ in: 'query', name: 'api_key', value: 'k1' }).apply(q)
    expect(q.url.search).toBe('?a=1&api_key=k1')
    const c = req()
    c.headers.cookie = 'theme=dark; key=old'
    const cookie = apiKey({ in: 'cookie', name: 'key', value: 'k2' })
    await cookie.apply(c)
    await cookie.apply(c)
    expect(c.headers.cookie).toBe('theme=dark; key=k2')
  })
})
