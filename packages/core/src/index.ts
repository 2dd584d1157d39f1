export { AuthError, type AuthErrorCode } from './auth-error'
export type { AuthChallengeResponse, AuthRequest, AuthStrategy } from './auth-strategy'
export type { EgressDecision, EgressGuard } from './egress-guard'
export { type ErrorDetail, FieldkitError, type FieldkitErrorOptions, isFieldkitError, withoutInput } from './errors'
export { describeValue, expected } from './expected'
export { debugEnabled, type Logger, resolveLogger } from './logger'
export { type OptionalPeer, OptionalPeerError, type OptionalPeerErrorCode, requireOptionalPeer } from './optional-peer'
export type { TextRedactor } from './redactor'
export type { RedisInstance } from './redis-instance'
export { createSecretScrubber, REDACTED, type SecretScrubber } from './secret-scrubber'
export { abortReason, sleep } from './sleep'
export {
  isStandardSchema,
  type SchemaIssue,
  type StandardSchemaV1,
  validateStandard,
  validateStandardSync,
} from './standard-schema'
export { withTimeout } from './with-timeout'
