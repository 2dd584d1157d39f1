export { type ApiKeyOptions, apiKey, type BasicOptions, type BearerToken, basic, bearer } from './basic'
export { AuthError } from './errors'
export { type AuthedRequest, type AuthedRequestOptions, type WithAuthOptions, withAuth } from './with-auth'
