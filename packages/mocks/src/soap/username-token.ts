import { createHash, timingSafeEqual } from 'node:crypto'

/** Why a UsernameToken was refused (never the password or the digest). */
export type UsernameTokenFailure =
  | 'missing-security-header'
  | 'missing-username-token'
  | 'unknown-user'
  | 'bad-password'
  | 'bad-digest'
  | 'missing-nonce-or-created'
  | 'stale-created'
  | 'replayed-nonce'

/** Options of {@link checkUsernameToken}. */
export interface UsernameTokenCheckOptions {
  /** Accepted users: username → password. */
  users: Readonly<Record<string, string>>
  /** How old `Created` may be, in seconds (default 300); `Infinity` turns the check off (spec vectors). */
  maxAgeSeconds?: number
  /** Clock for the freshness check (ms since epoch); default Date.now(). */
  now?: number
  /** Nonces already seen (the caller keeps it per server); a repeat is refused. */
  seenNonces?: Set<string>
}

const tag = (xml: string, local: string) =>
  new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${local}(\\s[^>]*)?>([\\s\\S]*?)</(?:[A-Za-z_][\\w.-]*:)?${local}>`).exec(xml)

const unescapeXml = (s: string) =>
  s
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * Verifies the WS-Security UsernameToken in a SOAP envelope, as a server does, written apart from the client side:
 * PasswordText compared in constant time, PasswordDigest recomputed as Base64(SHA-1(nonce + created + password))
 * with the nonce base64-decoded, `Created` fresh, nonce not replayed. Returns the user, or why it failed.
 *
 * @example
 * ```ts
 * const result = checkUsernameToken(envelopeXml, { users: { svc: 's3cret' } })
 * if (!result.ok) console.log(result.reason)
 * ```
 */
export function checkUsernameToken(
  envelope: string,
  options: UsernameTokenCheckOptions,
): { ok: true; username: string } | { ok: false; reason: UsernameTokenFailure } {
  const security = tag(envelope, 'Security')
  if (!security) return { ok: false, reason: 'missing-security-header' }
  const token = tag(security[2] ?? '', 'UsernameToken')
  if (!token) return { ok: false, reason: 'missing-username-token' }
  const body = token[2] ?? ''
  const username = unescapeXml(tag(body, 'Username')?.[2]?.trim() ?? '')
  const password = tag(body, 'Password')
  const expected = Object.hasOwn(options.users, username) ? options.users[username] : undefined
  if (expected === undefined || password === null) return { ok: false, reason: 'unknown-user' }
  const type = /Type\s*=\s*"([^"]*)"/.exec(password[1] ?? '')?.[1] ?? '#PasswordText'
  const sent = unescapeXml((password[2] ?? '').trim())
  if (!type.endsWith('#PasswordDigest')) {
    return same(sent, expected) ? { ok: true, username } : { ok: false, reason: 'bad-password' }
  }
  const nonce = tag(body, 'Nonce')?.[2]?.trim()
  const created = tag(body, 'Created')?.[2]?.trim()
  if (!nonce || !created) return { ok: false, reason: 'missing-nonce-or-created' }
  const digest = createHash('sha1')
    .update(Buffer.from(nonce, 'base64'))
    .update(created, 'utf8')
    .update(expected, 'utf8')
    .digest('base64')
  if (!same(sent, digest)) return { ok: false, reason: 'bad-digest' }
  const maxAge = options.maxAgeSeconds ?? 300
  const age = ((options.now ?? Date.now()) - Date.parse(created)) / 1000
  if (Number.isFinite(maxAge) && !(age <= maxAge && age >= -60)) return { ok: false, reason: 'stale-created' }
  if (options.seenNonces) {
    if (options.seenNonces.has(nonce)) return { ok: false, reason: 'replayed-nonce' }
    options.seenNonces.add(nonce)
  }
  return { ok: true, username }
}
