import type { RequestHandler } from 'msw'
import { basicAuth } from './auth/basic'
import { digestAuth } from './auth/digest'
import { ntlmAuth } from './auth/ntlm'
import { oauth1Provider } from './auth/oauth1'
import { sigv4Endpoint } from './auth/sigv4'
import { idempotencyCounter } from './http/idempotency'
import { paginated } from './http/paginated'
import { retryAfter } from './http/retry-after'
import { modelServer } from './model/server'
import { dailyQuota, rateLimited } from './rate-limit/rate-limited'
import { flaky } from './scenarios/flaky'
import { slow } from './scenarios/slow'
import { soapEmployees } from './soap/service'
import { loginPortal } from './tokens/login-portal'
import { bearerResource, oauth2TokenEndpoint } from './tokens/oauth2'

/** One endpoint family of the simulator, with the requests that show what it does. */
export interface Scenario {
  name: string
  description: string
  handlers(): RequestHandler[]
  /** Requests that exercise the scenario once (the demo and `fieldkit mock serve` print them). */
  examples: { method: string; path: string; note: string }[]
}

/**
 * Every scenario of the simulator, by name: what `fieldkit mock serve` serves and the demo walks through. Each
 * package adds the endpoints its tests need here.
 *
 * @example
 * ```ts
 * const mock = await serve(catalog.flatMap((scenario) => scenario.handlers()))
 * ```
 */
export const catalog: readonly Scenario[] = [
  {
    name: 'flaky',
    description: '20% 503 answers and 5% connection resets, in an order fixed by a seed',
    handlers: () => flaky(),
    examples: [{ method: 'GET', path: '/flaky', note: 'mostly 200, sometimes 503 or a reset connection' }],
  },
  {
    name: 'slow',
    description: 'headers after 200 ms, then the body dripped in 8 chunks 50 ms apart',
    handlers: () => slow({ headerDelayMs: 200 }),
    examples: [{ method: 'GET', path: '/slow', note: 'about 0.6 s from request to last byte' }],
  },
  {
    name: 'rate-limited',
    description: '20 requests per sliding second, then 429 with Retry-After; quota headers in three families',
    handlers: () => [...rateLimited({ limit: 20, windowMs: 1_000 }).handlers, ...dailyQuota({ limit: 100 })],
    examples: [
      { method: 'GET', path: '/rate-limited/x-ratelimit', note: 'X-RateLimit-Limit / -Remaining / -Reset' },
      { method: 'GET', path: '/rate-limited/ietf', note: 'RateLimit and RateLimit-Policy (IETF draft)' },
      { method: 'GET', path: '/rate-limited/sforce', note: 'Sforce-Limit-Info: api-usage=used/max' },
      { method: 'GET', path: '/daily-quota', note: '100 a day, then 429 with Retry-After: 3600' },
    ],
  },
  {
    name: 'retry-after',
    description:
      'first request answers 503/429 with Retry-After in seconds, as a date, or malformed; one always asks for an hour',
    handlers: () => retryAfter({ failures: 1, seconds: 1 }),
    examples: [
      { method: 'GET', path: '/retry-after/seconds', note: '503 with Retry-After: 1, then 200' },
      { method: 'GET', path: '/retry-after/date', note: '429 with Retry-After as an HTTP date, then 200' },
      { method: 'GET', path: '/retry-after/malformed', note: '503 with Retry-After: soon, then 200' },
      { method: 'GET', path: '/retry-after/hour', note: 'always 503 with Retry-After: 3600' },
    ],
  },
  {
    name: 'paginated',
    description: '25 items, 10 a page, in every pagination style, plus a listing that repeats its cursor',
    handlers: () => paginated({ items: 25, pageSize: 10 }),
    examples: [
      { method: 'GET', path: '/pages/link', note: 'Link: <…?page=2>; rel="next"' },
      { method: 'GET', path: '/pages/cursor', note: '{ data, meta: { next } }' },
      { method: 'GET', path: '/pages/next-url', note: '{ items, links: { next } }' },
      { method: 'GET', path: '/pages/offset?offset=0&limit=10', note: '{ data, total }' },
      { method: 'GET', path: '/pages/page?page=1', note: '{ data }, empty past the end' },
      { method: 'GET', path: '/pages/repeat-cursor', note: 'the same cursor forever' },
    ],
  },
  {
    name: 'idempotency',
    description: 'counts each Idempotency-Key it sees; the first sighting of each key answers 503',
    handlers: () => idempotencyCounter({ failFirst: 1 }).handlers,
    examples: [
      { method: 'POST', path: '/idempotent', note: 'send an Idempotency-Key: 503 the first time, 201 after' },
      { method: 'GET', path: '/idempotent/counts', note: 'how often each key was seen' },
    ],
  },
  {
    name: 'soap',
    description:
      'an employees SOAP service (1.1 and 1.2, WSDL at ?wsdl): faults with detail, WS-Security UsernameToken, mixed prefixes, one-vs-many, nils, a slow large answer, MTOM',
    handlers: () => soapEmployees(),
    examples: [
      { method: 'GET', path: '/soap/employees?wsdl', note: 'the WSDL, addresses pointing at this server' },
      {
        method: 'POST',
        path: '/soap/employees',
        note: 'SOAP 1.1 GetEmployees; departmentId 0042, 0001, 0000, 9999 (fault), large',
      },
      { method: 'POST', path: '/soap12/employees', note: 'the same over SOAP 1.2 (application/soap+xml)' },
      {
        method: 'POST',
        path: '/soap/secure/employees',
        note: 'needs a WS-Security UsernameToken (hr-service / correct horse)',
      },
    ],
  },
  {
    name: 'auth-challenge',
    description:
      'Basic, Digest (SHA-256, MD5) and NTLM servers that verify the password; demo / demo-password, Mufasa / Circle of Life, FIELDKIT\\demo / demo-password',
    handlers: () => [
      ...basicAuth({ path: '/auth/basic', users: { demo: 'demo-password' }, realm: 'fieldkit', charset: 'UTF-8' }),
      ...digestAuth({
        path: '/auth/digest',
        users: { Mufasa: 'Circle of Life' },
        realm: 'http-auth@example.org',
        algorithm: ['SHA-256', 'MD5'],
      }),
      ...ntlmAuth({ path: '/auth/ntlm', users: [{ username: 'demo', domain: 'FIELDKIT', password: 'demo-password' }] }),
    ],
    examples: [
      { method: 'GET', path: '/auth/basic', note: "curl --basic -u 'demo:demo-password'" },
      { method: 'GET', path: '/auth/digest', note: "curl --digest -u 'Mufasa:Circle of Life'" },
      { method: 'GET', path: '/auth/ntlm', note: "curl --ntlm -u 'FIELDKIT\\demo:demo-password'" },
    ],
  },
  {
    name: 'auth-signing',
    description:
      'OAuth 1.0a and AWS SigV4 endpoints that recompute the signature, with nonce, timestamp and clock-skew checks',
    handlers: () => [
      ...oauth1Provider({
        path: '/auth/oauth1',
        consumers: { 'demo-consumer': 'demo-consumer-secret' },
        tokens: { 'demo-token': 'demo-token-secret' },
      }),
      ...sigv4Endpoint({
        path: '/auth/sigv4',
        credentials: { AKIDFIELDKITDEMO: 'demo-secret' },
        region: 'us-east-1',
        service: 'execute-api',
      }),
    ],
    examples: [
      {
        method: 'GET',
        path: '/auth/oauth1',
        note: 'OAuth 1.0a HMAC-SHA1/SHA256/PLAINTEXT, consumer demo-consumer, token demo-token',
      },
      {
        method: 'GET',
        path: '/auth/sigv4',
        note: "curl --aws-sigv4 'aws:amz:us-east-1:execute-api' -u 'AKIDFIELDKITDEMO:demo-secret'",
      },
    ],
  },
  {
    name: 'oauth2',
    description:
      'a token endpoint (client_credentials, rotating refresh_token) and a resource accepting only its live tokens',
    handlers: () => {
      const tokens = oauth2TokenEndpoint({
        path: '/oauth2/token',
        clients: { 'demo-client': 'demo-secret' },
        audience: 'https://fieldkit.test/oauth2/token',
        accessTokenTtlSeconds: 300,
        rotateRefreshTokens: true,
        issueRefreshTokens: true,
      })
      return [...tokens.handlers, ...bearerResource({ path: '/oauth2/me', tokenEndpoint: tokens })]
    },
    examples: [
      { method: 'POST', path: '/oauth2/token', note: 'grant_type=client_credentials, Basic demo-client:demo-secret' },
      { method: 'GET', path: '/oauth2/me', note: 'Authorization: Bearer <access_token>' },
    ],
  },
  {
    name: 'login-portal',
    description: 'a form-login portal with a CSRF token and 10-minute sessions (ana / pa55)',
    handlers: () =>
      loginPortal({ users: { ana: 'pa55' }, sessionTtlMs: 600_000, csrf: true, prefix: '/portal' }).handlers,
    examples: [
      { method: 'GET', path: '/portal/login', note: 'the form, with csrf_token and the fk_csrf cookie' },
      {
        method: 'GET',
        path: '/portal/api/me',
        note: '401 without a session; /portal/app/* redirects, /portal/admin/* 403',
      },
    ],
  },
  {
    name: 'model',
    description:
      'a language model speaking OpenAI chat completions/responses and Anthropic messages (JSON and SSE, tool calls) that echoes the placeholders it receives; eu.model.test and us.model.test are region hosts',
    handlers: () =>
      modelServer({
        chunkSize: 4,
        firstTokenMs: 200,
        eventMs: 20,
        headers: { 'x-ratelimit-limit-tokens': '100000', 'x-ratelimit-remaining-tokens': '99970' },
        regions: { 'eu.model.test': 'eu', 'us.model.test': 'us' },
      }).handlers,
    examples: [
      {
        method: 'POST',
        path: '/v1/chat/completions',
        note: '{"model":"m","messages":[{"role":"user","content":"hi <EMAIL_1>"}]} echoes "Echo: hi <EMAIL_1>"; "stream":true for SSE',
      },
      { method: 'POST', path: '/v1/responses', note: 'OpenAI responses, JSON or SSE' },
      {
        method: 'POST',
        path: '/v1/messages',
        note: 'Anthropic messages, JSON or SSE; x-model-region names the host’s region',
      },
    ],
  },
]
