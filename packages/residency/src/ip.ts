import { isIP } from 'node:net'

/**
 * An IP address as the guard compares it: IPv4 as a 32-bit number, IPv6 as a 128-bit bigint.
 *
 * @example
 * ```ts
 * const ip: ParsedIp = { version: 4, value: 0x0a010203 } // 10.1.2.3
 * ```
 */
export type ParsedIp = { version: 4; value: number } | { version: 6; value: bigint }

/**
 * Parses an IP literal as a URL host would give it: dotted IPv4 (after WHATWG URL normalisation of `127.1`,
 * `0x7f.0.0.1`, `2130706433`), or IPv6 with or without brackets and zone. Undefined for anything else.
 */
export function parseIp(text: string): ParsedIp | undefined {
  const host = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  const kind = isIP(host)
  if (kind === 4) return { version: 4, value: ipv4ToNumber(host) }
  if (kind === 6) return { version: 6, value: ipv6ToBigInt(host) }
  return undefined
}

function ipv4ToNumber(text: string): number {
  const [a = 0, b = 0, c = 0, d = 0] = text.split('.').map(Number)
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0
}

function ipv6ToBigInt(text: string): bigint {
  let host = text.split('%')[0] as string
  // An embedded dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const dotted = host.match(/(\d+\.\d+\.\d+\.\d+)$/)
  if (dotted?.[1]) {
    const v4 = ipv4ToNumber(dotted[1])
    host = `${host.slice(0, -dotted[1].length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`
  }
  const [head = '', tail] = host.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  let value = 0n
  for (const group of groups) value = (value << 16n) | BigInt(Number.parseInt(group, 16))
  return value
}

/** Formats a parsed address canonically (IPv4 dotted, IPv6 compressed lower-case). */
export function formatIp(ip: ParsedIp): string {
  if (ip.version === 4) {
    const v = ip.value
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`
  }
  const groups: string[] = []
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((ip.value >> shift) & 0xffffn).toString(16))
  const joined = groups.join(':')
  // Compress the longest run of zero groups.
  const runs = [...`:${joined}:`.matchAll(/:(0(?::0)+):/g)].sort((a, b) => (b[1]?.length ?? 0) - (a[1]?.length ?? 0))
  const longest = runs[0]?.[1]
  if (longest === undefined) return joined
  const compressed = `:${joined}:`.replace(`:${longest}:`, '::')
  return compressed.replace(/^:(?!:)/, '').replace(/(?<!:):$/, '')
}

/** A special-use range: addresses no data should leave for, unless a policy names them. */
interface SpecialRange {
  name: string
  version: 4 | 6
  base: number | bigint
  bits: number
}

const special4: [string, string, number][] = [
  ['unspecified (0.0.0.0/8)', '0.0.0.0', 8],
  ['private (10.0.0.0/8)', '10.0.0.0', 8],
  ['CGNAT shared space (100.64.0.0/10)', '100.64.0.0', 10],
  ['loopback (127.0.0.0/8)', '127.0.0.0', 8],
  ['link-local / cloud metadata (169.254.0.0/16)', '169.254.0.0', 16],
  ['private (172.16.0.0/12)', '172.16.0.0', 12],
  ['IETF protocol assignments (192.0.0.0/24)', '192.0.0.0', 24],
  ['documentation (192.0.2.0/24)', '192.0.2.0', 24],
  ['private (192.168.0.0/16)', '192.168.0.0', 16],
  ['benchmarking (198.18.0.0/15)', '198.18.0.0', 15],
  ['documentation (198.51.100.0/24)', '198.51.100.0', 24],
  ['documentation (203.0.113.0/24)', '203.0.113.0', 24],
  ['multicast (224.0.0.0/4)', '224.0.0.0', 4],
  ['reserved (240.0.0.0/4, broadcast included)', '240.0.0.0', 4],
]
const special6: [string, string, number][] = [
  ['unspecified (::/128)', '::', 128],
  ['loopback (::1/128)', '::1', 128],
  ['IPv4-compatible (::/96)', '::', 96],
  ['IPv4-mapped (::ffff:0:0/96)', '::ffff:0:0', 96],
  ['NAT64 (64:ff9b::/96)', '64:ff9b::', 96],
  ['local NAT64 (64:ff9b:1::/48)', '64:ff9b:1::', 48],
  ['discard (100::/64)', '100::', 64],
  ['Teredo (2001::/32)', '2001::', 32],
  ['documentation (2001:db8::/32)', '2001:db8::', 32],
  ['6to4 (2002::/16)', '2002::', 16],
  ['unique-local (fc00::/7)', 'fc00::', 7],
  ['link-local (fe80::/10)', 'fe80::', 10],
  ['multicast (ff00::/8)', 'ff00::', 8],
]

const specialRanges: SpecialRange[] = [
  ...special4.map(([name, base, bits]) => ({ name, version: 4 as const, base: ipv4ToNumber(base), bits })),
  ...special6.map(([name, base, bits]) => ({ name, version: 6 as const, base: ipv6ToBigInt(base), bits })),
]

/** True when `ip` lies in the network `base/bits` of the same version. */
export function inNetwork(ip: ParsedIp, version: 4 | 6, base: number | bigint, bits: number): boolean {
  if (ip.version !== version) return false
  if (ip.version === 4) {
    if (bits === 0) return true
    const mask = bits === 32 ? 0xffffffff : (~0 << (32 - bits)) >>> 0
    return (ip.value & mask) >>> 0 === ((base as number) & mask) >>> 0
  }
  const shift = BigInt(128 - bits)
  return ip.value >> shift === (base as bigint) >> shift
}

/**
 * The special-use range an address falls in (private, loopback, link-local and metadata, CGNAT, multicast,
 * unique-local, and every IPv6 form that embeds an IPv4 address: mapped, compatible, NAT64, 6to4, Teredo), or
 * undefined for an ordinary public address. Embedding forms are special whatever they embed: a public IPv4 behind
 * NAT64 still leaves through a translator the policy does not know.
 */
export function specialUse(ip: ParsedIp): string | undefined {
  for (const range of specialRanges) if (inNetwork(ip, range.version, range.base, range.bits)) return range.name
  return undefined
}
