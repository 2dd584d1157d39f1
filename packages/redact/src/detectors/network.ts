// Network: IPv4 and IPv6 addresses, and credentials in URLs (`scheme://user:password@host`).
import { ALNUM, cls, isHexColonDot, WORD, wordLike } from '../chars'
import type { NumberCandidate, NumberMatcher, Pass } from '../pass'

/** An IPv4 address: four dot-separated groups of at most 3 digits, each ≤ 255 without a leading zero. */
export const ipv4: NumberMatcher = (p: Pass, c: NumberCandidate): boolean => {
  if (!c.plain || c.k !== 4 || !c.uniform || c.s1 !== 46 || !p.on.ip) return false
  const t = p.t
  const d = c.digits()
  let at = 0
  for (let g = 0; g < 4; g++) {
    const len = c.groupLength(g)
    if (len > 3 || (len > 1 && d.charCodeAt(at) === 48)) return false
    let octet = 0
    for (let i = at; i < at + len; i++) octet = octet * 10 + d.charCodeAt(i) - 48
    if (octet > 255) return false
    at += len
  }
  // A dot after the address ends a sentence (`client_ip=212.254.15.81.`), unless a word follows it (a host name).
  if (t.charCodeAt(c.end) === 46 && wordLike(t.charCodeAt(c.end + 1))) return false
  p.add(c.start, c.end, 'ip', 'ipv4', 0.9)
  return true
}

/** Userinfo before `@` in a URL: `scheme://user:password@`. Returns the position after `@`, or 0. */
export function urlCredentials(p: Pass, a: number): number {
  const t = p.t
  if (!p.on.url_credentials) return 0
  let q = a
  while (q > 0 && a - q < 256 && isUserinfo(t.charCodeAt(q - 1))) q--
  if (q === a || t.charCodeAt(q - 1) !== 58) return 0
  let u = q - 1
  while (u > 0 && q - u < 256 && isUserinfo(t.charCodeAt(u - 1))) u--
  // The user may be empty (`redis://:s3cret@cache:6379`): the password alone is the credential.
  if (t.charCodeAt(u - 1) === 47 && t.charCodeAt(u - 2) === 47 && t.charCodeAt(u - 3) === 58) {
    p.add(u, a, 'url_credentials', 'url-userinfo', 0.95)
    return a + 1
  }
  return 0
}

/** Returns the end of an IPv6 address found at `s`, minus the end of a run to skip, or 0 for no decision. */
export function ipv6(p: Pass, s: number): number {
  const t = p.t
  const n = p.n
  let j = s
  while (j < n && j - s <= 45 && isHexColonDot(t.charCodeAt(j))) j++
  if (j - s > 45) {
    while (j < n && isHexColonDot(t.charCodeAt(j))) j++
    return -j
  }
  let end = j
  while (end > s && t.charCodeAt(end - 1) === 46) end--
  let zoneEnd = end
  if (end === j && t.charCodeAt(j) === 37 && (cls(t.charCodeAt(j + 1)) & ALNUM) !== 0) {
    zoneEnd = j + 1
    while (zoneEnd < n && zoneEnd - j < 16 && (cls(t.charCodeAt(zoneEnd)) & WORD) !== 0) zoneEnd++
  }
  if (wordLike(t.charCodeAt(zoneEnd))) return 0
  if (!ipv6Valid(t, s, end)) {
    // A failed colon-run (a time, a MAC address, `::ffff:256.0.0.1`, `2001::db8::1`) is skipped whole, so no
    // part of it is re-read as an IPv4 address or as a valid-looking IPv6 tail.
    const run = t.slice(s, end)
    return t.charCodeAt(s) === 58 || run.includes('.') || run.includes('::') ? -Math.max(j, s + 1) : 0
  }
  p.add(s, zoneEnd, 'ip', 'ipv6', 0.9)
  return zoneEnd
}

const isUserinfo = (c: number): boolean =>
  c > 32 && c !== 47 && c !== 64 && c !== 58 && c !== 63 && c !== 35 && c !== 34 && c !== 39 && c !== 60 && c !== 62
/**
 * RFC 4291 text form of `t[s, e)` (hex digits, colons and dots only): eight groups, or fewer with one `::`; the last
 * two may be an IPv4 address. Read by char codes: no string is made.
 */
function ipv6Valid(t: string, s: number, e: number): boolean {
  if (e - s < 3) return false
  let groups = 0
  let dbl = false
  let i = s
  if (t.charCodeAt(i) === 58) {
    if (t.charCodeAt(i + 1) !== 58) return false
    dbl = true
    i += 2
  }
  while (i < e) {
    const ps = i
    let dots = false
    for (let c = t.charCodeAt(i); i < e && c !== 58; c = t.charCodeAt(++i)) if (c === 46) dots = true
    if (i === ps) return false
    if (dots) {
      // An IPv4 address is the last group (only a closing `::` may follow it).
      if (!(i === e || (i + 2 === e && t.charCodeAt(i + 1) === 58)) || !ipv4Valid(t, ps, i)) return false
      groups += 2
    } else if (i - ps > 4) return false
    else groups++
    if (i === e) break
    i++ // past `:`
    if (i < e && t.charCodeAt(i) === 58) {
      if (dbl) return false
      dbl = true
      i++
    } else if (i === e) return false
  }
  return dbl ? groups <= 7 : groups === 8
}

/** Four dot-separated groups of 1–3 digits, each ≤ 255, in `t[s, e)`. */
function ipv4Valid(t: string, s: number, e: number): boolean {
  let octets = 0
  let digits = 0
  let value = 0
  for (let j = s; j <= e; j++) {
    const c = j < e ? t.charCodeAt(j) : 46
    if (c === 46) {
      if (digits === 0 || value > 255) return false
      octets++
      digits = 0
      value = 0
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + c - 48
      digits++
    } else return false
  }
  return octets === 4
}
