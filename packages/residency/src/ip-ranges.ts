import type { IpRange } from './cidr'
import { ResidencyError } from './errors'

/**
 * The cloud providers whose published IP range files {@link loadIpRanges} reads.
 *
 * @example
 * ```ts
 * const provider: IpRangeProvider = 'aws'
 * loadIpRanges(readFileSync('ip-ranges.json', 'utf8'), provider)
 * ```
 */
export type IpRangeProvider = 'aws' | 'azure' | 'gcp'

/**
 * Reads a cloud provider's published IP range file into ranges for a policy's `ipRanges`: AWS `ip-ranges.json`,
 * Azure Service Tags (`ServiceTags_Public_*.json`) or GCP `cloud.json`. Global entries (no region) are left out,
 * since they say nothing about residency. Read the file yourself (they are large and change weekly; keep a
 * reviewed copy with the integration), then pass its text or parsed JSON.
 *
 * @example
 * ```ts
 * const aws = loadIpRanges(readFileSync('ip-ranges.json', 'utf8'), 'aws')
 * const policy = definePolicy({ dataClasses: { pii: ['eu'] }, ipRanges: aws })
 * ```
 */
export function loadIpRanges(json: string | object, provider: IpRangeProvider): IpRange[] {
  let data: unknown = json
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json)
    } catch (cause) {
      throw invalid(provider, 'it is not JSON', cause)
    }
  }
  const record = (data ?? {}) as Record<string, unknown>
  const ranges: IpRange[] = []
  if (provider === 'aws') {
    const v4 = record.prefixes
    const v6 = record.ipv6_prefixes
    if (!Array.isArray(v4)) throw invalid(provider, 'it has no "prefixes" array')
    for (const p of [...v4, ...(Array.isArray(v6) ? v6 : [])] as Record<string, unknown>[]) {
      const cidr = p.ip_prefix ?? p.ipv6_prefix
      if (typeof cidr === 'string' && typeof p.region === 'string' && p.region !== 'GLOBAL') {
        ranges.push({
          cidr,
          region: p.region,
          provider: p.region.startsWith('cn-') ? 'aws-cn' : p.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws',
          service: String(p.service ?? ''),
        })
      }
    }
  } else if (provider === 'azure') {
    const values = record.values
    if (!Array.isArray(values)) throw invalid(provider, 'it has no "values" array')
    for (const tag of values as Record<string, unknown>[]) {
      const properties = (tag.properties ?? {}) as Record<string, unknown>
      const region = properties.region
      if (typeof region !== 'string' || region === '' || !Array.isArray(properties.addressPrefixes)) continue
      for (const cidr of properties.addressPrefixes) {
        if (typeof cidr === 'string')
          ranges.push({ cidr, region, provider: 'azure', service: String(properties.systemService || tag.name || '') })
      }
    }
  } else if (provider === 'gcp') {
    const prefixes = record.prefixes
    if (!Array.isArray(prefixes)) throw invalid(provider, 'it has no "prefixes" array')
    for (const p of prefixes as Record<string, unknown>[]) {
      const cidr = p.ipv4Prefix ?? p.ipv6Prefix
      if (typeof cidr === 'string' && typeof p.scope === 'string' && p.scope !== 'global') {
        ranges.push({ cidr, region: p.scope, provider: 'gcp', service: String(p.service ?? '') })
      }
    }
  } else {
    throw new ResidencyError({
      code: 'FK_RESIDENCY_POLICY',
      message: `[fieldkit/residency] unknown range file provider "${String(provider)}"`,
      hint: "Pass 'aws', 'azure' or 'gcp' as the second argument of loadIpRanges",
    })
  }
  return ranges
}

function invalid(provider: IpRangeProvider, why: string, cause?: unknown): ResidencyError {
  return new ResidencyError({
    code: 'FK_RESIDENCY_POLICY',
    message: `[fieldkit/residency] the ${provider} IP range file could not be read: ${why}`,
    hint: 'Pass the provider file as published (AWS ip-ranges.json, Azure ServiceTags_Public, GCP cloud.json) and check the provider argument',
    cause,
  })
}
