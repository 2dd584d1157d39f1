export { closeMidBody, dripBody, MOCK_ACTION_HEADER, resetConnection } from './actions'
export { catalog, type Scenario } from './catalog'
export { chain } from './chain'
export {
  type IdempotencyCounter,
  type IdempotencyCounterOptions,
  idempotencyCounter,
} from './http/idempotency'
export { type PaginatedOptions, paginated } from './http/paginated'
export { type RetryAfterOptions, retryAfter } from './http/retry-after'
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
export { type RedisServer, redisAvailable, startRedisServer } from './redis'
export { type FlakyOptions, flaky } from './scenarios/flaky'
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
  checkUsernameToken,
  type UsernameTokenCheckOptions,
  type UsernameTokenFailure,
} from './soap/username-token'
export { type SlowOptions, slow } from './scenarios/slow'
export {
  CLIENT_CERT_HEADER,
  CONNECTION_HEADER,
  type MockServer,
  type RecordedRequest,
  type ServeOptions,
  serve,
} from './serve'
