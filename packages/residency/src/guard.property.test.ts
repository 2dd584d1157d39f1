import { isFieldkitError } from '@fieldkit/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Decision } from './decide'
import { createGuard } from './guard'
import {
  dotted,
  embedding,
  ipv6Forms,
  refContains,
  refParse,
  refSpecial,
  specialV4,
  u32,
  wellKnownSpecialV4,
} from './ip-reference.test-helper'
import { definePolicy } from './policy'

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
