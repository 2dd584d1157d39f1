import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatIp, parseIp, specialUse } from './ip'
import {
  dotted,
  embedding,
  hex16,
  ipAlphabet,
  ipv6Forms,
  nearIp,
  refParse,
  refSpecial,
  refV4,
  refV4Extended,
  sparseV6,
  specialV4,
  u32,
  wellKnownSpecialV4,
} from './ip-reference.test-helper'

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
