import { expectNoLeak, PLANTED, PLANTED_SECRETS, plantedHeaders } from '@fieldkit/testing'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { catalog } from './catalog'
import { type MockServer, serve } from './serve'

// Every scenario of the catalog, sent wrong credentials in every place a client puts them, answers without any of
// them: a mock that echoed what it received would make every leak test built on it prove nothing (only `echo`,
// which is not in the catalog, echoes on purpose). The user name is not a secret; everything else planted is.
const SECRETS = PLANTED_SECRETS.filter((secret) => secret !== PLANTED.user)
const SKIPPED = new Set(['flaky', 'slow']) // they read no credentials, and flaky resets connections on purpose

const pct = encodeURIComponent
const ATTEMPTS: { name: string; headers: Record<string, string>; body?: (path: string) => string | undefined }[] = [
  { name: 'Basic, cookie and API key', headers: plantedHeaders() },
  { name: 'Bearer', headers: { authorization: `Bearer ${PLANTED.bearer}` } },
  {
    name: 'OAuth 1.0a PLAINTEXT',
    headers: {
      authorization: `OAuth oauth_consumer_key="demo-consumer", oauth_token="demo-token", oauth_signature_method="PLAINTEXT", oauth_signature="${pct(`${PLANTED.password}&${PLANTED.bearer}`)}", oauth_timestamp="${Math.floor(Date.now() / 1000)}", oauth_nonce="n0nce-1", oauth_version="1.0"`,
    },
  },
  {
    name: 'form body with a password and a client secret',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: () =>
      `grant_type=client_credentials&client_id=demo-client&client_secret=${pct(PLANTED.apiKey)}&username=ana&password=${pct(PLANTED.password)}&refresh_token=${PLANTED.bearer}`,
  },
  {
    name: 'WS-Security UsernameToken with PasswordText',
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"GetEmployees"' },
    body: (path) => (path.includes('soap') ? usernameTokenEnvelope(PLANTED.password) : undefined),
  },
]

let mock: MockServer
beforeAll(async () => {
  mock = await serve(catalog.filter((s) => !SKIPPED.has(s.name)).flatMap((s) => s.handlers()))
})
afterAll(() => mock.close())

describe('no catalog scenario echoes a credential it was sent', () => {
  for (const scenario of catalog.filter((s) => !SKIPPED.has(s.name))) {
    it(`${scenario.name}: wrong credentials in headers, query, form and SOAP bodies come back in no status text, header or body`, async () => {
      for (const example of scenario.examples) {
        for (const attempt of ATTEMPTS) {
          const path = `${example.path}${example.path.includes('?') ? '&' : '?'}token=${PLANTED.queryToken}`
          const body = attempt.body?.(example.path)
          const method = body === undefined ? example.method : 'POST'
          const res = await fetch(`${mock.url}${path}`, { method, headers: attempt.headers, body })
          const answer = [res.statusText, ...[...res.headers].map(([k, v]) => `${k}: ${v}`), await res.text()]
          try {
            expectNoLeak(SECRETS, answer)
          } catch (error) {
            throw new Error(`${method} ${example.path} (${attempt.name}): ${(error as Error).message}`)
          }
        }
      }
    })
  }
})

function usernameTokenEnvelope(password: string): string {
  return `<?xml version="1.0"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
  <soap:Header><wsse:Security><wsse:UsernameToken><wsse:Username>hr-service</wsse:Username>
    <wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${password}</wsse:Password>
  </wsse:UsernameToken></wsse:Security></soap:Header>
  <soap:Body><GetEmployees xmlns="urn:fieldkit:employees"><departmentId>0042</departmentId></GetEmployees></soap:Body>
</soap:Envelope>`
}
