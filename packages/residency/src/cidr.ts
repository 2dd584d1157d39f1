import { ResidencyError } from './errors'
import { inNetwork, type ParsedIp, parseIp } from './ip'

/** One network with what it means: the region (and provider, service) its addresses belong to. */
export interface IpRange {
  cidr: string
  region: string
  provider?: string
  service?: string
}

interface Network<T> {
  version: 4 | 6
  base: number | bigint
  bits: number
  value: T
}

/**
 * A longest-prefix-match table of CIDR networks. Lookups walk the prefix lengths present (at most 33 for IPv4,
 * 129 for IPv6) with one Map probe each, so a provider file of tens of thousands of prefixes costs the same as ten.
 * A policy's `ranges` is one; build policies with `definePolicy` rather than a table by hand.
 *
 * @example
 * ```ts
 * const policy = definePolicy({ dataClasses: { pii: ['eu'] }, ipRanges: [{ cidr: '10.0.0.0/8', region: 'eu' }] })
 * policy.ranges.lookup({ version: 4, value: 0x0a010203 })?.value.region // "eu" (10.1.2.3)
 * ```
 */
export class CidrTable<T> {
  private readonly v4 = new Map<number, Map<number, T>>()
  private readonly v6 = new Map<number, Map<bigint, T>>()
  private lengths4: number[] = []
  private lengths6: number[] = []

  add(cidr: string, value: T): void {
    const network = parseCidr<T>(cidr, value)
    if (network.version === 4) {
      const key = maskedV4(network.base as number, network.bits)
      const bucket = this.v4.get(network.bits) ?? new Map<number, T>()
      this.v4.set(network.bits, bucket)
      if (!bucket.has(key)) bucket.set(key, value)
      this.lengths4 = [...this.v4.keys()].sort((a, b) => b - a)
    } else {
      const key = (network.base as bigint) >> BigInt(128 - network.bits)
      const bucket = this.v6.get(network.bits) ?? new Map<bigint, T>()
      this.v6.set(network.bits, bucket)
      if (!bucket.has(key)) bucket.set(key, value)
      this.lengths6 = [...this.v6.keys()].sort((a, b) => b - a)
    }
  }

  /** The value of the most specific network holding `ip`, with its prefix length. */
  lookup(ip: ParsedIp): { value: T; bits: number } | undefined {
    if (ip.version === 4) {
      for (const bits of this.lengths4) {
        const value = this.v4.get(bits)?.get(maskedV4(ip.value, bits))
        if (value !== undefined) return { value, bits }
      }
      return undefined
    }
    for (const bits of this.lengths6) {
      const value = this.v6.get(bits)?.get(ip.value >> BigInt(128 - bits))
      if (value !== undefined) return { value, bits }
    }
    return undefined
  }

  get size(): number {
    let n = 0
    for (const bucket of this.v4.values()) n += bucket.size
    for (const bucket of this.v6.values()) n += bucket.size
    return n
  }
}

function maskedV4(value: number, bits: number): number {
  return bits === 0 ? 0 : (value & ((~0 << (32 - bits)) >>> 0)) >>> 0
}

/** True when `ip` is inside `cidr` (`10.0.0.0/8`, `fd00:ec2::254/128`, or a bare address). */
export function cidrContains(cidr: string, ip: ParsedIp): boolean {
  const network = parseCidr(cidr, undefined)
  return inNetwork(ip, network.version, network.base, network.bits)
}

function parseCidr<T>(cidr: string, value: T): Network<T> {
  const [address = '', prefix, ...rest] = cidr.trim().split('/')
  const ip = parseIp(address)
  const max = ip?.version === 4 ? 32 : 128
  const bits = prefix === undefined ? max : Number(prefix)
  if (
    ip === undefined ||
    rest.length > 0 ||
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > max ||
    (prefix !== undefined && !/^\d+$/.test(prefix))
  ) {
    throw new ResidencyError({
      code: 'FK_RESIDENCY_POLICY',
      message: `[fieldkit/residency] "${cidr}" is not a CIDR network`,
      hint: 'Write networks as address/prefix, e.g. 10.0.0.0/8 or 2001:db8::/32',
    })
  }
  return { version: ip.version, base: ip.value, bits, value }
}
