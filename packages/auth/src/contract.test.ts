import { serve } from '@fieldkit/mocks'
import { authContractSuite } from './contract-suite.test-helper'
import { digest } from './digest'
import { apiKey, basic, bearer } from './index'
import { ntlm } from './ntlm/ntlm'
import { oauth1 } from './oauth1'
import { awsSigV4 } from './sigv4'
import {
  digestServer,
  ntlmServer,
  oauth1Server,
  requireHeader,
  requireQuery,
  sigv4Server,
} from './test-servers.test-helper'

authContractSuite('basic', async ({ logger: _logger }) => ({
  strategy: basic({ username: 'Aladdin', password: 'open sesame' }),
  server: await serve([requireHeader('/basic', 'authorization', 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')]),
  path: '/basic',
  secrets: ['open sesame'],
  wrong: basic({ username: 'Aladdin', password: 'closed sesame' }),
}))

authContractSuite('bearer', async () => ({
  strategy: bearer(async () => 'tok-1234567890'),
  server: await serve([requireHeader('/bearer', 'authorization', 'Bearer tok-1234567890', 'Bearer')]),
  path: '/bearer',
  secrets: ['tok-1234567890'],
  wrong: bearer('tok-wrong-0000'),
}))

authContractSuite('apiKey in a header', async () => ({
  strategy: apiKey({ in: 'header', name: 'X-Api-Key', value: 'key-abcdef123456' }),
  server: await serve([requireHeader('/key', 'x-api-key', 'key-abcdef123456', 'ApiKey')]),
  path: '/key',
  secrets: ['key-abcdef123456'],
  wrong: apiKey({ in: 'header', name: 'X-Api-Key', value: 'key-wrong' }),
}))

authContractSuite('apiKey in the query', async () => ({
  strategy: apiKey({ in: 'query', name: 'api_key', value: 'qkey-abcdef123456' }),
  server: await serve([requireQuery('/q', 'api_key', 'qkey-abcdef123456')]),
  path: '/q',
  secrets: ['qkey-abcdef123456'],
  wrong: apiKey({ in: 'query', name: 'api_key', value: 'qkey-wrong' }),
}))

authContractSuite('digest', async ({ logger }) => ({
  strategy: digest({ username: 'Mufasa', password: 'Circle of Life', logger }),
  server: await serve([
    digestServer({ path: '/digest', username: 'Mufasa', password: 'Circle of Life', algorithms: ['SHA-256'] }),
  ]),
  path: '/digest',
  secrets: ['Circle of Life'],
  wrong: digest({ username: 'Mufasa', password: 'Circle of Death' }),
}))

const oauthCreds = {
  consumerKey: 'ck-1',
  consumerSecret: 'consumer-secret-1',
  token: 'tok-1',
  tokenSecret: 'token-secret-1',
}
authContractSuite('oauth1 HMAC-SHA256', async () => ({
  strategy: oauth1({ ...oauthCreds, signatureMethod: 'HMAC-SHA256', realm: '1234567' }),
  server: await serve([oauth1Server({ path: '/oauth', ...oauthCreds })]),
  path: '/oauth?b=2&a=1&a=0',
  secrets: ['consumer-secret-1', 'token-secret-1'],
  wrong: oauth1({ ...oauthCreds, tokenSecret: 'token-secret-2' }),
}))

const awsCreds = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'eu-west-1',
  service: 'execute-api',
}
authContractSuite('awsSigV4', async () => ({
  strategy: awsSigV4({ ...awsCreds, sessionToken: 'session-token-123' }),
  server: await serve([sigv4Server({ path: '/aws', ...awsCreds })]),
  path: '/aws?z=1&a=2',
  secrets: [awsCreds.secretAccessKey, 'session-token-123'],
  wrong: awsSigV4({ ...awsCreds, secretAccessKey: 'not-the-key' }),
}))

authContractSuite('ntlm', async ({ logger }) => ({
  strategy: ntlm({ username: 'DOMAIN\\svc', password: 'Ntlm-Passw0rd', logger }),
  server: await serve([
    ntlmServer({ path: '/ntlm', user: 'svc', domain: 'DOMAIN', password: 'Ntlm-Passw0rd', timestamp: true }),
  ]),
  path: '/ntlm',
  secrets: ['Ntlm-Passw0rd'],
  wrong: ntlm({ username: 'DOMAIN\\svc', password: 'Ntlm-Wr0ng' }),
}))
