import { bearerResource, chain, type MockServer, oauth2TokenEndpoint, rateLimited, serve } from '@fieldkit/mocks'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syncAccounts } from './sync-accounts'

// The client's CRM: OAuth 2.0 client credentials, a quota of 10 calls a second, injected 429 bursts and 5% 503s.
describe('CRM sync under a quota', () => {
  let crm: MockServer
  const tokens = oauth2TokenEndpoint({ path: '/oauth/token', clients: { sync: 'sync-secret' }, audience: 'crm' })
  const quota = rateLimited({
    path: '/crm',
    limit: 10,
    windowMs: 1_000,
    faults: { seed: 3, errorRate: 0.05, resetRate: 0, burst429: { every: 7, length: 1, retryAfterSeconds: 1 } },
  })
  const all = Array.from({ length: 120 }, (_, i) => ({
    id: `ACC-${i}`,
    name: `Account ${i}`,
    ownerEmail: `o${i % 9}@corp.example`,
    annualRevenue: i * 10,
  }))
  beforeAll(async () => {
    const listing = [
      http.get('*/crm/accounts', ({ request }) => {
        const from = Number(new URL(request.url).searchParams.get('cursor') ?? 0)
        const next = from + 20 < all.length ? String(from + 20) : null
        return HttpResponse.json({ data: all.slice(from, from + 20), meta: { next } })
      }),
    ]
    crm = await serve([
      ...tokens.handlers,
      ...chain(
        '/crm/accounts',
        bearerResource({ path: '/crm/accounts', tokenEndpoint: tokens }),
        quota.handlers,
        listing,
      ),
    ])
  })
  afterAll(() => crm.close())

  it('fetches every account with one token, staying under the quota and riding out 429s and 503s', async () => {
    const { accounts } = await syncAccounts({
      baseUrl: crm.url,
      tokenUrl: `${crm.url}/oauth/token`,
      clientId: 'sync',
      clientSecret: 'sync-secret',
      perSecond: 8,
    })
    expect(accounts.map((a) => a.id)).toEqual(all.map((a) => a.id))
    expect(tokens.stats().tokenRequests).toBe(1)
    expect(quota.stats().overQuota).toBe(0)
  })

  it('a wrong client secret is a typed error, not an empty list', async () => {
    const error = await syncAccounts({
      baseUrl: crm.url,
      tokenUrl: `${crm.url}/oauth/token`,
      clientId: 'sync',
      clientSecret: 'nope',
      perSecond: 8,
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: expect.stringMatching(/^FK_AUTH_/) })
  })
})
