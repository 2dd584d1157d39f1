import type { KeyObject } from 'node:crypto'
import { randomBytes } from 'node:crypto'
import { HttpResponse, http, type RequestHandler } from 'msw'
import { checkPath, checkSecrets, invalidOption, parseAuthorization, safeEqual, trim } from '../auth/params'
import { decodeJwt, JWT_ALGORITHMS, type JwtClaims, type PublicKeyInput, toPublicKey, verifyJwtSignature } from './jwt'

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const JWT_CLIENT_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** Options of {@link oauth2TokenEndpoint}. */
export interface OAuth2TokenEndpointOptions {
  /** Path of the token endpoint (POST), e.g. `/oauth2/token`. */
  path: string
  /** Client id → client secret, for `client_secret_basic` and `client_secret_post`. */
  clients: Record<string, string>
  /** Public clients (RFC 6749 section 2.1): may send only `client_id`, without authenticating. Default none. */
  publicClients?: string[]
  /** Client id → public key (PEM or JWK) for `private_key_jwt` client authentication (RFC 7523 section 2.2). */
  clientKeys?: Record<string, PublicKeyInput>
  /** Issuer (`iss`) → public key (PEM or JWK) for the JWT bearer grant (RFC 7523 section 2.1). */
  jwtIssuers?: Record<string, PublicKeyInput>
  /** Required `aud` of JWT assertions (e.g. `https://login.salesforce.com`); the endpoint URL is accepted too for client assertions. */
  audience: string
  /** Lifetime of issued access tokens. Default 3600. */
  accessTokenTtlSeconds?: number
  /** Issue a new refresh token on each refresh and refuse the old one afterwards (reuse revokes the family). Default true. */
  rotateRefreshTokens?: boolean
  /** Refresh tokens that exist from the start: token → client id. */
  refreshTokens?: Record<string, string>
  /** Also issue a refresh token with `client_credentials` (many providers do not). Default false. */
  issueRefreshTokens?: boolean
  /** Latest `exp` accepted in a JWT assertion, in seconds ahead of now. Default 180 (Salesforce refuses more than 3 minutes). */
  maxAssertionLifetimeSeconds?: number
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number
}

/** Counters of a token endpoint and the resources that check its tokens. */
export interface OAuth2Stats {
  /** Every POST that reached the token endpoint. */
  tokenRequests: number
  /** Token requests answered 200, by grant type. */
  issued: Record<string, number>
  /** Token requests refused (400 or 401). */
  refused: number
  /** Requests that reached a {@link bearerResource} of this endpoint. */
  resourceRequests: number
  /** Of those, the ones refused with 401. */
  resourceRefused: number
}

/** What {@link oauth2TokenEndpoint} returns: handlers to serve, counters and test controls. */
export interface OAuth2TokenEndpoint {
  handlers: RequestHandler[]
  stats(): OAuth2Stats
  /** Creates a refresh token for a client (and subject), as an authorisation-code flow would have. */
  issueRefreshToken(clientId: string, subject?: string): string
  /** Makes every access token issued so far expire now (a 401 on the next resource request). */
  expireAccessTokens(): void
  /** The client and subject of a live access token, or undefined. */
  introspect(accessToken: string): { clientId: string; subject: string; scope?: string } | undefined
}

interface RefreshState {
  clientId: string
  subject: string
  family: string
  used: boolean
}

class OAuthError extends Error {
  override name = 'OAuthError'
  constructor(
    readonly status: 400 | 401,
    readonly error: string,
    description: string,
    readonly basic = false,
  ) {
    super(description)
  }
}

function formBody(text: string): Map<string, string> | undefined {
  const params = new Map<string, string>()
  for (const part of text.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    let name: string
    let value: string
    try {
      name = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '))
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '))
    } catch {
      return undefined
    }
    if (params.has(name)) return undefined
    params.set(name, value)
  }
  return params
}

const keysOf = (where: string, record: Record<string, PublicKeyInput> | undefined) => {
  const keys = new Map<string, KeyObject>()
  for (const [name, input] of Object.entries(record ?? {})) {
    const key = toPublicKey(input)
    if (key === undefined)
      invalidOption(`oauth2TokenEndpoint \`${where}["${name}"]\``, 'a public key as PEM or JWK', 'something else')
    keys.set(name, key)
  }
  return keys
}

/**
 * An OAuth 2.0 token endpoint (RFC 6749 section 3.2) that really verifies: `client_credentials`, `refresh_token`
 * (rotating: a refresh token used twice gets `invalid_grant` and revokes its family) and the JWT bearer grant of
 * RFC 7523 (signature RS256/ES256/PS256 checked against the issuer's key, `iss`, `sub`, `aud`, `exp` no more than
 * 3 minutes ahead, `nbf`, replayed `jti`). Clients authenticate with `client_secret_basic`, `client_secret_post` or
 * `private_key_jwt`; using two methods at once is `invalid_request`. Issued access tokens expire and are checked by
 * {@link bearerResource}; `stats()` counts token requests (to prove single-flight refreshing).
 *
 * @example
 * ```ts
 * const tokens = oauth2TokenEndpoint({ path: '/oauth2/token', clients: { app: 's3cret' }, audience: 'https://idp.test' })
 * const mock = await serve([...tokens.handlers, ...bearerResource({ path: '/api/me', tokenEndpoint: tokens })])
 * ```
 */
export function oauth2TokenEndpoint(options: OAuth2TokenEndpointOptions): OAuth2TokenEndpoint {
  const path = checkPath('oauth2TokenEndpoint', options.path)
  const server = new TokenServer(options)
  const endpoint: OAuth2TokenEndpoint & {
    [RESOURCE]: (token: string | undefined) => ReturnType<OAuth2TokenEndpoint['introspect']>
  } = {
    handlers: [http.post(`*${path}`, ({ request }) => server.answer(request))],
    stats: () => ({ ...server.stats, issued: { ...server.stats.issued } }),
    issueRefreshToken(clientId, subject = clientId) {
      if (!Object.hasOwn(server.clients, clientId) && !server.publicClients.has(clientId))
        invalidOption('issueRefreshToken `clientId`', 'a client id of `clients` or `publicClients`', clientId)
      return server.newRefreshToken(clientId, subject)
    },
    expireAccessTokens() {
      for (const access of server.accessTokens.values()) access.expiresAt = Math.min(access.expiresAt, server.now() - 1)
    },
    introspect(accessToken) {
      const access = server.accessTokens.get(accessToken)
      if (access === undefined || access.expiresAt <= server.now()) return undefined
      return { clientId: access.clientId, subject: access.subject, scope: access.scope }
    },
    [RESOURCE](accessToken) {
      server.stats.resourceRequests += 1
      const found = accessToken === undefined ? undefined : endpoint.introspect(accessToken)
      if (found === undefined) server.stats.resourceRefused += 1
      return found
    },
  }
  return endpoint
}

/** The token endpoint's state (clients, keys, tokens, replay caches, counts) and the steps of one token request. */
class TokenServer {
  readonly clients: Record<string, string>
  readonly publicClients: Set<string>
  readonly clientKeys: Map<string, KeyObject>
  readonly issuers: Map<string, KeyObject>
  readonly audience: string
  readonly ttl: number
  readonly maxLifetime: number
  readonly rotate: boolean
  readonly issueRefreshTokens: boolean
  readonly now: () => number
  readonly accessTokens = new Map<
    string,
    { clientId: string; subject: string; expiresAt: number; family?: string; scope?: string }
  >()
  readonly refreshTokens = new Map<string, RefreshState>()
  readonly revokedFamilies = new Set<string>()
  readonly seenJti = new Map<string, number>()
  readonly stats: OAuth2Stats = { tokenRequests: 0, issued: {}, refused: 0, resourceRequests: 0, resourceRefused: 0 }

  constructor(options: OAuth2TokenEndpointOptions) {
    this.clients = checkSecrets('oauth2TokenEndpoint `clients`', options.clients)
    this.clientKeys = keysOf('clientKeys', options.clientKeys)
    this.issuers = keysOf('jwtIssuers', options.jwtIssuers)
    if (typeof options.audience !== 'string' || options.audience === '')
      invalidOption('oauth2TokenEndpoint `audience`', 'a non-empty string', options.audience)
    this.audience = options.audience
    this.ttl = options.accessTokenTtlSeconds ?? 3600
    if (!(this.ttl > 0)) invalidOption('oauth2TokenEndpoint `accessTokenTtlSeconds`', 'a positive number', this.ttl)
    this.maxLifetime = options.maxAssertionLifetimeSeconds ?? 180
    this.rotate = options.rotateRefreshTokens !== false
    this.issueRefreshTokens = options.issueRefreshTokens === true
    this.publicClients = new Set(options.publicClients ?? [])
    this.now = options.now ?? Date.now
    for (const [token, clientId] of Object.entries(options.refreshTokens ?? {})) {
      if (!Object.hasOwn(this.clients, clientId) && !this.publicClients.has(clientId))
        invalidOption(
          'oauth2TokenEndpoint `refreshTokens` (the client id of an entry)',
          'a client id of `clients` or `publicClients`',
          clientId,
        )
      this.refreshTokens.set(token, {
        clientId,
        subject: clientId,
        family: randomBytes(8).toString('hex'),
        used: false,
      })
    }
  }

  newRefreshToken(clientId: string, subject: string, family = randomBytes(8).toString('hex')): string {
    const token = `rt_${randomBytes(24).toString('base64url')}`
    this.refreshTokens.set(token, { clientId, subject, family, used: false })
    return token
  }

  /** One token request: the issued tokens, or the RFC 6749 section 5.2 error it earned. */
  async answer(request: Request): Promise<Response> {
    this.stats.tokenRequests += 1
    try {
      return await this.token(request)
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error
      this.stats.refused += 1
      const headers: Record<string, string> = { 'cache-control': 'no-store' }
      if (error.status === 401) headers['www-authenticate'] = 'Basic realm="token endpoint"'
      return HttpResponse.json(
        { error: error.error, error_description: error.message },
        { status: error.status, headers },
      )
    }
  }

  private async token(request: Request): Promise<Response> {
    if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers.get('content-type') ?? '')) {
      throw new OAuthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded')
    }
    const body = formBody(await request.text())
    if (!body) throw new OAuthError(400, 'invalid_request', 'malformed or repeated parameters')
    const grant = body.get('grant_type')
    const clientId = this.authenticateClient(request, body)
    const scope = body.get('scope')
    if (grant === 'client_credentials') {
      if (
        clientId === undefined ||
        (this.publicClients.has(clientId) && !Object.hasOwn(this.clients, clientId) && !this.clientKeys.has(clientId))
      ) {
        throw new OAuthError(401, 'invalid_client', 'client authentication required', true)
      }
      const refresh = this.issueRefreshTokens ? this.newRefreshToken(clientId, clientId) : undefined
      return this.issue(grant, clientId, clientId, refresh, scope)
    }
    if (grant === 'refresh_token') return this.refreshGrant(clientId, body.get('refresh_token') ?? '', scope)
    if (grant === JWT_BEARER_GRANT) {
      const assertion = body.get('assertion')
      if (assertion === undefined) throw new OAuthError(400, 'invalid_request', 'assertion is missing')
      const claims = this.checkAssertion(
        assertion,
        (c) => (typeof c.iss === 'string' ? this.issuers.get(c.iss) : undefined),
        [this.audience],
        'invalid_grant',
      )
      return this.issue(grant, clientId ?? (claims.iss as string), claims.sub as string, undefined, scope)
    }
    throw new OAuthError(
      400,
      grant === undefined ? 'invalid_request' : 'unsupported_grant_type',
      grant === undefined ? 'grant_type is missing' : 'grant type not supported',
    )
  }

  /** The refresh grant, rotating: a refresh token used twice revokes its whole family (RFC 6819 section 5.2.2.3). */
  private refreshGrant(clientId: string | undefined, presented: string, scope: string | undefined): Response {
    if (clientId === undefined) throw new OAuthError(401, 'invalid_client', 'client authentication required', true)
    const state = this.refreshTokens.get(presented)
    if (state === undefined || state.clientId !== clientId)
      throw new OAuthError(400, 'invalid_grant', 'refresh token unknown or issued to another client')
    if (state.used || this.revokedFamilies.has(state.family)) {
      this.revokedFamilies.add(state.family)
      for (const [value, access] of this.accessTokens)
        if (access.family === state.family) this.accessTokens.delete(value)
      throw new OAuthError(400, 'invalid_grant', 'refresh token already used (rotated); its family is revoked')
    }
    let next: string | undefined
    if (this.rotate) {
      state.used = true
      next = this.newRefreshToken(clientId, state.subject, state.family)
    }
    return this.issue('refresh_token', clientId, state.subject, next ?? presented, scope)
  }

  private issue(grant: string, clientId: string, subject: string, refresh: string | undefined, scope?: string) {
    const accessToken = `at_${randomBytes(24).toString('base64url')}`
    const family = refresh === undefined ? undefined : this.refreshTokens.get(refresh)?.family
    this.accessTokens.set(accessToken, { clientId, subject, expiresAt: this.now() + this.ttl * 1000, family, scope })
    trim(this.accessTokens, 100_000)
    this.stats.issued[grant] = (this.stats.issued[grant] ?? 0) + 1
    const body: Record<string, unknown> = { access_token: accessToken, token_type: 'Bearer', expires_in: this.ttl }
    if (refresh !== undefined) body.refresh_token = refresh
    if (scope !== undefined) body.scope = scope
    return HttpResponse.json(body, { headers: { 'cache-control': 'no-store', pragma: 'no-cache' } })
  }

  /** Authenticates the client by whichever single method the request uses; undefined when none is used. */
  private authenticateClient(request: Request, body: Map<string, string>): string | undefined {
    const header = request.headers.get('authorization')
    const methods = [header !== null, body.has('client_secret'), body.has('client_assertion')].filter(Boolean).length
    if (methods > 1) throw new OAuthError(400, 'invalid_request', 'more than one client authentication method')
    if (header !== null) return this.basicClient(header, body)
    if (body.has('client_secret')) {
      const id = body.get('client_id') ?? ''
      const expected = Object.hasOwn(this.clients, id) ? this.clients[id] : undefined
      if (expected === undefined || !safeEqual(body.get('client_secret') as string, expected))
        throw new OAuthError(401, 'invalid_client', 'client authentication failed')
      return id
    }
    if (body.has('client_assertion')) {
      if (body.get('client_assertion_type') !== JWT_CLIENT_ASSERTION)
        throw new OAuthError(400, 'invalid_request', `client_assertion_type must be ${JWT_CLIENT_ASSERTION}`)
      const endpointUrl = new URL(request.url)
      const claims = this.checkAssertion(
        body.get('client_assertion') as string,
        (c) => (typeof c.iss === 'string' && c.iss === c.sub ? this.clientKeys.get(c.iss) : undefined),
        [this.audience, `${endpointUrl.origin}${endpointUrl.pathname}`],
        'invalid_client',
      )
      const id = claims.iss as string
      if (body.has('client_id') && body.get('client_id') !== id)
        throw new OAuthError(400, 'invalid_request', 'client_id differs from the assertion issuer')
      return id
    }
    const id = body.get('client_id')
    return id !== undefined && this.publicClients.has(id) ? id : undefined
  }

  /** `client_secret_basic` (RFC 6749 section 2.3.1): id and secret form-encoded, then base64. */
  private basicClient(header: string, body: Map<string, string>): string {
    const parsed = parseAuthorization(header)
    if (parsed?.scheme.toLowerCase() !== 'basic' || parsed.token68 === undefined) {
      throw new OAuthError(401, 'invalid_client', 'Authorization must be Basic client credentials', true)
    }
    const decoded = Buffer.from(parsed.token68, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    let id: string
    let secret: string
    try {
      id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '))
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '))
    } catch {
      throw new OAuthError(401, 'invalid_client', 'client credentials are not form-encoded', true)
    }
    const expected = Object.hasOwn(this.clients, id) ? this.clients[id] : undefined
    if (colon < 0 || expected === undefined || !safeEqual(secret, expected))
      throw new OAuthError(401, 'invalid_client', 'client authentication failed', true)
    if (body.has('client_id') && body.get('client_id') !== id)
      throw new OAuthError(400, 'invalid_request', 'client_id differs from the authenticated client')
    return id
  }

  /** Verifies a JWT assertion's signature and registered claims (RFC 7523 section 3); returns its claims. */
  private checkAssertion(
    assertion: string,
    keyFor: (claims: JwtClaims) => KeyObject | undefined,
    audiences: string[],
    error: string,
  ): JwtClaims {
    const status = error === 'invalid_client' ? 401 : 400
    const decoded = decodeJwt(assertion)
    if (!decoded) throw new OAuthError(status, error, 'assertion is not a compact JWS')
    const alg = decoded.header.alg
    if (!JWT_ALGORITHMS.includes(alg as never))
      throw new OAuthError(status, error, `alg ${String(alg).slice(0, 10)} is not one of ${JWT_ALGORITHMS.join(', ')}`)
    const claims = decoded.claims
    const key = keyFor(claims)
    if (key === undefined) throw new OAuthError(status, error, 'unknown issuer')
    if (!verifyJwtSignature(assertion, key)) throw new OAuthError(status, error, 'signature does not verify')
    const seconds = this.now() / 1000
    if (typeof claims.sub !== 'string' || claims.sub === '') throw new OAuthError(status, error, 'sub is missing')
    const aud = claims.aud
    const audList = Array.isArray(aud) ? aud : [aud]
    if (!audList.some((a) => typeof a === 'string' && audiences.includes(a)))
      throw new OAuthError(status, error, 'aud is not this token endpoint')
    if (typeof claims.exp !== 'number') throw new OAuthError(status, error, 'exp is missing')
    if (claims.exp <= seconds) throw new OAuthError(status, error, 'assertion expired')
    if (claims.exp > seconds + this.maxLifetime + 5)
      throw new OAuthError(status, error, `exp is more than ${this.maxLifetime} s ahead`)
    if (typeof claims.nbf === 'number' && claims.nbf > seconds + 5)
      throw new OAuthError(status, error, 'assertion not yet valid (nbf)')
    if (typeof claims.iat === 'number' && claims.iat > seconds + 60)
      throw new OAuthError(status, error, 'iat is in the future')
    if (claims.jti !== undefined) {
      const jti = `${String(claims.iss)}|${String(claims.jti)}`
      if (this.seenJti.has(jti)) throw new OAuthError(status, error, 'jti already used (replay)')
      this.seenJti.set(jti, claims.exp)
      trim(this.seenJti, 100_000)
    }
    return claims
  }
}

const RESOURCE = Symbol('fieldkit.oauth2.resource')

/** Options of {@link bearerResource}. */
export interface BearerResourceOptions {
  /** Path of the protected resource (any method), e.g. `/api/me`. */
  path: string
  /** The endpoint whose access tokens are accepted. */
  tokenEndpoint: OAuth2TokenEndpoint
}

/**
 * A resource that accepts only live access tokens issued by `tokenEndpoint` (RFC 6750): `{ ok: true, user, client }`
 * with a valid token; 401 with `WWW-Authenticate: Bearer error="invalid_token"` for an expired, unknown or revoked one.
 * Its requests are counted in the endpoint's `stats()`.
 *
 * @example
 * ```ts
 * const mock = await serve([...tokens.handlers, ...bearerResource({ path: '/api/me', tokenEndpoint: tokens })])
 * ```
 */
export function bearerResource(options: BearerResourceOptions): RequestHandler[] {
  const path = checkPath('bearerResource', options.path)
  const check = (
    options.tokenEndpoint as unknown as Record<
      symbol,
      (t: string | undefined) => ReturnType<OAuth2TokenEndpoint['introspect']>
    >
  )[RESOURCE]
  if (typeof check !== 'function')
    invalidOption('bearerResource `tokenEndpoint`', 'what oauth2TokenEndpoint() returned', options.tokenEndpoint)
  return [
    http.all(`*${path}`, ({ request }) => {
      const header = request.headers.get('authorization')
      const match = header === null ? null : /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim())
      const found = check(match?.[1])
      if (found === undefined) {
        const challenge =
          header === null
            ? 'Bearer realm="fieldkit"'
            : 'Bearer realm="fieldkit", error="invalid_token", error_description="The access token expired or is not valid"'
        return HttpResponse.json(
          { ok: false, error: header === null ? 'token required' : 'invalid_token' },
          { status: 401, headers: { 'www-authenticate': challenge } },
        )
      }
      return HttpResponse.json({ ok: true, user: found.subject, client: found.clientId })
    }),
  ]
}
