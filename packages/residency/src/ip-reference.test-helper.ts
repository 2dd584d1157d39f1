import fc from 'fast-check'
// ---------------------------------------------------------------------------------------------------------------
// Independent references, in BigInt, written without the package's parser.

export const U32 = 0xffff_ffffn
export const U128 = (1n << 128n) - 1n

export const dotted = (v4: bigint) => `${(v4 >> 24n) & 255n}.${(v4 >> 16n) & 255n}.${(v4 >> 8n) & 255n}.${v4 & 255n}`
export const hex16 = (v: bigint) => (v & 0xffffn).toString(16)

/** Strict reference reader for the syntax parseIp documents: dotted-decimal IPv4, IPv6 with brackets and zone. */
export function refParse(text: string): { version: 4 | 6; value: bigint } | undefined {
  const v4 = refV4(text)
  if (v4 !== undefined) return { version: 4, value: v4 }
  let host = text
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  const zone = host.indexOf('%')
  if (zone !== -1) {
    if (!/^[0-9a-zA-Z.:-]+$/.test(host.slice(zone + 1))) return undefined
    host = host.slice(0, zone)
  }
  const halves = host.split('::')
  if (halves.length > 2) return undefined
  const groupsOf = (part: string, last: boolean): bigint[] | undefined => {
    if (part === '') return []
    const tokens = part.split(':')
    const out: bigint[] = []
    for (const [i, token] of tokens.entries()) {
      if (last && i === tokens.length - 1 && token.includes('.')) {
        const tail = refV4(token)
        if (tail === undefined) return undefined
        out.push(tail >> 16n, tail & 0xffffn)
      } else if (/^[0-9a-fA-F]{1,4}$/.test(token)) out.push(BigInt(`0x${token}`))
      else return undefined
    }
    return out
  }
  const left = groupsOf(halves[0] as string, halves.length === 1)
  const right = halves.length === 2 ? groupsOf(halves[1] as string, true) : []
  if (left === undefined || right === undefined) return undefined
  const zeros = halves.length === 2 ? 8 - left.length - right.length : 0
  if (halves.length === 2 ? zeros < 1 : left.length !== 8) return undefined
  const groups = [...left, ...Array<bigint>(zeros).fill(0n), ...right]
  return { version: 6, value: groups.reduce((acc, g) => (acc << 16n) | g, 0n) }
}

export function refV4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined
  return parts.reduce((acc, p) => acc * 256n + BigInt(p), 0n)
}

/** The WHATWG URL host parser's IPv4 reading (inet_aton forms: hex, octal, fewer than four parts). */
export function refV4Extended(text: string): bigint {
  const numbers = text.split('.').map((part) => {
    if (/^0x/i.test(part)) return part.length === 2 ? 0n : BigInt(`0x${part.slice(2)}`)
    if (part.length > 1 && part.startsWith('0')) return BigInt(`0o${part.slice(1)}`)
    return BigInt(part)
  })
  const last = numbers.pop() as bigint
  return numbers.reduce((acc, n, i) => acc | (n << BigInt(8 * (3 - i))), 0n) + last
}

export function refContains(width: 32 | 128, base: bigint, bits: number, address: bigint): boolean {
  const shift = BigInt(width - bits)
  return base >> shift === address >> shift
}

// The special-use networks, as IANA lists them and the README names them (private, loopback, link-local and
// metadata, CGNAT, documentation, multicast, reserved, and every IPv6 form that embeds an IPv4 address).
export const SPECIAL_V4: [bigint, number][] = [
  [0x00000000n, 8],
  [0x0a000000n, 8],
  [0x64400000n, 10],
  [0x7f000000n, 8],
  [0xa9fe0000n, 16],
  [0xac100000n, 12],
  [0xc0000000n, 24],
  [0xc0000200n, 24],
  [0xc0a80000n, 16],
  [0xc6120000n, 15],
  [0xc6336400n, 24],
  [0xcb007100n, 24],
  [0xe0000000n, 4],
  [0xf0000000n, 4],
]
export const SPECIAL_V6: [bigint, number][] = [
  [0n, 96], // unspecified, loopback and IPv4-compatible
  [0xffffn << 32n, 96], // IPv4-mapped
  [0x64ff9bn << 96n, 96], // NAT64
  [0x64ff9b0001n << 80n, 48], // local NAT64
  [0x100n << 112n, 64], // discard
  [0x2001n << 112n, 32], // Teredo
  [0x20010db8n << 96n, 32], // documentation
  [0x2002n << 112n, 16], // 6to4
  [0xfcn << 120n, 7], // unique-local (fd00:ec2::254 is the EC2 metadata address)
  [0xfe80n << 112n, 10], // link-local
  [0xffn << 120n, 8], // multicast
]
export const refSpecial = (ip: { version: 4 | 6; value: bigint }) =>
  ip.version === 4
    ? SPECIAL_V4.some(([base, bits]) => refContains(32, base, bits, ip.value))
    : SPECIAL_V6.some(([base, bits]) => refContains(128, base, bits, ip.value))

// ---------------------------------------------------------------------------------------------------------------
// Generators.

export const u32 = fc.bigInt({ min: 0n, max: U32 })
export const u128 = fc.bigInt({ min: 0n, max: U128 })

/** An address inside one of the special IPv4 networks (random host bits). */
export const specialV4 = fc
  .tuple(fc.constantFrom(...SPECIAL_V4), u32)
  .map(([[base, bits], host]) => base | (host & (U32 >> BigInt(bits))))
export const wellKnownSpecialV4 = fc.constantFrom(
  0xa9fea9fen, // 169.254.169.254, cloud metadata
  0x7f000001n,
  0x0a000001n,
  0xc0a80101n,
  0xac100001n,
  0x64400001n,
  0n,
  U32,
)

/** Addresses with many zero groups, so there are runs of different lengths to compress. */
export const sparseV6 = fc
  .array(fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 0n, max: 0xffffn })), {
    minLength: 8,
    maxLength: 8,
  })
  .map((groups) => groups.reduce((acc, g) => (acc << 16n) | g, 0n))

/** An address inside one of the special IPv6 networks. */
export const specialV6 = fc
  .tuple(fc.constantFrom(...SPECIAL_V6), u128)
  .map(([[base, bits], host]) => base | (host & (U128 >> BigInt(bits))))

/** Any of the textual forms of one 128-bit value: compressed anywhere, padded, upper-case, dotted tail, brackets. */
export const ipv6Forms = fc
  .record({
    value: fc.oneof(u128, specialV6, sparseV6),
    run: fc.option(fc.tuple(fc.nat(7), fc.integer({ min: 1, max: 8 })), { nil: undefined }),
    dottedTail: fc.boolean(),
    pad: fc.boolean(),
    upper: fc.boolean(),
    bracket: fc.boolean(),
    zone: fc.option(fc.constantFrom('eth0', '1', 'en0.7', '1.2.3.4', 'a:b'), { nil: undefined, freq: 4 }),
  })
  .map(({ value, run, dottedTail, pad, upper, bracket, zone }) => {
    const groups = Array.from({ length: 8 }, (_, i) => (value >> BigInt(112 - 16 * i)) & 0xffffn)
    // Zero the chosen run so `::` may stand for it (never over a dotted tail).
    const limit = dottedTail ? 6 : 8
    const start = run === undefined ? undefined : Math.min(run[0], limit - 1)
    const end = start === undefined || run === undefined ? undefined : Math.min(start + run[1], limit)
    if (start !== undefined && end !== undefined) for (let i = start; i < end; i++) groups[i] = 0n
    const tokens = groups.map((g) => {
      const t = g.toString(16).padStart(pad ? 4 : 1, '0')
      return upper ? t.toUpperCase() : t
    })
    if (dottedTail) tokens.splice(6, 2, dotted(((groups[6] as bigint) << 16n) | (groups[7] as bigint)))
    // With a dotted tail the run ends at group 6 at the latest, so token and group indices agree up to there.
    const body =
      start === undefined || end === undefined
        ? tokens.join(':')
        : `${tokens.slice(0, start).join(':')}::${tokens.slice(end).join(':')}`
    const withZone = zone === undefined ? body : `${body}%${zone}`
    const expected = groups.reduce((acc, g) => (acc << 16n) | g, 0n)
    return { text: bracket ? `[${withZone}]` : withZone, value: expected }
  })

type EmbeddingForm =
  | 'mapped'
  | 'mapped-hex'
  | 'mapped-long'
  | 'compatible'
  | 'nat64'
  | 'nat64-local'
  | '6to4'
  | 'teredo'
/** IPv6 addresses that carry an IPv4 address, in the notations a resolver or an attacker would write them. */
export const embedding = (v4s: fc.Arbitrary<bigint>) =>
  fc
    .record({
      v4: v4s,
      form: fc.constantFrom<EmbeddingForm>(
        'mapped',
        'mapped-hex',
        'mapped-long',
        'compatible',
        'nat64',
        'nat64-local',
        '6to4',
        'teredo',
      ),
      upper: fc.boolean(),
      extra: fc.bigInt({ min: 0n, max: 0xffffn }),
    })
    .map(({ v4, form, upper, extra }) => {
      const hi = hex16(v4 >> 16n)
      const lo = hex16(v4)
      const [text, value] = {
        mapped: [`::ffff:${dotted(v4)}`, (0xffffn << 32n) | v4],
        'mapped-hex': [`::ffff:${hi}:${lo}`, (0xffffn << 32n) | v4],
        'mapped-long': [`0:0:0:0:0:ffff:${dotted(v4)}`, (0xffffn << 32n) | v4],
        compatible: [`::${dotted(v4)}`, v4],
        nat64: [`64:ff9b::${dotted(v4)}`, (0x64ff9bn << 96n) | v4],
        'nat64-local': [`64:ff9b:1:${hex16(extra)}::${dotted(v4)}`, (0x64ff9b0001n << 80n) | (extra << 64n) | v4],
        '6to4': [`2002:${hi}:${lo}:${hex16(extra)}::1`, (0x2002n << 112n) | (v4 << 80n) | (extra << 64n) | 1n],
        // Teredo keeps the client address inverted in the last 32 bits.
        teredo: [
          `2001:0:${hex16(extra)}:1:0:0:${hex16(~v4 >> 16n)}:${hex16(~v4)}`,
          (0x2001n << 112n) | (extra << 80n) | (1n << 64n) | (~v4 & U32),
        ],
      }[form] as [string, bigint]
      return { v4, form, text: upper ? text.toUpperCase() : text, value }
    })

/** Strings that look like addresses and are not quite: valid text with one character inserted, dropped or changed. */
export const nearIp = fc
  .tuple(
    fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      ipv6Forms.map((f) => f.text),
    ),
    fc.nat(),
    fc.constantFrom(...'0123456789abcdefABCDEFxX:.%[]/ \t\n-+'),
    fc.constantFrom('insert', 'delete', 'replace'),
  )
  .map(([text, at, c, op]) => {
    const i = at % (text.length + 1)
    if (op === 'insert') return text.slice(0, i) + c + text.slice(i)
    if (op === 'delete') return text.slice(0, i) + text.slice(i + 1)
    return text.slice(0, i) + c + text.slice(i + 1)
  })
export const ipAlphabet = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.%[]x'), maxLength: 48 })

// ---------------------------------------------------------------------------------------------------------------
