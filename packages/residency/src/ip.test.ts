import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CidrTable } from './cidr'
import { formatIp, parseIp, specialUse } from './ip'

describe('IP parsing', () => {
  it.each([
    ['::ffff:127.0.0.1', '::ffff:7f00:1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['10.1.2.3', '10.1.2.3'],
  ])('%s formats as %s', (text, formatted) => {
    const ip = parseIp(text)
    expect(ip && formatIp(ip)).toBe(formatted)
  })

  it('round-trips every IPv4 and IPv6 address through parse and format', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (address) => {
        const ip = parseIp(address)
        expect(ip).toBeDefined()
        const again = parseIp(formatIp(ip as NonNullable<typeof ip>))
        expect(again?.value).toBe(ip?.value)
      }),
      { numRuns: 2000 },
    )
  })

  it('names the special-use range', () => {
    expect(specialUse(parseIp('169.254.169.254') as never)).toContain('metadata')
    expect(specialUse(parseIp('64:ff9b::808:808') as never)).toContain('NAT64')
    expect(specialUse(parseIp('8.8.8.8') as never)).toBeUndefined()
  })
})

describe('CidrTable', () => {
  it('answers with the most specific network', () => {
    const table = new CidrTable<string>()
    table.add('10.0.0.0/8', 'wide')
    table.add('10.1.0.0/16', 'narrow')
    table.add('2a05:d07a:a000::/40', 'v6')
    expect(table.lookup(parseIp('10.1.2.3') as never)).toEqual({ value: 'narrow', bits: 16 })
    expect(table.lookup(parseIp('10.2.0.1') as never)).toEqual({ value: 'wide', bits: 8 })
    expect(table.lookup(parseIp('2a05:d07a:a0ff::1') as never)?.value).toBe('v6')
    expect(table.lookup(parseIp('11.0.0.1') as never)).toBeUndefined()
  })

  it('agrees with a linear scan on random networks and addresses', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })), { maxLength: 30 }),
        fc.ipV4(),
        (nets, address) => {
          const table = new CidrTable<number>()
          for (const [i, [base, bits]] of nets.entries()) table.add(`${base}/${bits}`, i)
          const ip = parseIp(address) as { version: 4; value: number }
          const mask = (bits: number) => (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0)
          let best: { i: number; bits: number } | undefined
          nets.forEach(([base, bits], i) => {
            const b = (parseIp(base) as { value: number }).value
            const same = (b & mask(bits)) >>> 0 === (ip.value & mask(bits)) >>> 0
            const firstOfItsKind =
              nets.findIndex(
                ([b2, bits2]) =>
                  bits2 === bits &&
                  ((parseIp(b2) as { value: number }).value & mask(bits)) >>> 0 === (b & mask(bits)) >>> 0,
              ) === i
            if (same && firstOfItsKind && (best === undefined || bits > best.bits)) best = { i, bits }
          })
          expect(table.lookup(ip)?.value).toBe(best?.i)
        },
      ),
      { numRuns: 500 },
    )
  })
})
