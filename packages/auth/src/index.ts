export { type ApiKeyOptions, apiKey, type BasicOptions, type BearerToken, basic, bearer } from './basic'
export { type Challenge, parseChallenges } from './challenge'
export { DIGEST_ALGORITHMS, type DigestOptions, digest } from './digest'
export { AuthError } from './errors'
export { CertificateError } from './mtls/certificate-error'
export { type CertificateInfo, type MtlsOptions, type MtlsStrategy, mtls } from './mtls/mtls'
export type { NtlmDispatcher } from './ntlm/dispatcher'
export { type NtlmOptions, type NtlmStrategy, ntlm } from './ntlm/ntlm'
export { OAUTH1_SIGNATURE_METHODS, type OAuth1Options, type OAuth1SignatureMethod, oauth1 } from './oauth1'
export type { ClientAuthMethod, ClientKeyOptions, ClientOptions } from './oauth2/client-auth'
export { type ClientCredentialsOptions, clientCredentials } from './oauth2/client-credentials'
export { type JwtBearerOptions, jwtBearer } from './oauth2/jwt-bearer'
export { OAuth2Error } from './oauth2/oauth2-error'
export { type RefreshTokenOptions, refreshToken } from './oauth2/refresh-token'
export type { JwtAlgorithm, PrivateKeyInput } from './oauth2/signing-key'
export type { OAuth2Strategy, TokenFlowOptions } from './oauth2/token-strategy'
export type { CsrfOptions } from './session/csrf'
export { SessionError } from './session/session-error'
export {
  type LoginRequestOptions,
  type LoginResponse,
  type SessionLoginOptions,
  type SessionStrategy,
  sessionLogin,
} from './session/session-login'
export { type AwsSigV4Options, awsSigV4, type SigV4Input, type SigV4Result, sigv4Sign } from './sigv4'
export { type FileTokenStoreOptions, fileTokenStore } from './token-store/file-token-store'
export { memoryTokenStore } from './token-store/memory-token-store'
export { type RedisLike, type RedisTokenStoreOptions, redisTokenStore } from './token-store/redis-token-store'
export type { StoredTokens, TokenStore } from './token-store/token-store'
export { type AuthedRequest, type AuthedRequestOptions, type WithAuthOptions, withAuth } from './with-auth'
export { type UsernameToken, type UsernameTokenOptions, wsSecurityUsernameToken } from './ws-security'
