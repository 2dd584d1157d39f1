import { createHmac, randomBytes } from 'node:crypto'
import { http, type RequestHandler } from 'msw'
import { CONNECTION_HEADER } from '../serve'
import { md4 } from './md4'
import {
  AV_FLAG_MIC,
  AvId,
  messageType,
  NtlmFlags,
  readAuthenticate,
  readAvPairs,
  readNegotiate,
  writeAvPairs,
  writeChallenge,
} from './ntlm-messages'
import { authorised, checkPath, invalidOption, parseAuthorization, refuse, safeEqual, trim } from './params'

/** One account the NTLM server knows. */
export interface NtlmUser {
  username: string
  /** NetBIOS domain name (`CONTOSO`); compared case-insensitively, hashed as the client sent it. */
  domain: string
  password: string
}

/** Options of {@link ntlmAuth}. */
export interface NtlmAuthOptions {
  /** Path of the protected resource (any method), e.g. `/ntlm`. */
  path: string
  users: NtlmUser[]
  /**
   * Put MsvAvTimestamp in the challenge's target info (which tells a client to send a MIC) and refuse an
   * AUTHENTICATE message without a valid MIC. Default false.
   */
  requireMic?: boolean
  /** Offer only `Negotiate` (as an IIS site with Windows authentication does), accepting raw NTLM tokens inside it. */
  negotiateOnly?: boolean
}

const hmacMd5 = (key: Buffer, ...data: Buffer[]) => {
  const mac = createHmac('md5', key)
  for (const part of data) mac.update(part)
  return mac.digest()
}

/** NTOWFv2 of MS-NLMP section 3.3.2: HMAC_MD5(MD4(UTF-16LE(password)), UTF-16LE(UPPER(user) + domain)). */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(md4(Buffer.from(password, 'utf16le')), Buffer.from(user.toUpperCase() + domain, 'utf16le'))
}

type ConnectionState =
  | { stage: 'challenged'; scheme: string; negotiate: Buffer; challenge: Buffer; serverChallenge: Buffer }
  | { stage: 'authenticated'; user: string; domain: string }

/** What {@link verifyAuthenticate} decides. */
export type NtlmOutcome = { ok: true; user: NtlmUser } | { ok: false; status: 400 | 401; reason: string }

const CHALLENGE_FLAGS =
  NtlmFlags.REQUEST_TARGET |
  NtlmFlags.NTLM |
  NtlmFlags.ALWAYS_SIGN |
  NtlmFlags.TARGET_TYPE_DOMAIN |
  NtlmFlags.EXTENDED_SESSIONSECURITY |
  NtlmFlags.TARGET_INFO |
  NtlmFlags.VERSION |
  NtlmFlags.N128 |
  NtlmFlags.N56

/**
 * A resource protected by NTLM over HTTP (MS-NLMP, as IIS does it) that really verifies: a NEGOTIATE message gets a
 * CHALLENGE with a fresh server challenge and target info; the AUTHENTICATE message must arrive on the same TCP
 * connection (the `x-fieldkit-connection` header that {@link serve} adds) and carry an NTLMv2 response whose
 * NTProofStr matches the known password (NTLMv1 is refused), plus a valid MIC when one is sent or `requireMic` is
 * set. The connection then stays authenticated: later requests on it need no `Authorization`.
 *
 * @example
 * ```ts
 * const mock = await serve(ntlmAuth({ path: '/ntlm', users: [{ username: 'User', domain: 'Domain', password: 'Password' }] }))
 * // curl --ntlm -u 'Domain\User:Password' "$URL/ntlm" → {"ok":true,"user":"User","domain":"Domain"}
 * ```
 */
export function ntlmAuth(options: NtlmAuthOptions): RequestHandler[] {
  const path = checkPath('ntlmAuth', options.path)
  if (!Array.isArray(options.users) || options.users.length === 0) {
    invalidOption('ntlmAuth `users`', 'a non-empty array of { username, domain, password }', options.users)
  }
  for (const [i, user] of options.users.entries()) {
    for (const key of ['username', 'domain', 'password'] as const) {
      if (typeof user?.[key] !== 'string') invalidOption(`ntlmAuth \`users[${i}].${key}\``, 'a string', user?.[key])
    }
  }
  const users = options.users.map((u) => ({ ...u }))
  const requireMic = options.requireMic === true
  const offered = options.negotiateOnly === true ? 'Negotiate' : 'NTLM'
  const netbiosDomain = (users[0] as NtlmUser).domain.toUpperCase()
  const connections = new Map<string, ConnectionState>()

  const demand = (reason: string) => refuse(401, reason, { 'www-authenticate': offered })

  function challengeFor(connection: string, scheme: string, negotiate: Buffer): Response {
    const { flags: clientFlags } = readNegotiate(negotiate) as { flags: number }
    const unicode = (clientFlags & NtlmFlags.UNICODE) !== 0
    const serverChallenge = randomBytes(8)
    const text = (s: string) => Buffer.from(s, unicode ? 'utf16le' : 'latin1')
    const utf16 = (s: string) => Buffer.from(s, 'utf16le')
    const pairs: [number, Buffer][] = [
      [AvId.NbDomainName, utf16(netbiosDomain)],
      [AvId.NbComputerName, utf16('FIELDKIT-MOCK')],
      [AvId.DnsDomainName, utf16(`${netbiosDomain.toLowerCase()}.test`)],
      [AvId.DnsComputerName, utf16(`mock.${netbiosDomain.toLowerCase()}.test`)],
    ]
    if (requireMic) {
      const filetime = Buffer.alloc(8)
      filetime.writeBigUInt64LE((BigInt(Date.now()) + 11_644_473_600_000n) * 10_000n)
      pairs.push([AvId.Timestamp, filetime])
    }
    const challenge = writeChallenge({
      flags: CHALLENGE_FLAGS | (unicode ? NtlmFlags.UNICODE : NtlmFlags.OEM),
      serverChallenge,
      targetName: text(netbiosDomain),
      targetInfo: writeAvPairs(pairs),
    })
    connections.set(connection, { stage: 'challenged', scheme, negotiate, challenge, serverChallenge })
    trim(connections, 10_000)
    return refuse(401, 'NTLM challenge', { 'www-authenticate': `${scheme} ${challenge.toString('base64')}` })
  }

  return [
    http.all(`*${path}`, ({ request }) => {
      const connection = request.headers.get(CONNECTION_HEADER)
      const state = connection === null ? undefined : connections.get(connection)
      const header = request.headers.get('authorization')
      if (header === null) {
        if (state?.stage === 'authenticated') return authorised(state.user, { domain: state.domain, scheme: 'NTLM' })
        return demand('NTLM authentication required')
      }
      const parsed = parseAuthorization(header)
      if (!parsed) return refuse(400, 'malformed Authorization header')
      const scheme =
        parsed.scheme.toLowerCase() === 'ntlm'
          ? 'NTLM'
          : parsed.scheme.toLowerCase() === 'negotiate'
            ? 'Negotiate'
            : undefined
      if (scheme === undefined) return demand(`${offered} credentials required`)
      if (options.negotiateOnly === true && scheme !== 'Negotiate') return demand('only Negotiate is offered')
      if (parsed.token68 === undefined) return refuse(400, `${scheme} credentials are not a base64 token`)
      const token = Buffer.from(parsed.token68, 'base64')
      const type = messageType(token)
      if (type === undefined) {
        return scheme === 'Negotiate' && token[0] === 0x60
          ? demand('SPNEGO-wrapped tokens (Kerberos) are not supported; send a raw NTLM token')
          : refuse(400, 'not an NTLM message')
      }
      if (connection === null) return demand('NTLM needs a connection id (serve() on a real socket)')
      if (type === 1) {
        if (!readNegotiate(token)) return refuse(400, 'truncated NEGOTIATE message')
        return challengeFor(connection, scheme, token)
      }
      if (type !== 3) return refuse(400, `unexpected NTLM message type ${type >>> 0}`)
      if (state?.stage !== 'challenged') return demand('AUTHENTICATE without a CHALLENGE on this connection')
      connections.delete(connection)
      const outcome = verifyAuthenticate(token, state, users, requireMic)
      if (!outcome.ok) {
        return outcome.status === 400 ? refuse(400, outcome.reason) : demand(outcome.reason)
      }
      connections.set(connection, { stage: 'authenticated', user: outcome.user.username, domain: outcome.user.domain })
      return authorised(outcome.user.username, { domain: outcome.user.domain, scheme })
    }),
  ]
}

/**
 * Verifies an AUTHENTICATE message (NTLMv2 only) against the NEGOTIATE and CHALLENGE messages of the same
 * connection and the known accounts: the NTProofStr (MS-NLMP 3.3.2) and, when the client announces one or
 * `requireMic` is set, the MIC (MS-NLMP 3.1.5.1.2). Exported for the tests that run it on the MS-NLMP 4.2.4 bytes.
 */
export function verifyAuthenticate(
  token: Buffer,
  state: { negotiate: Buffer; challenge: Buffer; serverChallenge: Buffer },
  users: NtlmUser[],
  requireMic: boolean,
): NtlmOutcome {
  const message = readAuthenticate(token)
  if (!message) return { ok: false, status: 400, reason: 'truncated or inconsistent AUTHENTICATE message' }
  if (message.ntResponse.length === 24) return { ok: false, status: 401, reason: 'NTLMv1 responses are refused' }
  if (message.ntResponse.length < 48) return { ok: false, status: 401, reason: 'NT response too short for NTLMv2' }
  const proof = message.ntResponse.subarray(0, 16)
  const blob = message.ntResponse.subarray(16)
  if (blob[0] !== 1 || blob[1] !== 1) return { ok: false, status: 401, reason: 'NTLMv2 blob has the wrong version' }
  const clientPairs = readAvPairs(blob.subarray(28))
  if (!clientPairs) return { ok: false, status: 400, reason: 'NTLMv2 blob has malformed AV pairs' }

  let name = message.user
  let domain = message.domain
  if (domain === '' && name.includes('@'))
    [name, domain] = [name.slice(0, name.lastIndexOf('@')), name.slice(name.lastIndexOf('@') + 1)]
  const account = users.find(
    (u) =>
      u.username.toUpperCase() === name.toUpperCase() &&
      (u.domain.toUpperCase() === domain.toUpperCase() || `${u.domain}.test`.toUpperCase() === domain.toUpperCase()),
  )
  if (!account) return { ok: false, status: 401, reason: 'wrong user, domain or password' }
  const key = ntowfv2(account.password, message.user, message.domain)
  const expected = hmacMd5(key, state.serverChallenge, blob)
  if (!safeEqual(expected, proof)) return { ok: false, status: 401, reason: 'wrong user, domain or password' }

  const avFlags = clientPairs.get(AvId.Flags)
  const micSent = avFlags !== undefined && avFlags.length === 4 && (avFlags.readUInt32LE(0) & AV_FLAG_MIC) !== 0
  if (requireMic && !micSent)
    return { ok: false, status: 401, reason: 'a MIC is required (MsvAvFlags bit 0x2 not set)' }
  if (micSent) {
    if (message.mic === undefined)
      return { ok: false, status: 401, reason: 'MsvAvFlags announces a MIC but none is present' }
    // NTLMv2 without key exchange: ExportedSessionKey = KeyExchangeKey = SessionBaseKey (MS-NLMP 3.3.2, 3.4.5.1).
    const sessionBaseKey = hmacMd5(key, proof)
    const zeroed = Buffer.from(token)
    zeroed.fill(0, 72, 88)
    const mic = hmacMd5(sessionBaseKey, state.negotiate, state.challenge, zeroed)
    if (!safeEqual(mic, message.mic)) return { ok: false, status: 401, reason: 'MIC does not match the three messages' }
  }
  return { ok: true, user: account }
}
