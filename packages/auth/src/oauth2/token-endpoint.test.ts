// Token endpoints that echo what they received into error_description: the client's credentials, in whatever form
// they were sent, never reach FK_AUTH_TOKEN_REFUSED (issue 22, point 2).
import { type MockServer, serve } from '@fieldkit/mocks'
import { errorTexts, expectNoLeak, memoryLogger, rejection } from '@fieldkit/testing'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withAuth } from '../with-auth'
import { clientCredentials } from './client-credentials'

const CLIENT_ID = 'erp-sync-app'
const SECRET = 'SEcr3t/with+slash=and space'

describe('token endpoint errors that echo the credentials', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([
      // A debug-mode endpoint: quotes the Authorization header and the form it received.
      http.post('*/echo/token', async ({ request }) =>
        HttpResponse.json(
          {
            error: 'invalid_request',
            error_description: `${request.headers.get('authorization') ?? 'no header'} is malformed; form was ${await request.text()}`,
          },
          { status: 400 },
        ),
      ),
    ])
  })
  afterAll(() => mock.close())

  for (const clientAuth of ['client_secret_basic', 'client_secret_post'] as const) {
    it(`${clientAuth}: FK_AUTH_TOKEN_REFUSED holds neither the secret nor base64(client_id:client_secret)`, async () => {
      const log = memoryLogger()
      const auth = clientCredentials({
        tokenUrl: `${mock.url}/echo/token`,
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        clientAuth,
        logger: log.logger,
      })
      try {
        const error = await rejection(withAuth(auth)(`${mock.url}/api`))
        expect(error.code).toBe('FK_AUTH_TOKEN_REFUSED')
        expect(error.message).toContain('[REDACTED]')
        const sent = mock.requests.findLast((r) => r.path === '/echo/token')
        const basic = sent?.headers.authorization?.slice('Basic '.length)
        const planted = [SECRET, `${CLIENT_ID}:${SECRET}`, ...(basic ? [basic] : [])]
        // The form-encoded pair, as client_secret_basic sends it inside the base64 (RFC 6749 section 2.3.1).
        planted.push(`${CLIENT_ID}:${new URLSearchParams({ s: SECRET }).toString().slice(2)}`)
        expectNoLeak(planted, [...errorTexts(error), log.raw()])
      } finally {
        await auth.close()
      }
    })
  }
})
