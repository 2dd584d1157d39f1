import { describe, expect, it } from 'vitest'
import { loadIpRanges } from './ip-ranges'
import { definePolicy } from './policy'

describe('definePolicy', () => {
  it('knows eu, uk, ch and us, and keeps custom regions', () => {
    const policy = definePolicy({
      regions: { dach: ['aws:eu-central-1', 'azure:germanywestcentral'] },
      dataClasses: { pii: ['dach'] },
    })
    expect([...policy.regions.keys()]).toEqual(['eu', 'uk', 'ch', 'us', 'dach'])
    expect(policy.dataClasses.get('pii')).toEqual({ allow: ['dach'], unknown: 'deny' })
  })

  it('allows unknown destinations for public only, unless told otherwise', () => {
    const policy = definePolicy({
      dataClasses: { public: ['eu'], logs: { allow: ['eu'], unknown: 'allow' }, pii: ['eu'] },
    })
    expect(policy.dataClasses.get('public')?.unknown).toBe('allow')
    expect(policy.dataClasses.get('logs')?.unknown).toBe('allow')
    expect(policy.dataClasses.get('pii')?.unknown).toBe('deny')
  })

  it.each([
    [{ dataClasses: {} }, /at least one data class/],
    [{ dataClasses: { pii: ['mars'] } }, /names the region "mars", which is not defined; known: eu, uk, ch, us/],
    [{ dataClasses: { pii: ['eu'] }, hosts: { 'a.*.example': 'eu' } }, /may only start with "\*\."/],
    [{ dataClasses: { pii: ['eu'] }, ipRanges: [{ cidr: '10.0.0.0/33', region: 'eu' }] }, /is not a CIDR network/],
    [{ dataClasses: { pii: ['eu'] }, mode: 'audit' }, /Expected `mode` to be 'enforce' or 'report', got "audit"/],
    [{ dataClasses: { pii: ['eu'] }, cacheTtlMs: -1 }, /Expected `cacheTtlMs` to be a non-negative number, got -1/],
    [{ dataClasses: { pii: ['eu'] }, allowSpecial: ['10.0.0.0/99'] }, /not a CIDR network/],
  ])('refuses %j with FK_RESIDENCY_POLICY', (input, message) => {
    expect(() => definePolicy(input as never)).toThrow(message)
    try {
      definePolicy(input as never)
    } catch (error) {
      expect(error).toMatchObject({ code: 'FK_RESIDENCY_POLICY' })
    }
  })
})

describe('loadIpRanges', () => {
  it('reads the AWS ip-ranges.json shape, leaving GLOBAL out', () => {
    const ranges = loadIpRanges(
      JSON.stringify({
        prefixes: [
          { ip_prefix: '3.5.140.0/22', region: 'ap-northeast-2', service: 'AMAZON' },
          { ip_prefix: '52.94.76.0/22', region: 'GLOBAL', service: 'AMAZON' },
        ],
        ipv6_prefixes: [{ ipv6_prefix: '2a05:d07a:a000::/40', region: 'eu-south-1', service: 'S3' }],
      }),
      'aws',
    )
    expect(ranges).toEqual([
      { cidr: '3.5.140.0/22', region: 'ap-northeast-2', provider: 'aws', service: 'AMAZON' },
      { cidr: '2a05:d07a:a000::/40', region: 'eu-south-1', provider: 'aws', service: 'S3' },
    ])
  })

  it('reads Azure Service Tags, leaving region-less tags out', () => {
    const ranges = loadIpRanges(
      {
        values: [
          {
            name: 'Storage.WestEurope',
            properties: { region: 'westeurope', systemService: 'AzureStorage', addressPrefixes: ['20.38.108.0/23'] },
          },
          { name: 'AzureCloud', properties: { region: '', addressPrefixes: ['13.64.0.0/11'] } },
        ],
      },
      'azure',
    )
    expect(ranges).toEqual([
      { cidr: '20.38.108.0/23', region: 'westeurope', provider: 'azure', service: 'AzureStorage' },
    ])
  })

  it('reads GCP cloud.json, leaving global scope out', () => {
    const ranges = loadIpRanges(
      {
        prefixes: [
          { ipv4Prefix: '34.1.208.0/20', service: 'Google Cloud', scope: 'europe-west1' },
          { ipv6Prefix: '2600:1900::/35', scope: 'global' },
        ],
      },
      'gcp',
    )
    expect(ranges).toEqual([
      { cidr: '34.1.208.0/20', region: 'europe-west1', provider: 'gcp', service: 'Google Cloud' },
    ])
  })

  it.each([
    ['{not json', 'aws', /not JSON/],
    [{ nothing: true }, 'aws', /no "prefixes" array/],
    [{ values: 3 }, 'azure', /no "values" array/],
    [{}, 'gcp', /no "prefixes" array/],
    [{}, 'oracle', /unknown range file provider "oracle"/],
  ])('refuses %j as %s with FK_RESIDENCY_POLICY', (json, provider, message) => {
    expect(() => loadIpRanges(json as never, provider as never)).toThrow(message)
  })

  it('feeds a policy: a range file entry places a resolved address', () => {
    const policy = definePolicy({
      dataClasses: { pii: ['eu'] },
      ipRanges: loadIpRanges({ prefixes: [{ ipv4Prefix: '34.1.208.0/20', scope: 'europe-west1' }] }, 'gcp'),
    })
    expect(policy.ranges.size).toBe(1)
  })
})
