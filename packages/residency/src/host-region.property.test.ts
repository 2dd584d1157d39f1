import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { regionOfHost } from './host-region'

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
