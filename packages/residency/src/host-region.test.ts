import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { regionOfHost } from './host-region'

interface Case {
  kind: string
  value: string
  provider?: string | null
  region?: string | null
  note?: string
}
const cases = (
  JSON.parse(
    readFileSync(new URL('../../../fixtures/shared/vectors/pii-cases.json', import.meta.url), 'utf8'),
  ) as Case[]
).filter((c) => c.kind === 'cloud_host_region')

describe('regionOfHost — shared/vectors/pii-cases.json cloud_host_region', () => {
  it('has the cases', () => expect(cases.length).toBeGreaterThan(40))

  it.each(cases.filter((c) => c.region))('$value → $provider $region', ({ value, provider, region }) => {
    expect(regionOfHost(value)).toMatchObject({ provider, region })
  })

  it.each(cases.filter((c) => !c.region))('$value → no region from the name alone', ({ value }) => {
    expect(regionOfHost(value)).toBeUndefined()
  })
})

describe('regionOfHost — more forms', () => {
  it.each([
    ['s3.eusc-de-east-1.amazonaws.eu', 'aws-eusc', 'eusc-de-east-1'],
    ['bedrock-runtime.us-east-1.amazonaws.com', 'aws', 'us-east-1'],
    ['ec2-1-2-3-4.compute-1.amazonaws.com', 'aws', 'us-east-1'],
    ['us-central1-aiplatform.googleapis.com', 'gcp', 'us-central1'],
    ['ap5.salesforce.com', 'salesforce', 'AP (legacy instance)'],
  ])('%s → %s %s', (host, provider, region) => {
    expect(regionOfHost(host)).toMatchObject({ provider, region })
  })

  it('names the rule that placed the host', () => {
    expect(regionOfHost('dynamodb.us-west-2.amazonaws.com')?.rule).toContain('us-west-2')
  })

  it.each([
    'amazonaws.com',
    'eu-west-1.amazonaws.com.example',
    'xeu-west-1.amazonaws.com',
    'europe-west1.run.app.evil',
    '',
  ])('lookalike or bare %j names nothing', (host) => expect(regionOfHost(host)).toBeUndefined())

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.domain(), fc.string({ unit: 'binary', maxLength: 300 })), (host) => {
        const found = regionOfHost(host)
        expect(found === undefined || typeof found.region === 'string').toBe(true)
      }),
      { numRuns: 2000 },
    )
  })
})
