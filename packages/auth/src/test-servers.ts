// Tiny verifying servers for this package's own tests, used until (and beside) the @fieldkit/mocks auth servers.
// Test-only; not exported from the package.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { HttpResponse, http } from 'msw'

export function equalSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** A handler that accepts only the given header value (Basic, Bearer, API key header). */
export function requireHeader(path: string, header: string, expected: string, challenge = 'Basic realm="test"') {
  return http.all(`*${path}`, ({ request }) => {
    const got = request.headers.get(header) ?? ''
    if (equalSecret(got, expected)) return HttpResponse.json({ ok: true })
    return new HttpResponse(null, { status: 401, headers: { 'www-authenticate': challenge } })
  })
}

/** A handler that accepts only the given query parameter value. */
export function requireQuery(path: string, name: string, expected: string) {
  return http.all(`*${path}`, ({ request }) => {
    const got = new URL(request.url).searchParams.get(name) ?? ''
    if (equalSecret(got, expected)) return HttpResponse.json({ ok: true })
    return new HttpResponse(null, { status: 401, headers: { 'www-authenticate': 'ApiKey' } })
  })
}

/** Options of {@link digestServer}. */
export interface DigestServerOptions {
  path: string
  username: string
  password: string
  realm?: string
  /** Algorithms offered, one challenge each, in this order. */
  algorithms?: string[]
  qop?: string
  userhash?: boolean
  /** Every nonce is good for this many requests, then answered with stale=true. */
  nonceUses?: number
}

/**
 * A Digest server written apart from digest.ts (its own parsing and hashing): checks the response hash, the
 * request-URI, `opaque`, and that a nonce count is never repeated for a nonce.
 */
export function digestServer(o: DigestServerOptions) {
  const realm = o.realm ?? 'test@fieldkit'
  const algorithms = o.algorithms ?? ['MD5']
  const opaque = randomBytes(8).toString('hex')
  const nonces = new Map<string, { seen: Set<string>; uses: number }>()
  const hashName = (alg: string) =>
    ({ md5: 'md5', 'sha-256': 'sha256', 'sha-512-256': 'sha512-256' })[alg.toLowerCase().replace(/-sess$/, '')] ??
    'none'
  const H = (alg: string, s: string) => createHash(hashName(alg)).update(s).digest('hex')
  const challenge = (stale: boolean) => {
    const nonce = randomBytes(12).toString('base64')
    nonces.set(nonce, { seen: new Set(), uses: 0 })
    const headers = new Headers()
    for (const alg of algorithms) {
      headers.append(
        'www-authenticate',
        `Digest realm="${realm}", qop="${o.qop ?? 'auth'}", algorithm=${alg}, nonce="${nonce}", opaque="${opaque}"${o.userhash ? ', userhash=true' : ''}${stale ? ', stale=true' : ''}`,
      )
    }
    return new HttpResponse(null, { status: 401, headers })
  }
  return http.all(`*${o.path}`, async ({ request }) => {
    const header = request.headers.get('authorization') ?? ''
    if (!header.startsWith('Digest ')) return challenge(false)
    const p: Record<string, string> = {}
    for (const m of header.slice(7).matchAll(/([a-z*]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/gi)) {
      p[(m[1] as string).toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1')
    }
    const alg = p.algorithm ?? 'MD5'
    const state = nonces.get(p.nonce ?? '')
    const url = new URL(request.url)
    if (state === undefined || p.opaque !== opaque || p.uri !== url.pathname + url.search || p.realm !== realm) {
      return challenge(false)
    }
    if (!algorithms.map((a) => a.toLowerCase()).includes(alg.toLowerCase())) return challenge(false)
    const expectedUser = o.userhash ? H(alg, `${o.username}:${realm}`) : o.username
    if (p.username !== expectedUser) return challenge(false)
    if (state.seen.has(p.nc ?? '')) return challenge(false)
    state.seen.add(p.nc ?? '')
    let ha1 = H(alg, `${o.username}:${realm}:${o.password}`)
    if (/-sess$/i.test(alg)) ha1 = H(alg, `${ha1}:${p.nonce}:${p.cnonce}`)
    const body = Buffer.from(await request.arrayBuffer()).toString('utf8')
    const ha2 =
      p.qop === 'auth-int' ? H(alg, `${request.method}:${p.uri}:${H(alg, body)}`) : H(alg, `${request.method}:${p.uri}`)
    const expected = H(alg, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`)
    if (!equalSecret(expected, p.response ?? '')) return challenge(false)
    if (o.nonceUses !== undefined && state.uses >= o.nonceUses) return challenge(true)
    state.uses++
    return HttpResponse.json({ ok: true, nc: p.nc, qop: p.qop, algorithm: alg })
  })
}
