import { isFieldkitError } from '@fieldkit/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CidrTable, cidrContains } from './cidr'
import { formatIp, parseIp } from './ip'
import { dotted, embedding, ipv6Forms, refContains, u32, u128 } from './ip-reference.test-helper'

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
