// FK_AUTH_REJECTED says which scheme refused and what to check for it, from the strategy's refusalHint, and never
// holds a secret: NTLM the user and domain form sent, OAuth 1.0a the signature base string's parts.
import { serve } from '@fieldkit/mocks'
import { errorTexts, expectNoLeak, rejection } from '@fieldkit/testing'
import { describe, expect, it } from 'vitest'
import { ntlm } from './ntlm/ntlm'
import { oauth1 } from './oauth1'
import { ntlmServer, oauth1Server } from './test-servers.test-helper'
import { withAuth } from './with-auth'

describe('refusal hints', () => {
  it('NTLM names the user and the domain form that were sent, NTLMv1-only servers and Extended Protection', async () => {
    const server = await serve([
      ntlmServer({ path: '/ntlm', user: 'svc', domain: 'DOMAIN', password: 'Ntlm-Passw0rd' }),
    ])
    const auth = ntlm({ username: 'DOMAIN\\svc', password: 'Ntlm-Wr0ng-pass' })
    try {
      const error = await rejection(withAuth(auth)(`${server.url}/ntlm`))
      expect(error.code).toBe('FK_AUTH_REJECTED')
      expect(error.message).toContain('by NTLM authentication')
      for (const part of [
        'user "svc"',
        'domain "DOMAIN"',
        'sent as DOMAIN\\user',
        'user@dns.domain',
        'NTLMv1',
        'Extended Protection',
      ])
        expect(error.hint).toContain(part)
      expectNoLeak(['Ntlm-Wr0ng-pass'], errorTexts(error))
    } finally {
      await auth.close()
      await server.close()
    }
  })

  it('OAuth 1.0a names the method, the base string URI and the sorted parameter names, no value', async () => {
    const creds = {
      consumerKey: 'ck-1',
      consumerSecret: 'consumer-secret-1',
      token: 'tok-1',
      tokenSecret: 'token-secret-1',
    }
    const server = await serve([oauth1Server({ path: '/oauth', ...creds })])
    try {
      const error = await rejection(
        withAuth(oauth1({ ...creds, tokenSecret: 'token-secret-2' }))(`${server.url}/oauth?b=2&a=1&a=0`),
      )
      expect(error.code).toBe('FK_AUTH_REJECTED')
      expect(error.message).not.toContain('after answering')
      expect(error.hint).toContain(
        `method GET, URL ${server.url}/oauth, parameters (sorted) a, a, b, oauth_consumer_key`,
      )
      expectNoLeak(['token-secret-2', 'consumer-secret-1', 'tok-1'], errorTexts(error))
    } finally {
      await server.close()
    }
  })
})
