// A small verifying OAuth 2.0 server for this package's tests, used until (and beside) the @fieldkit/mocks token
// endpoint: checks client secrets (Basic and post), private_key_jwt and JWT bearer assertions (signature, iss, sub,
// aud, exp), issues expiring tokens and rotates refresh tokens. Test-only; not exported from the package.

import type { KeyObject } from 'node:crypto'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { jwtVerify } from 'jose'
import { HttpResponse, http } from 'msw'

export interface TokenServerOptions {
  clients?: Record<string, string>
  /** Public keys of clients that authenticate with private_key_jwt. */
  clientKeys?: Record<string, KeyObject>
  /** JWT bearer: issuer → public key, with the subjects it may ask for. */
  jwtIssuers?: Record<string, { key: KeyObject; subjects?: string[]; audience?: string }>
  refreshTokens?: string[]
  expiresIn?: number
  /** Milliseconds the token endpoint waits before answering (to let requests pile up). */
  delayMs?: number
}

const equal = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export function tokenServer(options: TokenServerOptions = {}) {
  const state = {
    expiresIn: options.expiresIn ?? 3600,
    delayMs: options.delayMs ?? 0,
    tokens: new Map<string, number>(), // access token -> expiry (ms)
    refresh: new Set(options.refreshTokens ?? []),
    tokenRequests: 0,
    grants: [] as string[],
    /** When true the resource refuses every token (a revoked client). */
    refuseAll: false,
    lastAssertion: undefined as Record<string, unknown> | undefined,
    lastAssertionHeader: undefined as Record<string, unknown> | undefined,
  }
  const error = (status: number, code: string, description: string) =>
    HttpResponse.json({ error: code, error_description: description }, { status })

  const issue = (rotate: boolean) => {
    const accessToken = `at-${randomBytes(12).toString('hex')}`
    state.tokens.set(accessToken, Date.now() + state.expiresIn * 1000)
    const body: Record<string, unknown> = {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: state.expiresIn,
    }
    if (rotate) {
      const next = `rt-${randomBytes(12).toString('hex')}`
      state.refresh.add(next)
      body.refresh_token = next
    }
    return HttpResponse.json(body)
  }

  const tokenHandler = http.post('*/oauth2/token', async ({ request }) => {
    state.tokenRequests += 1
    const form = new URLSearchParams(await request.text())
    const grant = form.get('grant_type') ?? ''
    state.grants.push(grant)
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs))
    const tokenUrl = request.url
    // Client authentication, if any was sent.
    let client: string | undefined
    const basic = request.headers.get('authorization')
    if (basic?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(basic.slice(6), 'base64')
        .toString()
        .split(':')
        .map((p) => decodeURIComponent(p.replace(/\+/g, ' ')))
      const expected = options.clients?.[id ?? '']
      if (expected === undefined || !equal(secret ?? '', expected)) return error(401, 'invalid_client', 'bad client')
      client = id
    } else if (form.has('client_assertion')) {
      const id = form.get('client_id') ?? ''
      const key = options.clientKeys?.[id]
      if (key === undefined) return error(401, 'invalid_client', 'unknown client')
      try {
        await jwtVerify(form.get('client_assertion') ?? '', key, { issuer: id, subject: id, audience: tokenUrl })
      } catch {
        return error(401, 'invalid_client', 'bad client assertion')
      }
      client = id
    } else if (form.has('client_secret')) {
      const id = form.get('client_id') ?? ''
      const expected = options.clients?.[id]
      if (expected === undefined || !equal(form.get('client_secret') ?? '', expected))
        return error(401, 'invalid_client', 'bad client')
      client = id
    }
    if (grant === 'client_credentials') {
      if (client === undefined) return error(401, 'invalid_client', 'client authentication required')
      return issue(false)
    }
    if (grant === 'refresh_token') {
      const rt = form.get('refresh_token') ?? ''
      if (!state.refresh.has(rt)) return error(400, 'invalid_grant', 'refresh token unknown or already used')
      state.refresh.delete(rt) // rotation: each refresh token works once
      return issue(true)
    }
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const assertion = form.get('assertion') ?? ''
      const [headerPart, payloadPart] = assertion.split('.')
      let claims: Record<string, unknown>
      try {
        claims = JSON.parse(Buffer.from(payloadPart ?? '', 'base64url').toString())
        state.lastAssertionHeader = JSON.parse(Buffer.from(headerPart ?? '', 'base64url').toString())
      } catch {
        return error(400, 'invalid_grant', 'malformed assertion')
      }
      state.lastAssertion = claims
      const issuer = options.jwtIssuers?.[String(claims.iss)]
      if (issuer === undefined) return error(400, 'invalid_grant', 'unknown issuer')
      try {
        await jwtVerify(assertion, issuer.key, {
          issuer: String(claims.iss),
          audience: issuer.audience ?? tokenUrl,
          requiredClaims: ['exp', 'iat'],
        })
      } catch {
        return error(400, 'invalid_grant', 'assertion refused')
      }
      if (Number(claims.exp) - Math.floor(Date.now() / 1000) > 180)
        return error(400, 'invalid_grant', 'expiration too far in the future')
      if (issuer.subjects !== undefined && !issuer.subjects.includes(String(claims.sub)))
        return error(400, 'invalid_grant', 'user has not approved this consumer')
      return issue(false)
    }
    return error(400, 'unsupported_grant_type', `grant ${grant} is not supported`)
  })

  const resourceHandler = http.all('*/api/resource', ({ request }) => {
    const auth = request.headers.get('authorization') ?? ''
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : ''
    const expiry = state.tokens.get(token)
    if (state.refuseAll || expiry === undefined || expiry <= Date.now())
      return new HttpResponse(null, { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } })
    return HttpResponse.json({ ok: true })
  })

  return {
    state,
    handlers: [tokenHandler, resourceHandler],
    /** Forgets every access token issued so far (the API restarted, or revoked them). */
    revokeAccessTokens() {
      state.tokens.clear()
    },
  }
}
