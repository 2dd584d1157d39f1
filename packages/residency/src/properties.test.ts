import { isFieldkitError } from '@fieldkit/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CidrTable, cidrContains } from './cidr'
import type { Decision } from './decide'
import { createGuard } from './guard'
import { regionOfHost } from './host-region'
import { formatIp, parseIp, specialUse } from './ip'
import { definePolicy } from './policy'

// ---------------------------------------------------------------------------------------------------------------
// Independent references, in BigInt, written without the package's parser.

const U32 = 0xffff_ffffn
const U128 = (1n << 128n) - 1n

const dotted = (v4: bigint) => `${(v4 >> 24n) & 255n}.${(v4 >> 16n) & 255n}.${(v4 >> 8n) & 255n}.${v4 & 255n}`
const hex16 = (v: bigint) => (v & 0xffffn).toString(16)

/** Strict reference reader for the syntax parseIp documents: dotted-decimal IPv4, IPv6 with brackets and zone. */
function refParse(text: string): { version: 4 | 6; value: bigint } | undefined {
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

function refV4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined
  return parts.reduce((acc, p) => acc * 256n + BigInt(p), 0n)
}

/** The WHATWG URL host parser's IPv4 reading (inet_aton forms: hex, octal, fewer than four parts). */
function refV4Extended(text: string): bigint {
  const numbers = text.split('.').map((part) => {
    if (/^0x/i.test(part)) return part.length === 2 ? 0n : BigInt(`0x${part.slice(2)}`)
    if (part.length > 1 && part.startsWith('0')) return BigInt(`0o${part.slice(1)}`)
    return BigInt(part)
  })
  const last = numbers.pop() as bigint
  return numbers.reduce((acc, n, i) => acc | (n << BigInt(8 * (3 - i))), 0n) + last
}

function refContains(width: 32 | 128, base: bigint, bits: number, address: bigint): boolean {
  const shift = BigInt(width - bits)
  return base >> shift === address >> shift
}

// The special-use networks, as IANA lists them and the README names them (private, loopback, link-local and
// metadata, CGNAT, documentation, multicast, reserved, and every IPv6 form that embeds an IPv4 address).
const SPECIAL_V4: [bigint, number][] = [
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
const SPECIAL_V6: [bigint, number][] = [
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
const refSpecial = (ip: { version: 4 | 6; value: bigint }) =>
  ip.version === 4
    ? SPECIAL_V4.some(([base, bits]) => refContains(32, base, bits, ip.value))
    : SPECIAL_V6.some(([base, bits]) => refContains(128, base, bits, ip.value))

// ---------------------------------------------------------------------------------------------------------------
// Generators.

const u32 = fc.bigInt({ min: 0n, max: U32 })
const u128 = fc.bigInt({ min: 0n, max: U128 })

/** An address inside one of the special IPv4 networks (random host bits). */
const specialV4 = fc
  .tuple(fc.constantFrom(...SPECIAL_V4), u32)
  .map(([[base, bits], host]) => base | (host & (U32 >> BigInt(bits))))
const wellKnownSpecialV4 = fc.constantFrom(
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
const sparseV6 = fc
  .array(fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 0n, max: 0xffffn })), {
    minLength: 8,
    maxLength: 8,
  })
  .map((groups) => groups.reduce((acc, g) => (acc << 16n) | g, 0n))

/** An address inside one of the special IPv6 networks. */
const specialV6 = fc
  .tuple(fc.constantFrom(...SPECIAL_V6), u128)
  .map(([[base, bits], host]) => base | (host & (U128 >> BigInt(bits))))

/** Any of the textual forms of one 128-bit value: compressed anywhere, padded, upper-case, dotted tail, brackets. */
const ipv6Forms = fc
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
const embedding = (v4s: fc.Arbitrary<bigint>) =>
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
const nearIp = fc
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
const ipAlphabet = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.%[]x'), maxLength: 48 })

// ---------------------------------------------------------------------------------------------------------------

describe('IP parsing on random and hostile text', () => {
  it('reads every dotted IPv4 address as its 32-bit value and formats it back to the same text', () => {
    fc.assert(
      fc.property(fc.ipV4(), (text) => {
        const ip = parseIp(text)
        expect(ip).toEqual({ version: 4, value: Number(refV4(text)) })
        expect(formatIp(ip as NonNullable<typeof ip>)).toBe(text)
      }),
      { numRuns: 300 },
    )
  })

  it('reads every textual form of an IPv6 address (compressed anywhere, padded, upper-case, dotted tail, brackets, zone) as its 128-bit value', () => {
    fc.assert(
      fc.property(ipv6Forms, ({ text, value }) => {
        expect(parseIp(text), text).toEqual({ version: 6, value })
      }),
      { numRuns: 500 },
    )
  })

  it('formats IPv6 as the WHATWG URL serialiser does (RFC 5952), and parse → format → parse is stable', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.ipV6(),
          ipv6Forms.map((f) => f.text.replace(/^\[|\]$/g, '').replace(/%.*$/, '')),
          sparseV6.map((v) => Array.from({ length: 8 }, (_, i) => hex16(v >> BigInt(112 - 16 * i))).join(':')),
        ),
        (text) => {
          const ip = parseIp(text)
          expect(ip?.version).toBe(6)
          const formatted = formatIp(ip as NonNullable<typeof ip>)
          expect(formatted).toBe(new URL(`http://[${text}]/`).hostname.slice(1, -1))
          expect(parseIp(formatted)).toEqual(ip)
          expect(formatIp(parseIp(formatted) as NonNullable<typeof ip>)).toBe(formatted)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('never reads an extended IPv4 form (hex, octal, short) as another address; the URL-normalised host is the WHATWG value', () => {
    fc.assert(
      fc.property(fc.ipV4Extended(), (text) => {
        const expected = refV4Extended(text)
        // parseIp takes dotted-decimal only: `010.0.0.1` must not come back as 10.0.0.1.
        const direct = parseIp(text)
        if (direct !== undefined) expect(direct).toEqual({ version: 4, value: Number(expected) })
        const normalised = parseIp(new URL(`http://${text}/`).hostname)
        expect(normalised).toEqual({ version: 4, value: Number(expected) })
        expect(formatIp(normalised as NonNullable<typeof normalised>)).toBe(dotted(expected))
      }),
      { numRuns: 300 },
    )
  })

  it('reads IPv4-mapped, -compatible, NAT64, 6to4 and Teredo addresses as their 128-bit value', () => {
    fc.assert(
      fc.property(embedding(u32), ({ text, value }) => {
        expect(parseIp(text), text).toEqual({ version: 6, value })
        expect(parseIp(`[${text}]`)).toEqual({ version: 6, value })
      }),
      { numRuns: 400 },
    )
  })

  it('classifies IPv4 addresses exactly as the special-use list (private, loopback, link-local/metadata, CGNAT…)', () => {
    fc.assert(
      fc.property(fc.oneof(u32, specialV4, wellKnownSpecialV4), (v4) => {
        const ip = parseIp(dotted(v4))
        expect(specialUse(ip as NonNullable<typeof ip>) !== undefined, dotted(v4)).toBe(
          refSpecial({ version: 4, value: v4 }),
        )
      }),
      { numRuns: 1000 },
    )
  })

  it('classifies IPv6 addresses exactly as the special-use list, whatever notation they are written in', () => {
    fc.assert(
      fc.property(fc.oneof(ipv6Forms, embedding(u32)), ({ text, value }) => {
        const ip = parseIp(text)
        expect(specialUse(ip as NonNullable<typeof ip>) !== undefined, text).toBe(refSpecial({ version: 6, value }))
      }),
      { numRuns: 500 },
    )
  })

  it('never lets an IPv6 form of an IPv4 address be less special than the IPv4 address: embedding forms are special whatever they embed', () => {
    fc.assert(
      fc.property(embedding(fc.oneof(u32, specialV4, wellKnownSpecialV4)), ({ v4, text }) => {
        const plain = parseIp(dotted(v4)) as NonNullable<ReturnType<typeof parseIp>>
        const embedded = parseIp(text) as NonNullable<ReturnType<typeof parseIp>>
        if (specialUse(plain) !== undefined) expect(specialUse(embedded), text).toBeDefined()
        // The documented stricter rule (ip.ts): a public IPv4 behind NAT64 or in a mapped form is special too.
        expect(specialUse(embedded), text).toBeDefined()
      }),
      { numRuns: 500 },
    )
  })

  it('gives undefined or a well-formed address for any string, never throws, and never reads text as another address', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 64 }),
          ipAlphabet,
          nearIp,
          fc.constantFrom('', '[]', '[', ']', '::', ':::', '%', '::%', '1.2.3.4%x', '0.0.0.0.0', '::ffff:1.2.3.256'),
          fc.integer({ min: 1, max: 5000 }).map((n) => '1:'.repeat(n)),
          fc.integer({ min: 1, max: 5000 }).map((n) => '9'.repeat(n)),
        ),
        (text) => {
          const ip = parseIp(text)
          if (ip === undefined) return
          const ref = refParse(text)
          expect(ref, `parseIp accepted ${JSON.stringify(text)}`).toBeDefined()
          expect(ip.version).toBe(ref?.version)
          expect(BigInt(ip.value)).toBe(ref?.value)
          if (ip.version === 4) expect(Number.isInteger(ip.value) && ip.value >= 0 && ip.value <= 0xffffffff).toBe(true)
          expect(parseIp(formatIp(ip))).toEqual(ip)
        },
      ),
      { numRuns: 1000 },
    )
  })
})

describe('CIDR membership against a BigInt reference', () => {
  /** An address near `base` (so roughly half fall inside), or anywhere. */
  const nearV4 = fc.tuple(u32, fc.integer({ min: 0, max: 32 }), u32).map(([base, bits, noise]) => ({
    version: 4 as const,
    base,
    bits,
    address: noise & 1n ? noise : base ^ (noise >> BigInt(Math.min(32, bits + Number(noise & 3n)))),
  }))
  const nearV6 = fc.tuple(u128, fc.integer({ min: 0, max: 128 }), u128).map(([base, bits, noise]) => ({
    version: 6 as const,
    base,
    bits,
    address: noise & 1n ? noise : base ^ (noise >> BigInt(Math.min(128, bits + Number(noise & 3n)))),
  }))

  it('an IPv4 address is inside a.b.c.d/n exactly when its first n bits are the network’s', () => {
    fc.assert(
      fc.property(nearV4, ({ base, bits, address }) => {
        const ip = parseIp(dotted(address)) as NonNullable<ReturnType<typeof parseIp>>
        expect(cidrContains(`${dotted(base)}/${bits}`, ip)).toBe(refContains(32, base, bits, address))
      }),
      { numRuns: 1000 },
    )
  })

  it('an IPv6 address is inside x::/n exactly when its first n bits are the network’s, in any notation', () => {
    fc.assert(
      fc.property(
        nearV6,
        ipv6Forms.filter((f) => !f.text.includes('%')),
        ({ base, bits, address }, notation) => {
          const ip = parseIp(formatIp({ version: 6, value: address })) as NonNullable<ReturnType<typeof parseIp>>
          expect(cidrContains(`${formatIp({ version: 6, value: base })}/${bits}`, ip)).toBe(
            refContains(128, base, bits, address),
          )
          // The network written in another notation means the same network.
          expect(cidrContains(`${notation.text}/${bits}`, ip)).toBe(refContains(128, notation.value, bits, address))
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('an address is never inside a network of the other version, mapped forms included', () => {
    fc.assert(
      fc.property(u32, fc.integer({ min: 0, max: 32 }), embedding(u32), (base, bits, mapped) => {
        const v6 = parseIp(mapped.text) as NonNullable<ReturnType<typeof parseIp>>
        const v4 = parseIp(dotted(mapped.v4)) as NonNullable<ReturnType<typeof parseIp>>
        expect(cidrContains(`${dotted(base)}/${bits}`, v6)).toBe(false)
        expect(cidrContains(`::/${bits * 4}`, v4)).toBe(false)
      }),
      { numRuns: 300 },
    )
  })

  it('a table of IPv4 and IPv6 networks answers with the longest matching prefix, as a linear scan does', () => {
    const network = fc.oneof(
      fc.tuple(fc.constant(4 as const), u32, fc.integer({ min: 0, max: 32 })),
      fc.tuple(fc.constant(6 as const), u128, fc.integer({ min: 0, max: 128 })),
    )
    fc.assert(
      fc.property(fc.array(network, { maxLength: 20 }), fc.oneof(nearV4, nearV6), (nets, probe) => {
        const version = probe.version
        const table = new CidrTable<number>()
        const all: [4 | 6, bigint, number][] = [...nets, [version, probe.base, probe.bits]]
        for (const [i, [v, base, bits]] of all.entries()) {
          table.add(`${v === 4 ? dotted(base) : formatIp({ version: 6, value: base })}/${bits}`, i)
        }
        const width = version === 4 ? 32 : 128
        let best: { i: number; bits: number } | undefined
        for (const [i, [v, base, bits]] of all.entries()) {
          if (v !== version || !refContains(width, base, bits, probe.address)) continue
          // The first network added for a prefix keeps it.
          if (best === undefined || bits > best.bits) best = { i, bits }
        }
        const ip = parseIp(
          version === 4 ? dotted(probe.address) : formatIp({ version: 6, value: probe.address }),
        ) as NonNullable<ReturnType<typeof parseIp>>
        expect(table.lookup(ip)).toEqual(best === undefined ? undefined : { value: best.i, bits: best.bits })
      }),
      { numRuns: 300 },
    )
  })

  it('accepts exactly `address` or `address/prefix` and refuses anything else with FK_RESIDENCY_POLICY', () => {
    const fragment = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.constantFrom('/', '//', '/8', '/24', '/32', '/33', '/128', '/129', '/-1', '/+8', '/0x10', '/1e1', '/ 8', ' '),
      fc.constantFrom('/08', '/9999999999999999999999', '0x7f.1', '[::1]', 'localhost', '%eth0', ''),
    )
    fc.assert(
      fc.property(fc.array(fragment, { minLength: 1, maxLength: 4 }), fc.ipV4(), (parts, probe) => {
        const cidr = parts.join('')
        const [address = '', ...prefixes] = cidr.trim().split('/')
        const ref = parseIp(address)
        const max = ref?.version === 4 ? 32 : 128
        const valid =
          ref !== undefined &&
          prefixes.length <= 1 &&
          (prefixes.length === 0 || (/^\d+$/.test(prefixes[0] as string) && Number(prefixes[0]) <= max))
        let outcome: 'ok' | 'refused'
        try {
          cidrContains(cidr, parseIp(probe) as NonNullable<ReturnType<typeof parseIp>>)
          outcome = 'ok'
        } catch (error) {
          expect(error).toMatchObject({ code: 'FK_RESIDENCY_POLICY' })
          expect(isFieldkitError(error)).toBe(true)
          outcome = 'refused'
        }
        expect(outcome, JSON.stringify(cidr)).toBe(valid ? 'ok' : 'refused')
      }),
      { numRuns: 1000 },
    )
  })
})

describe('regionOfHost on arbitrary names', () => {
  const providerHosts = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('s3', 'bedrock-runtime', 'sqs', 'ec2', 'lambda'),
        fc.constantFrom('us', 'eu', 'ap', 'sa', 'ca', 'me', 'af', 'il', 'mx', 'cn', 'us-gov'),
        fc.constantFrom('east', 'west', 'central', 'north', 'south', 'northeast', 'southeast'),
        fc.integer({ min: 1, max: 9 }),
      )
      .map(([service, area, direction, n]) => `${service}.${area}-${direction}-${n}.amazonaws.com`),
    fc.constantFrom(
      's3.eu-west-1.amazonaws.com',
      'bucket.s3-eu-west-1.amazonaws.com',
      'europe-west4-aiplatform.googleapis.com',
      'storage.europe-west3.rep.googleapis.com',
      'svc-abc.europe-west1.run.app',
      'westeurope.api.cognitive.microsoft.com',
      'acct-westeurope.documents.azure.com',
      'eu3.salesforce.com',
      'eu.api.openai.com',
    ),
  )
  const hostile = fc.oneof(
    fc.domain(),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    providerHosts,
    fc.tuple(providerHosts, fc.string({ unit: 'binary', maxLength: 20 })).map(([h, s]) => `${s}${h}${s}`),
    fc.integer({ min: 64, max: 20_000 }).map((n) => `${'a'.repeat(n)}.eu-west-1.amazonaws.com`),
    fc.integer({ min: 64, max: 5_000 }).map((n) => `${'eu-'.repeat(n)}west-1.amazonaws.com`),
    fc.integer({ min: 64, max: 5_000 }).map((n) => `${'europe-west'.repeat(n)}4-aiplatform.googleapis.com`),
    fc.integer({ min: 1, max: 5_000 }).map((n) => '.'.repeat(n)),
    fc.constantFrom(
      '',
      '.',
      '[',
      ']',
      '[]',
      '\u0000',
      'ＥＵ.api.openai.com',
      'eu.api.openai.com\u200b',
      's3.eu-west-1.amazonaws.com.',
    ),
  )

  it('never throws, and answers undefined or { provider, region, rule } with non-empty strings', () => {
    fc.assert(
      fc.property(hostile, (host) => {
        const found = regionOfHost(host)
        if (found === undefined) return
        expect(found).toEqual({ provider: expect.any(String), region: expect.any(String), rule: expect.any(String) })
        expect(found.provider.length * found.region.length * found.rule.length).toBeGreaterThan(0)
      }),
      { numRuns: 500 },
    )
  })

  it('places a provider name whatever its case and a final dot', () => {
    fc.assert(
      fc.property(fc.oneof(providerHosts, fc.domain()), (host) => {
        expect(regionOfHost(`${host.toUpperCase()}.`)).toEqual(regionOfHost(host))
      }),
      { numRuns: 300 },
    )
  })

  it('names nothing for a provider name followed by another domain (matching is anchored at the end)', () => {
    fc.assert(
      fc.property(providerHosts, fc.domain(), (host, domain) => {
        expect(regionOfHost(host)).toBeDefined()
        expect(regionOfHost(`${host}.${domain}.example`)).toBeUndefined()
      }),
      { numRuns: 300 },
    )
  })
})

describe('guard.check on hostile URLs and resolvers', () => {
  const ALLOWED_SPECIAL_HOST = 'mock.loopback.test'
  const ALLOWED_SPECIAL_NETWORK: [bigint, number] = [0x0a140000n, 16] // 10.20.0.0/16
  // Every public address is in `eu` here, so only the special-use rule stands between a class and any address.
  const policy = definePolicy({
    dataClasses: { pii: ['eu'], public: { allow: ['eu', 'us'], unknown: 'allow' } },
    hosts: { 'erp.client.example': 'eu', [ALLOWED_SPECIAL_HOST]: 'eu', '*.lake.eu.example': 'eu' },
    ipRanges: [
      { cidr: '0.0.0.0/0', region: 'eu' },
      { cidr: '::/0', region: 'eu' },
      { cidr: '169.254.169.254/32', region: 'eu' }, // a careless range must not make the metadata service reachable
    ],
    allowSpecial: ['127.0.0.1', '10.20.0.0/16', ALLOWED_SPECIAL_HOST],
  })

  const v4Address = fc.oneof(u32, specialV4, wellKnownSpecialV4, fc.constant(0x0a140001n))
  const resolvedAddress = fc.oneof(
    v4Address.map(dotted),
    embedding(fc.oneof(specialV4, wellKnownSpecialV4)).map((e) => e.text),
    fc.ipV6(),
    ipv6Forms.map((f) => f.text.replace(/^\[|\]$/g, '')),
    fc.constantFrom('::1', '::', 'fe80::1%eth0', 'fd00:ec2::254', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe'),
  )
  const hostText = fc.oneof(
    fc.domain(),
    // The policy's own names: placed in eu by name, so only the special-use rule can refuse them.
    { weight: 3, arbitrary: fc.constantFrom('erp.client.example', 'raw.lake.eu.example', ALLOWED_SPECIAL_HOST) },
    fc.constantFrom(
      'erp.client.example',
      ALLOWED_SPECIAL_HOST,
      'raw.lake.eu.example',
      's3.eu-west-1.amazonaws.com',
      's3.us-east-1.amazonaws.com',
      'metadata.google.internal',
      '169.254.169.254.nip.io',
      'localhost',
    ),
    v4Address.map(dotted),
    fc.ipV4Extended(),
    fc
      .oneof(
        fc.ipV6(),
        embedding(fc.oneof(u32, specialV4, wellKnownSpecialV4)).map((e) => e.text),
      )
      .map((h) => `[${h}]`),
    fc.constantFrom(
      '0x7f.1',
      '2130706433',
      '0251.0376.0251.0376',
      '%31%32%37.0.0.1',
      '１２７.0.0.1',
      '[::ffff:a9fe:a9fe]',
    ),
  )
  const url = fc.oneof(
    { weight: 4, arbitrary: hostText.map((h) => `http://${h}/latest/meta-data`) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('https', 'ws', 'ftp', 'file'), hostText)
        .map(([s, h]) => `${s}://user:pw@${h}:8443/x?y#z`),
    },
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.webUrl().map((u) => new URL(u)),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.constantFrom('', 'http://', 'http://[::1', 'http://[fe80::1%25eth0]/', 'http://a b/', 'mailto:x@y', '//host/'),
  )

  /** What a resolver answers: some addresses, none, or a failure. */
  const answer = fc.oneof(
    { weight: 8, arbitrary: fc.array(resolvedAddress, { minLength: 1, maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constant('fail' as const) },
    { weight: 1, arbitrary: fc.constant<string[]>([]) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.oneof(
          resolvedAddress,
          fc.constantFrom('', 'localhost', '999.1.1.1', '0x7f.1', '[::1]', '::1%', 'fe80::1%%'),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    },
  )

  const specialAllowed = (host: string, ip: { version: 4 | 6; value: bigint }) =>
    host === ALLOWED_SPECIAL_HOST ||
    (ip.version === 4 && (ip.value === 0x7f000001n || refContains(32, ...ALLOWED_SPECIAL_NETWORK, ip.value)))

  it('resolves to a decision or rejects with a Fieldkit error, and never allows a special-use address the policy does not name', async () => {
    await fc.assert(
      fc.asyncProperty(
        url,
        answer,
        fc.oneof({ weight: 9, arbitrary: fc.constantFrom('pii', 'public') }, { weight: 1, arbitrary: fc.string() }),
        async (target, addresses, dataClass) => {
          const asked: string[] = []
          const guard = createGuard(policy, {
            resolver: async (host) => {
              asked.push(host)
              if (addresses === 'fail') throw new Error(`no such host: ${host}`)
              return addresses
            },
          })
          let decision: Decision
          try {
            decision = await guard.check(target, dataClass)
          } catch (error) {
            expect(isFieldkitError(error), String(error)).toBe(true)
            return
          }
          expect(typeof decision.allowed).toBe('boolean')
          expect(decision.dataClass).toBe(dataClass)
          const host = decision.host
          const literal = refParse(host)
          // An IP literal is checked as it is; a name is resolved once and checked on what the resolver said.
          if (literal !== undefined) expect(asked).toEqual([])
          expect(asked.length).toBeLessThanOrEqual(1)
          if (decision.ip !== undefined) {
            const checked = refParse(decision.ip)
            expect(checked, decision.ip).toBeDefined()
            const candidates = (literal !== undefined ? [host] : addresses === 'fail' ? [] : addresses).map(
              (a) => refParse(a)?.value,
            )
            expect(candidates).toContain(checked?.value)
            const address = checked as NonNullable<typeof checked>
            if (refSpecial(address) && !specialAllowed(host, address)) {
              expect(decision.allowed, `${host} → ${decision.ip}`).toBe(false)
              expect(decision.reason).toMatch(/^special-use address/)
            }
          }
          // What the connector connects to is decision.ip: an allowed decision always names the address it checked.
          if (decision.allowed) expect(decision.ip, `allowed ${host} without an address`).toBeDefined()
        },
      ),
      { numRuns: 400 },
    )
  })

  it('allows a name only when every address of its answer alone would be allowed (issue 22, point 11)', async () => {
    const judge = async (addresses: string[]) =>
      (await createGuard(policy, { resolver: async () => addresses }).check('http://svc.client.test/', 'public'))
        .allowed
    await fc.assert(
      fc.asyncProperty(fc.array(resolvedAddress, { minLength: 1, maxLength: 4 }), async (addresses) => {
        const each = await Promise.all(addresses.map((a) => judge([a])))
        expect(await judge(addresses), addresses.join(' ')).toBe(each.every(Boolean))
      }),
      { numRuns: 300 },
    )
  })

  it('refuses the metadata service and loopback in every notation, for every class, unless named in allowSpecial', async () => {
    const guard = createGuard(policy, { resolver: async () => ['52.94.1.1'] })
    await fc.assert(
      fc.asyncProperty(
        embedding(fc.constantFrom(0xa9fea9fen, 0x7f000002n, 0x0a000001n, 0xc0a80001n, 0x64400001n)),
        fc.constantFrom('pii', 'public'),
        async ({ v4, text }, dataClass) => {
          for (const target of [`http://${dotted(v4)}/`, `http://[${text}]/`]) {
            const decision = await guard.check(target, dataClass)
            expect(decision.allowed, target).toBe(false)
            expect(decision.reason).toMatch(/^special-use address/)
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})
