// MSW's handler builders (`http.get('*\/path', …)`, `HttpResponse.json(…)`), so code that writes its own handlers for
// serve() needs no msw dependency of its own: msw stays in @fieldkit/mocks (see msw's documentation for both).
export { HttpResponse, http } from 'msw'
export { closeMidBody, dripBody, MOCK_ACTION_HEADER, resetConnection } from './actions'
export { type BasicAuthOptions, basicAuth } from './auth/basic'
export { type DigestAlgorithm, type DigestAuthOptions, type DigestQop, digestAuth } from './auth/digest'
export { type NtlmAuthOptions, type NtlmUser, ntlmAuth } from './auth/ntlm'
export { type OAuth1ProviderOptions, type OAuth1SignatureMethod, oauth1Provider } from './auth/oauth1'
export { type SigV4EndpointOptions, type SigV4Secret, sigv4Endpoint } from './auth/sigv4'
export {
  type UsernameTokenEndpointOptions,
  type UsernameTokenResult,
  usernameTokenEndpoint,
  type VerifyUsernameTokenOptions,
  verifyUsernameToken,
} from './auth/username-token'
export { catalog, type Scenario } from './catalog'
export { chain } from './chain'
export { MockError, type MockErrorCode } from './errors'
export { type EchoOptions, type EchoPlace, echo } from './http/echo'
export {
  type IdempotencyCounter,
  type IdempotencyCounterOptions,
  idempotencyCounter,
} from './http/idempotency'
export { type PaginatedOptions, paginated } from './http/paginated'
export { type RetryAfterOptions, retryAfter } from './http/retry-after'
export {
  type ModelMangle,
  type ModelRequest,
  type ModelServer,
  type ModelServerMock,
  type ModelServerOptions,
  mangleText,
  modelServer,
  startModelServer,
} from './model/server'
export { seededRandom } from './random'
export {
  type DailyQuotaOptions,
  dailyQuota,
  type RateLimitedMock,
  type RateLimitedOptions,
  type RateLimitHeaderFamily,
  type RateLimitStats,
  rateLimited,
} from './rate-limit/rate-limited'
export {
  type RedisCluster,
  type RedisSentinelSet,
  type RedisServer,
  type RedisServerOptions,
  redisAvailable,
  startRedisCluster,
  startRedisSentinel,
  startRedisServer,
} from './redis'
export { type FlakyOptions, flaky } from './scenarios/flaky'
export { type SlowOptions, slow } from './scenarios/slow'
export {
  CLIENT_CERT_HEADER,
  CONNECTION_HEADER,
  type MockServer,
  type RecordedRequest,
  type ServeOptions,
  serve,
} from './serve'
export { EMPLOYEES_NS, employeesWsdl } from './soap/employees-wsdl'
export {
  employeeXml,
  payslipBytes,
  type SoapEmployeesOptions,
  type SoapMockFault,
  type SoapMockReply,
  type SoapMockRequest,
  soapEmployees,
} from './soap/service'
export {
  type CertificatePair,
  clientCertificateResource,
  createTestCertificates,
  type TestCertificateOptions,
  type TestCertificates,
} from './tokens/certificates'
export type { PublicKeyInput } from './tokens/jwt'
export { type LoginPortal, type LoginPortalOptions, type LoginPortalStats, loginPortal } from './tokens/login-portal'
export {
  type BearerResourceOptions,
  bearerResource,
  type OAuth2Stats,
  type OAuth2TokenEndpoint,
  type OAuth2TokenEndpointOptions,
  oauth2TokenEndpoint,
} from './tokens/oauth2'
