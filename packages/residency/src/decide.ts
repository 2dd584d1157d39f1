// One residency decision for one host and (at most) one address, the audit line it writes and the error that
// refuses it. Pure functions of the policy: the guard (guard.ts) resolves, caches and connects around them.
import type { EgressDecision, Logger } from '@fieldkit/core'
import { cidrContains } from './cidr'
import { ResidencyError } from './errors'
import { regionOfHost } from './host-region'
import { formatIp, type ParsedIp, parseIp, specialUse } from './ip'
import type { Policy } from './policy'
import { regionPatternMatches } from './regions'

/** A residency decision, with what the audit line records. */
export interface Decision extends EgressDecision {
  /** The provider the destination belongs to, when one was found (`aws`, `azure`, `gcp`, `policy`, …). */
  provider?: string
  /** The named regions of the policy the destination lies in (`eu`). */
  regions: string[]
  /** The regions the data class may go to. */
  allowedRegions: string[]
  mode: 'enforce' | 'report'
  /**
   * Every address of the resolver's answer that was judged (the IP itself for an IP literal; none when the name
   * alone decided). The decision allows only when each of them is allowed; `ip` is the one it names.
   */
  addresses: string[]
}

interface Location {
  region: string
  provider: string
  regions: string[]
  rule: string
}

/**
 * Decides whether data of `dataClass` may go to `host`, judged on `address` when one was resolved (or given as an
 * IP literal): special-use addresses first, then the policy's hosts, provider names and address ranges.
 */
export function decide(policy: Policy, host: string, address: string | undefined, dataClass: string): Decision {
  const rule = policy.dataClasses.get(dataClass)
  if (rule === undefined) {
    throw new ResidencyError({
      code: 'FK_RESIDENCY_POLICY',
      message: `[fieldkit/residency] unknown data class "${dataClass}"; the policy defines ${[...policy.dataClasses.keys()].join(', ')}`,
      hint: 'Use one of the policy’s data classes, or add this one to dataClasses',
    })
  }
  const base = { dataClass, host, allowedRegions: rule.allow, mode: policy.mode, addresses: [] as string[] }
  const ip: ParsedIp | undefined = address === undefined ? undefined : parseIp(address)
  const ipText = ip ? formatIp(ip) : undefined
  const withIp = ipText === undefined ? {} : { ip: ipText, addresses: [ipText] }

  if (address !== undefined && ip === undefined) {
    // An answer that is not an address cannot be checked, and the connector could not pin it.
    return {
      ...base,
      allowed: false,
      regions: [],
      reason: `resolver answered ${JSON.stringify(address.slice(0, 64))}, not an IP address`,
    }
  }
  if (ip !== undefined) {
    const range = specialUse(ip)
    if (range !== undefined && !specialAllowed(policy, host, ip)) {
      return { ...base, ...withIp, allowed: false, regions: [], reason: `special-use address: ${range}` }
    }
  }

  const location = locate(policy, host, ip)
  if (location === undefined) {
    const allowed = rule.unknown === 'allow'
    return {
      ...base,
      ...withIp,
      allowed,
      regions: [],
      reason: `region unknown; ${dataClass} ${allowed ? 'allows' : 'denies'} unknown destinations`,
    }
  }
  const allowed = location.regions.some((r) => rule.allow.includes(r))
  return {
    ...base,
    ...withIp,
    allowed,
    region: location.region,
    provider: location.provider,
    regions: location.regions,
    reason: location.rule,
  }
}

function specialAllowed(policy: Policy, host: string, ip: ParsedIp): boolean {
  if (policy.allowSpecialHosts.has(host)) return true
  return policy.allowSpecialNetworks.some((cidr) => cidrContains(cidr, ip))
}

function locate(policy: Policy, host: string, ip: ParsedIp | undefined): Location | undefined {
  const exact = policy.exactHosts.get(host)
  if (exact !== undefined)
    return { region: exact, provider: 'policy', regions: [exact], rule: `policy host ${host} → ${exact}` }
  for (const [suffix, region] of policy.wildcardHosts) {
    if (host.endsWith(suffix))
      return { region, provider: 'policy', regions: [region], rule: `policy host *${suffix} → ${region}` }
  }
  const named = regionOfHost(host)
  if (named !== undefined) return { ...named, regions: regionsOf(policy, named.provider, named.region) }
  if (ip !== undefined) {
    const hit = policy.ranges.lookup(ip)
    if (hit !== undefined) {
      const { cidr, region, provider } = hit.value
      const regions = policy.regions.has(region) ? [region] : regionsOf(policy, provider ?? '*', region)
      return {
        region,
        provider: provider ?? 'policy',
        regions,
        rule: `address in ${cidr} (${provider ?? 'policy'} ${region})`,
      }
    }
  }
  return undefined
}

function regionsOf(policy: Policy, provider: string, region: string): string[] {
  const names: string[] = []
  for (const [name, patterns] of policy.regions) {
    if (patterns.some((p) => regionPatternMatches(p, provider, region))) names.push(name)
  }
  return names
}

/** Writes the one audit line of a decision: info when allowed, warn when denied (or would be, in report mode). */
export function audit(log: Logger, decision: Decision, cached: boolean): void {
  const { dataClass, host, ip, addresses, region, provider, reason, allowed, mode } = decision
  const verdict = allowed
    ? 'egress allowed'
    : mode === 'report'
      ? 'egress would be denied (report mode)'
      : 'egress denied'
  const line = {
    event: 'residency.decision',
    dataClass,
    host,
    ip,
    addresses,
    region,
    provider,
    rule: reason,
    allowed,
    mode,
    cached,
  }
  if (allowed) log.info(line, verdict)
  else log.warn(line, verdict)
}

/** The `FK_RESIDENCY_DENIED` error for a refused decision: where the data would have gone, and which rule refused. */
export function deniedError(decision: Decision): ResidencyError {
  const where =
    decision.region === undefined
      ? 'an unknown region'
      : decision.provider === 'policy'
        ? `region ${decision.region}`
        : `${decision.provider} region ${decision.region}`
  const others =
    decision.addresses.length > 1 ? ` (1 of the ${decision.addresses.length} addresses it resolves to)` : ''
  return new ResidencyError({
    code: 'FK_RESIDENCY_DENIED',
    message: `[fieldkit/residency] ${decision.dataClass} data may not go to ${decision.host}${decision.ip && decision.ip !== decision.host ? ` (${decision.ip}${others})` : ''}: it is in ${where}; ${decision.dataClass} may go to ${decision.allowedRegions.join(', ') || 'no region'} (rule: ${decision.reason})`,
    hint: 'If this destination is right, add its host or network to the policy (hosts, ipRanges or allowSpecial) or allow its region for the data class; roll out changes with mode: "report" first',
    details: {
      host: decision.host,
      ip: decision.ip,
      addresses: decision.addresses,
      region: decision.region,
      dataClass: decision.dataClass,
      allowedRegions: decision.allowedRegions,
      rule: decision.reason,
    },
  })
}
