import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { catalog } from '../catalog'
import { type MockServer, serve } from '../serve'
import { curl } from './test-helpers'

describe('auth scenarios of the catalog', () => {
  let mock: MockServer
  beforeAll(async () => {
    const names = ['auth-challenge', 'auth-signing', 'oauth2', 'login-portal']
    mock = await serve(catalog.filter((s) => names.includes(s.name)).flatMap((s) => s.handlers()))
  })
  afterAll(() => mock.close())

  it.each([
    ['--basic', 'demo:demo-password', '/auth/basic'],
    ['--digest', 'Mufasa:Circle of Life', '/auth/digest'],
    ['--ntlm', 'FIELDKIT\\demo:demo-password', '/auth/ntlm'],
  ])(
    'curl %s with the documented demo credentials succeeds, and fails with a wrong password',
    async (flag, user, path) => {
      expect((await curl([flag, '-u', user, `${mock.url}${path}`])).status).toBe(200)
      expect((await curl([flag, '-u', `${user}x`, `${mock.url}${path}`])).status).toBe(401)
    },
  )

  it('curl --aws-sigv4 with the documented demo key succeeds', async () => {
    const res = await curl([
      '--aws-sigv4',
      'aws:amz:us-east-1:execute-api',
      '-u',
      'AKIDFIELDKITDEMO:demo-secret',
      `${mock.url}/auth/sigv4`,
    ])
    expect(res.status).toBe(200)
  })

  it('issues a demo client_credentials token accepted by /oauth2/me', async () => {
    const token = await curl([
      '-u',
      'demo-client:demo-secret',
      '-d',
      'grant_type=client_credentials',
      `${mock.url}/oauth2/token`,
    ])
    const { access_token } = JSON.parse(token.body) as { access_token: string }
    const me = await curl(['-H', `authorization: Bearer ${access_token}`, `${mock.url}/oauth2/me`])
    expect(JSON.parse(me.body)).toEqual({ ok: true, user: 'demo-client', client: 'demo-client' })
  })

  it('serves the portal login page', async () => {
    expect((await curl([`${mock.url}/portal/login`])).body).toContain('name="csrf_token"')
    expect((await curl([`${mock.url}/portal/api/me`])).status).toBe(401)
  })
})
