import { serve } from '@fieldkit/mocks'
import { authContractSuite } from './contract-suite'
import { digest } from './digest'
import { apiKey, basic, bearer } from './index'
import { digestServer, requireHeader, requireQuery } from './test-servers'

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
