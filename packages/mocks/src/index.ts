export { closeMidBody, dripBody, MOCK_ACTION_HEADER, resetConnection } from './actions'
export { catalog, type Scenario } from './catalog'
export { seededRandom } from './random'
export { type RedisServer, redisAvailable, startRedisServer } from './redis'
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
