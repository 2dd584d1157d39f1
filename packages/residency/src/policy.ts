import { expected } from '@fieldkit/core'
import { CidrTable, type IpRange } from './cidr'
import { ResidencyError } from './errors'
import { normaliseHost } from './host-region'
import { BUILTIN_REGIONS } from './regions'

/** What a data class may reach. */
export interface DataClassRule {
  /** Named regions this class may go to (`eu`, `uk`, a custom region, …). */
  allow: string[]
  /** Destinations whose region cannot be found: denied by default for every class but `public`. */
  unknown?: 'deny' | 'allow'
}

/** The policy as written by the integration: plain data, checked once by {@link definePolicy}. */
export interface PolicyInput {
  /** Custom named regions, as `provider:region` patterns (`aws:eu-*`, `azure:westeurope`, `EU`); added to eu/uk/ch/us. */
  regions?: Record<string, string[]>
  /** Data class → the regions it may go to (a list is short for `{ allow: list }`). */
  dataClasses: Record<string, string[] | DataClassRule>
  /** Hostnames and `*.suffix` patterns → a named region, for destinations the provider rules cannot place. */
  hosts?: Record<string, string>
  /** Networks → a named region or a provider region (user lists, or the provider files via `loadIpRanges`). */
  ipRanges?: IpRange[]
  /**
   * Private, loopback, link-local, CGNAT and other special-use destinations allowed by name: hostnames, IP
   * addresses or CIDR networks. Everything else special-use is refused for every data class (the SSRF guard).
   */
  allowSpecial?: string[]
  /** `enforce` refuses; `report` only logs "would deny" so a policy can be rolled out safely. Default `enforce`. */
  mode?: 'enforce' | 'report'
  /** How long a decision for a host is reused, in ms (default 30,000; 0 disables the cache). */
  cacheTtlMs?: number
}

/** A checked policy, ready for {@link createGuard}. */
export interface Policy {
  readonly mode: 'enforce' | 'report'
  readonly cacheTtlMs: number
  readonly regions: ReadonlyMap<string, readonly string[]>
  readonly dataClasses: ReadonlyMap<string, Required<DataClassRule>>
  readonly exactHosts: ReadonlyMap<string, string>
  readonly wildcardHosts: readonly [suffix: string, region: string][]
  readonly ranges: CidrTable<IpRange>
  readonly allowSpecialHosts: ReadonlySet<string>
  readonly allowSpecialNetworks: readonly string[]
}

/**
 * Checks a residency policy once and returns it ready for a guard: every data class names known regions, host
 * patterns and networks are well-formed. Throws `FK_RESIDENCY_POLICY` saying what to fix.
 *
 * @example
 * ```ts
 * const policy = definePolicy({
 *   dataClasses: { pii: ['eu'], financial: ['eu', 'uk'], public: { allow: ['eu', 'us'], unknown: 'allow' } },
 *   hosts: { 'erp.client.example': 'eu', '*.lake.eu.example': 'eu' },
 *   mode: 'report',
 * })
 * ```
 */
export function definePolicy(input: PolicyInput): Policy {
  if (typeof input !== 'object' || input === null) fail(expected('policy', 'an object', input))
  const regions = new Map<string, readonly string[]>(Object.entries(BUILTIN_REGIONS))
  for (const [name, patterns] of Object.entries(input.regions ?? {})) {
    if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string' || p === '')) {
      fail(expected(`regions.${name}`, 'a list of provider:region patterns', patterns))
    }
    regions.set(name, patterns)
  }
  const known = (region: string, where: string) => {
    if (!regions.has(region))
      fail(`\`${where}\` names the region "${region}", which is not defined; known: ${[...regions.keys()].join(', ')}`)
  }

  if (
    typeof input.dataClasses !== 'object' ||
    input.dataClasses === null ||
    Object.keys(input.dataClasses).length === 0
  ) {
    fail(expected('dataClasses', 'an object mapping at least one data class to its regions', input.dataClasses))
  }
  const dataClasses = new Map<string, Required<DataClassRule>>()
  for (const [name, rule] of Object.entries(input.dataClasses)) {
    const normal = Array.isArray(rule) ? { allow: rule } : rule
    if (!normal || !Array.isArray(normal.allow))
      fail(expected(`dataClasses.${name}`, 'a list of regions or { allow }', rule))
    for (const region of normal.allow) known(region, `dataClasses.${name}`)
    const unknown = normal.unknown ?? (name === 'public' ? 'allow' : 'deny')
    if (unknown !== 'allow' && unknown !== 'deny')
      fail(expected(`dataClasses.${name}.unknown`, "'allow' or 'deny'", unknown))
    dataClasses.set(name, { allow: [...normal.allow], unknown })
  }

  const exactHosts = new Map<string, string>()
  const wildcardHosts: [string, string][] = []
  for (const [pattern, region] of Object.entries(input.hosts ?? {})) {
    known(region, `hosts["${pattern}"]`)
    const host = normaliseHost(pattern)
    if (host.startsWith('*.')) wildcardHosts.push([host.slice(1), region])
    else if (host.includes('*')) fail(`Host pattern "${pattern}" may only start with "*." (e.g. *.eu.example)`)
    else exactHosts.set(host, region)
  }
  wildcardHosts.sort((a, b) => b[0].length - a[0].length)

  const ranges = new CidrTable<IpRange>()
  for (const range of input.ipRanges ?? []) {
    if (typeof range?.cidr !== 'string' || typeof range.region !== 'string') {
      fail(expected('ipRanges[]', '{ cidr, region }', range))
    }
    ranges.add(range.cidr, range)
  }

  const allowSpecialHosts = new Set<string>()
  const allowSpecialNetworks: string[] = []
  for (const entry of input.allowSpecial ?? []) {
    if (/^[0-9a-f:.]+(\/\d+)?$/i.test(entry) && (entry.includes(':') || /^\d/.test(entry))) {
      new CidrTable().add(entry, true)
      allowSpecialNetworks.push(entry)
    } else allowSpecialHosts.add(normaliseHost(entry))
  }

  const mode = input.mode ?? 'enforce'
  if (mode !== 'enforce' && mode !== 'report') fail(expected('mode', "'enforce' or 'report'", mode))
  const cacheTtlMs = input.cacheTtlMs ?? 30_000
  if (!Number.isFinite(cacheTtlMs) || cacheTtlMs < 0) fail(expected('cacheTtlMs', 'a non-negative number', cacheTtlMs))

  return {
    mode,
    cacheTtlMs,
    regions,
    dataClasses,
    exactHosts,
    wildcardHosts,
    ranges,
    allowSpecialHosts,
    allowSpecialNetworks,
  }
}

function fail(message: string): never {
  throw new ResidencyError({
    code: 'FK_RESIDENCY_POLICY',
    message: `[fieldkit/residency] invalid policy: ${message}`,
    hint: 'Fix the policy passed to definePolicy; the message names the field',
  })
}
