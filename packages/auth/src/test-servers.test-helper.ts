// Tiny verifying servers for this package's own tests, used until (and beside) the @fieldkit/mocks auth servers.
// Test-only; not exported from the package.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { HttpResponse, http } from 'msw'
import { md4 } from './ntlm/md4'

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
  /** Refuse an nc not above the last one seen for its nonce (as Apache's AuthDigestNcCheck does). */
  strictNc?: boolean
}

/**
 * A Digest server written apart from digest.ts (its own parsing and hashing): checks the response hash, the
 * request-URI, `opaque`, and that a nonce count is never repeated for a nonce.
 */
export function digestServer(o: DigestServerOptions) {
  const realm = o.realm ?? 'test@fieldkit'
  const algorithms = o.algorithms ?? ['MD5']
  const opaque = randomBytes(8).toString('hex')
  const nonces = new Map<string, { seen: Set<string>; uses: number; last: number }>()
  const hashName = (alg: string) =>
    ({ md5: 'md5', 'sha-256': 'sha256', 'sha-512-256': 'sha512-256' })[alg.toLowerCase().replace(/-sess$/, '')] ??
    'none'
  const H = (alg: string, s: string) => createHash(hashName(alg)).update(s).digest('hex')
  const challenge = (stale: boolean) => {
    const nonce = randomBytes(12).toString('base64')
    nonces.set(nonce, { seen: new Set(), uses: 0, last: 0 })
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
    if (o.strictNc && Number.parseInt(p.nc ?? '0', 16) <= state.last) return challenge(false)
    state.seen.add(p.nc ?? '')
    state.last = Math.max(state.last, Number.parseInt(p.nc ?? '0', 16))
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

/** Options of {@link ntlmServer}. */
export interface NtlmServerOptions {
  path: string
  user: string
  domain: string
  password: string
  /** Offer only `Negotiate` (with raw NTLM tokens inside) instead of `NTLM`. */
  negotiateOnly?: boolean
  /** Put MsvAvTimestamp in the target info, which obliges the client to send a MIC (checked). */
  timestamp?: boolean
}

/**
 * An NTLM server written apart from ntlm/*.ts (only MD4, proven by the RFC 1320 vectors, is shared): answers the
 * NEGOTIATE with a CHALLENGE on the same connection, checks the NTLMv2 proof (and the MIC) of the AUTHENTICATE
 * against the known password, then treats the connection as authenticated.
 */
export function ntlmServer(o: NtlmServerOptions) {
  const scheme = o.negotiateOnly ? 'Negotiate' : 'NTLM'
  const state = new Map<string, { type1: Buffer; type2: Buffer; challenge: Buffer } | 'authed'>()
  const hmac = (key: Uint8Array, ...parts: Uint8Array[]) => {
    const h = createHmac('md5', key)
    for (const p of parts) h.update(p)
    return h.digest()
  }
  const key = hmac(md4(Buffer.from(o.password, 'utf16le')), Buffer.from(o.user.toUpperCase() + o.domain, 'utf16le'))
  const refuse = () => new HttpResponse(null, { status: 401, headers: { 'www-authenticate': scheme } })
  return http.all(`*${o.path}`, ({ request }) => {
    const conn = request.headers.get('x-fieldkit-connection') ?? ''
    const header = request.headers.get('authorization') ?? ''
    if (state.get(conn) === 'authed' && header === '') return HttpResponse.json({ ok: true, connection: conn })
    if (!header.startsWith(`${scheme} `)) return refuse()
    const msg = Buffer.from(header.slice(scheme.length + 1), 'base64')
    if (msg.subarray(0, 8).toString('latin1') !== 'NTLMSSP\0') return refuse()
    const type = msg.readUInt32LE(8)
    if (type === 1) {
      const challenge = randomBytes(8)
      const av: Buffer[] = []
      const pair = (id: number, v: Buffer) => {
        const h = Buffer.alloc(4)
        h.writeUInt16LE(id, 0)
        h.writeUInt16LE(v.length, 2)
        av.push(h, v)
      }
      pair(2, Buffer.from(o.domain, 'utf16le'))
      pair(1, Buffer.from('SERVER', 'utf16le'))
      if (o.timestamp) {
        const t = Buffer.alloc(8)
        t.writeBigUInt64LE((BigInt(Date.now()) + 11644473600000n) * 10000n)
        pair(7, t)
      }
      av.push(Buffer.alloc(4))
      const info = Buffer.concat(av)
      const name = Buffer.from(o.domain, 'utf16le')
      const head = Buffer.alloc(56)
      head.write('NTLMSSP\0', 0, 'latin1')
      head.writeUInt32LE(2, 8)
      head.writeUInt16LE(name.length, 12)
      head.writeUInt16LE(name.length, 14)
      head.writeUInt32LE(56, 16)
      head.writeUInt32LE(0xe28a8235, 20)
      challenge.copy(head, 24)
      head.writeUInt16LE(info.length, 40)
      head.writeUInt16LE(info.length, 42)
      head.writeUInt32LE(56 + name.length, 44)
      Buffer.from('0a00614a0000000f', 'hex').copy(head, 48)
      const type2 = Buffer.concat([head, name, info])
      state.set(conn, { type1: msg, type2, challenge })
      return new HttpResponse(null, {
        status: 401,
        headers: { 'www-authenticate': `${scheme} ${type2.toString('base64')}` },
      })
    }
    const pending = state.get(conn)
    if (type !== 3 || pending === undefined || pending === 'authed') return refuse()
    state.delete(conn)
    const field = (at: number) =>
      msg.subarray(msg.readUInt32LE(at + 4), msg.readUInt32LE(at + 4) + msg.readUInt16LE(at))
    const nt = field(20)
    const user = field(36).toString('utf16le')
    const domain = field(28).toString('utf16le')
    if (
      user.toUpperCase() !== o.user.toUpperCase() ||
      domain.toUpperCase() !== o.domain.toUpperCase() ||
      nt.length < 48
    ) {
      return refuse()
    }
    const proof = hmac(key, pending.challenge, nt.subarray(16))
    if (!timingSafeEqual(proof, nt.subarray(0, 16))) return refuse()
    if (o.timestamp) {
      // MsvAvFlags with 0x2 must be in the client's copy of the target info, and the MIC must verify.
      const blobInfo = nt.subarray(16 + 28)
      let flagged = false
      for (let i = 0; i + 4 <= blobInfo.length; ) {
        const id = blobInfo.readUInt16LE(i)
        const len = blobInfo.readUInt16LE(i + 2)
        if (id === 0) break
        if (id === 6 && (blobInfo.readUInt32LE(i + 4) & 2) !== 0) flagged = true
        i += 4 + len
      }
      const mic = Buffer.from(msg.subarray(72, 88))
      const zeroed = Buffer.from(msg)
      zeroed.fill(0, 72, 88)
      const expected = hmac(hmac(key, proof), pending.type1, pending.type2, zeroed)
      if (!flagged || !timingSafeEqual(mic, expected)) return refuse()
    }
    state.set(conn, 'authed')
    return HttpResponse.json({ ok: true, connection: conn })
  })
}

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/**
 * An OAuth 1.0a server written apart from oauth1.ts: recomputes the HMAC-SHA1/HMAC-SHA256 signature over the
 * query, a form body and the protocol parameters, refuses a timestamp off by more than 5 minutes and a reused nonce.
 */
export function oauth1Server(o: {
  path: string
  consumerKey: string
  consumerSecret: string
  token: string
  tokenSecret: string
}) {
  const nonces = new Set<string>()
  const refuse = () => new HttpResponse(null, { status: 401, headers: { 'www-authenticate': 'OAuth realm="test"' } })
  return http.all(`*${o.path}`, async ({ request }) => {
    const header = request.headers.get('authorization') ?? ''
    if (!header.startsWith('OAuth ')) return refuse()
    const p: Record<string, string> = {}
    for (const m of header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g))
      p[m[1] as string] = decodeURIComponent(m[2] as string)
    if (p.oauth_consumer_key !== o.consumerKey || p.oauth_token !== o.token) return refuse()
    if (Math.abs(Number(p.oauth_timestamp) - Date.now() / 1000) > 300) return refuse()
    if (nonces.has(p.oauth_nonce ?? '')) return refuse()
    const url = new URL(request.url)
    const pairs: string[][] = []
    for (const [k, v] of url.searchParams) pairs.push([enc(k), enc(v)])
    if ((request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(await request.text())) pairs.push([enc(k), enc(v)])
    }
    for (const [k, v] of Object.entries(p)) if (k !== 'realm' && k !== 'oauth_signature') pairs.push([enc(k), enc(v)])
    pairs.sort((a, b) =>
      (a[0] as string) === b[0]
        ? (a[1] as string) < (b[1] as string)
          ? -1
          : 1
        : (a[0] as string) < (b[0] as string)
          ? -1
          : 1,
    )
    const base = [
      request.method,
      enc(`${url.protocol}//${url.host}${url.pathname}`),
      enc(pairs.map((x) => x.join('=')).join('&')),
    ].join('&')
    const algorithm = p.oauth_signature_method === 'HMAC-SHA256' ? 'sha256' : 'sha1'
    const expected = createHmac(algorithm, `${enc(o.consumerSecret)}&${enc(o.tokenSecret)}`)
      .update(base)
      .digest('base64')
    if (!equalSecret(expected, p.oauth_signature ?? '')) return refuse()
    nonces.add(p.oauth_nonce ?? '')
    return HttpResponse.json({ ok: true })
  })
}

/**
 * A SigV4 server written apart from sigv4.ts, for simple paths (unreserved characters) and queries: recomputes the
 * signature with the known secret and refuses a request dated more than 5 minutes away.
 */
export function sigv4Server(o: {
  path: string
  accessKeyId: string
  secretAccessKey: string
  region: string
  service: string
}) {
  const refuse = () => new HttpResponse(null, { status: 403 })
  const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex')
  const mac = (k: string | Buffer, s: string) => createHmac('sha256', k).update(s).digest()
  return http.all(`*${o.path}`, async ({ request }) => {
    const auth = request.headers.get('authorization') ?? ''
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      )
    if (m === null || m[1] !== o.accessKeyId || m[3] !== o.region || m[4] !== o.service) return refuse()
    const amzDate = request.headers.get('x-amz-date') ?? ''
    const when = Date.UTC(
      +amzDate.slice(0, 4),
      +amzDate.slice(4, 6) - 1,
      +amzDate.slice(6, 8),
      +amzDate.slice(9, 11),
      +amzDate.slice(11, 13),
      +amzDate.slice(13, 15),
    )
    if (!(Math.abs(when - Date.now()) < 300_000) || amzDate.slice(0, 8) !== m[2]) return refuse()
    const url = new URL(request.url)
    const signed = (m[5] as string).split(';')
    const query = [...url.searchParams]
      .map(([k, v]) => `${enc(k)}=${enc(v)}`)
      .sort()
      .join('&')
    const headers = signed.map((h) => `${h}:${(request.headers.get(h) ?? '').trim()}\n`).join('')
    const body = Buffer.from(await request.arrayBuffer())
    const canonical = [request.method, url.pathname, query, headers, m[5], sha(body)].join('\n')
    const scope = `${m[2]}/${o.region}/${o.service}/aws4_request`
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha(canonical)].join('\n')
    const key = mac(mac(mac(mac(`AWS4${o.secretAccessKey}`, m[2] as string), o.region), o.service), 'aws4_request')
    if (!equalSecret(createHmac('sha256', key).update(toSign).digest('hex'), m[6] as string)) return refuse()
    return HttpResponse.json({ ok: true })
  })
}
