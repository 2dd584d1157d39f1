import { createSecretScrubber, type Logger, type SecretScrubber } from '@fieldkit/core'
import { type Dispatcher, request } from 'undici'
import type { ClientAuthenticator } from './client-auth'
import { OAuth2Error } from './oauth2-error'

/** A successful token response, normalised (RFC 6749 section 5.1). */
export interface TokenResponse {
  accessToken: string
  tokenType: string
  /** Epoch milliseconds. */
  expiresAt: number
  refreshToken?: string
  scope?: string
}

/** What one strategy needs to call its token endpoint. */
export interface TokenEndpoint {
  url: URL
  client: ClientAuthenticator
  dispatcher: Dispatcher
  timeoutMs: number
  defaultExpiresInSeconds: number
  logger: Logger
  /** Values that must never appear in an error message (secrets, tokens sent in this request). */
  secrets(): readonly string[]
}

const MAX_DESCRIPTION = 200

/**
 * POSTs one token request (form-encoded, client authentication applied) with undici and returns the normalised
 * answer; every failure becomes an {@link OAuth2Error} with a code and a hint, and nothing secret in its message.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: not yet split (issue 20 point 8, open)
export async function requestToken(
  endpoint: TokenEndpoint,
  params: Record<string, string>,
  signal?: AbortSignal,
): Promise<TokenResponse> {
  const form = new URLSearchParams(params)
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  }
  await endpoint.client.apply(headers, form, endpoint.url.href)
  const grant = params.grant_type ?? 'unknown'
  const scrubber = sentSecrets(endpoint, headers, form)
  const where = `${endpoint.url.origin}${endpoint.url.pathname}`
  const timeout = AbortSignal.timeout(endpoint.timeoutMs)
  const started = performance.now()
  let status: number
  let text: string
  try {
    const response = await request(endpoint.url, {
      method: 'POST',
      headers,
      body: form.toString(),
      dispatcher: endpoint.dispatcher,
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    })
    status = response.statusCode
    text = await response.body.text()
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    const timedOut = timeout.aborted
    throw new OAuth2Error({
      code: 'FK_AUTH_TOKEN_ENDPOINT_UNREACHABLE',
      message: `[fieldkit/auth] POST ${where} (grant ${grant}) ${timedOut ? `timed out after ${endpoint.timeoutMs} ms` : `failed: ${(error as { code?: string }).code ?? (error as Error).message}`}`,
      hint: 'Check the tokenUrl, DNS and firewall rules from this host, and any proxy or client certificate the endpoint needs',
      cause: error,
      details: { tokenUrl: where, grant, timedOut },
    })
  }
  endpoint.logger.debug(
    { tokenUrl: where, grant, status, ms: Math.round(performance.now() - started) },
    'token request',
  )

  let body: Record<string, unknown> | undefined
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>
  } catch {
    body = undefined
  }

  if (status >= 200 && status < 300) {
    const accessToken = body?.access_token
    if (body === undefined || typeof accessToken !== 'string' || accessToken === '') {
      throw new OAuth2Error({
        code: 'FK_AUTH_TOKEN_RESPONSE',
        message: `[fieldkit/auth] POST ${where} (grant ${grant}) answered ${status} without an access_token in a JSON body`,
        hint: 'Check that tokenUrl is the token endpoint itself (not the authorize page or a login portal)',
        details: { tokenUrl: where, grant, status, fields: body === undefined ? null : Object.keys(body) },
      })
    }
    const expiresIn = Number(body.expires_in)
    const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : endpoint.defaultExpiresInSeconds
    const result: TokenResponse = {
      accessToken,
      tokenType: typeof body.token_type === 'string' && body.token_type !== '' ? body.token_type : 'Bearer',
      expiresAt: Date.now() + lifetime * 1000,
    }
    if (typeof body.refresh_token === 'string' && body.refresh_token !== '') result.refreshToken = body.refresh_token
    if (typeof body.scope === 'string') result.scope = body.scope
    return result
  }

  const error = typeof body?.error === 'string' ? body.error : undefined
  // Scrubbed before it is cut, so that a cut never leaves a secret's start behind.
  const description =
    typeof body?.error_description === 'string'
      ? scrubber.scrub(body.error_description).slice(0, MAX_DESCRIPTION)
      : undefined
  const said = `answered ${status}${error ? ` ${error}` : ''}${description ? `: ${description}` : ''}`
  const details = { tokenUrl: where, grant, status, error: error ?? null, clientAuth: endpoint.client.method }
  if (error === 'invalid_client') {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_CLIENT',
      message: `[fieldkit/auth] POST ${where} (grant ${grant}) ${said}`,
      hint: 'The server refused the client: check clientId, clientSecret (or clientKey) and clientAuth (client_secret_basic vs client_secret_post vs private_key_jwt)',
      details,
    })
  }
  if (error === 'invalid_grant' && grant === 'refresh_token') {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_GRANT',
      message: `[fieldkit/auth] POST ${where} (grant refresh_token) ${said}`,
      hint: 'The refresh token was rotated and lost, revoked or expired — check the tokenStore (file or Redis so it survives restarts and is shared by replicas), then issue a new refresh token',
      details,
    })
  }
  if (error === 'invalid_grant') {
    throw new OAuth2Error({
      code: 'FK_AUTH_INVALID_GRANT',
      message: `[fieldkit/auth] POST ${where} (grant ${grant}) ${said}`,
      hint: 'The server refused the grant: for a JWT bearer check iss, sub, aud, the clock and that the user has approved the app; for client credentials check the scope and audience',
      details,
    })
  }
  if (error !== undefined) {
    throw new OAuth2Error({
      code: 'FK_AUTH_TOKEN_REFUSED',
      message: `[fieldkit/auth] POST ${where} (grant ${grant}) ${said}`,
      hint: 'Check the scope, audience and grant type this client is allowed (unauthorized_client, invalid_scope, unsupported_grant_type)',
      details,
    })
  }
  throw new OAuth2Error({
    code: 'FK_AUTH_TOKEN_ENDPOINT',
    message: `[fieldkit/auth] POST ${where} (grant ${grant}) answered ${status} without an OAuth 2.0 error`,
    hint: 'Check that tokenUrl is the token endpoint and that the authorization server is up',
    details,
  })
}

/**
 * Every secret this token request carried, for core's scrubber: the strategy's own (client secret, refresh token),
 * the `Authorization` header as sent (Basic's base64 of `client_id:client_secret`, which endpoints echo in their
 * error_description) and the form's credential fields (client_secret, assertions, refresh and subject tokens).
 */
function sentSecrets(endpoint: TokenEndpoint, headers: Record<string, string>, form: URLSearchParams): SecretScrubber {
  const scrubber = createSecretScrubber(endpoint.secrets())
  scrubber.addHeader('authorization', headers.authorization)
  for (const name of ['client_secret', 'client_assertion', 'assertion', 'refresh_token', 'password', 'code']) {
    for (const value of form.getAll(name)) scrubber.add(value)
  }
  return scrubber
}
