import { generateKeyPairSync } from 'node:crypto'
import { type MockServer, serve } from '@fieldkit/mocks'
import { afterAll } from 'vitest'
import { authContractSuite } from '../contract-suite'
import { clientCredentials } from './client-credentials'
import { jwtBearer } from './jwt-bearer'
import { refreshToken } from './refresh-token'
import { tokenServer } from './token-server.test-helper'

const SECRET = 'cs-contract-secret-31'
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })

// "Wrong" credentials for a token flow: a token from another authorization server, which the API refuses even after
// the one refresh the strategy tries, so the request ends in FK_AUTH_REJECTED.
const elsewhere: MockServer[] = []
afterAll(async () => {
  for (const m of elsewhere) await m.close()
})
async function foreignTokenUrl(): Promise<string> {
  const other = await serve(
    tokenServer({
      clients: { app: SECRET },
      refreshTokens: ['rt-foreign-1'],
      jwtIssuers: { 'svc@example': { key: rsa.publicKey } },
    }).handlers,
  )
  elsewhere.push(other)
  return `${other.url}/oauth2/token`
}

authContractSuite('clientCredentials', async ({ logger }) => {
  const server = await serve(tokenServer({ clients: { app: SECRET } }).handlers)
  const tokenUrl = `${server.url}/oauth2/token`
  return {
    strategy: clientCredentials({ tokenUrl, clientId: 'app', clientSecret: SECRET, logger }),
    server,
    path: '/api/resource',
    secrets: [SECRET],
    wrong: clientCredentials({ tokenUrl: await foreignTokenUrl(), clientId: 'app', clientSecret: SECRET, logger }),
  }
})

authContractSuite('refreshToken', async ({ logger }) => {
  const server = await serve(tokenServer({ clients: { app: SECRET }, refreshTokens: ['rt-contract-0001'] }).handlers)
  const tokenUrl = `${server.url}/oauth2/token`
  return {
    strategy: refreshToken({
      tokenUrl,
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: 'rt-contract-0001',
      logger,
    }),
    server,
    path: '/api/resource',
    secrets: [SECRET, 'rt-contract-0001'],
    wrong: refreshToken({
      tokenUrl: await foreignTokenUrl(),
      clientId: 'app',
      clientSecret: SECRET,
      refreshToken: 'rt-foreign-1',
    }),
  }
})

authContractSuite('jwtBearer', async ({ logger }) => {
  const server = await serve(tokenServer({ jwtIssuers: { 'svc@example': { key: rsa.publicKey } } }).handlers)
  const tokenUrl = `${server.url}/oauth2/token`
  const privateKey = String(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }))
  return {
    strategy: jwtBearer({ tokenUrl, issuer: 'svc@example', privateKey, logger }),
    server,
    path: '/api/resource',
    secrets: [privateKey.split('\n')[1] as string],
    wrong: jwtBearer({ tokenUrl: await foreignTokenUrl(), issuer: 'svc@example', privateKey }),
  }
})
