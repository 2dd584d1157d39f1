import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { type EgressDecision, type EgressGuard, type Logger, resolveLogger } from '@fieldkit/core'
import { buildConnector, type Dispatcher } from 'undici'
import { cidrContains } from './cidr'
import { ResidencyError } from './errors'
import { normaliseHost, regionOfHost } from './host-region'
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
}

/** Options of {@link createGuard}. */
export interface GuardOptions {
  /** pino logger for the audit lines (silent by default). */
  logger?: Logger
  /** Resolves a hostname to its addresses; `dns.lookup` with `all: true` by default. Tests inject one. */
  resolver?: (host: string) => Promise<string[]>
  /** TLS and socket options for the connector (`ca`, `rejectUnauthorized`, `timeout`…), as undici's `buildConnector` takes them. */
  connect?: buildConnector.BuildOptions
}

/** The guard: an {@link EgressGuard} for `@fieldkit/http`, and the same checks for plain undici. */
export interface Guard extends EgressGuard {
  /** Decides whether data of `dataClass` may go to `url`: resolves the host and checks the name and every address. */
  check(url: URL | string, dataClass: string): Promise<Decision>
  /** An undici `connect` function: resolve, check, then connect to exactly the checked IP, before any byte is sent. */
  connector(dataClass: string): buildConnector.connector
  /** An undici interceptor that refuses a request (and every redirect it follows) before dispatching it. */
  interceptor(dataClass: string): Dispatcher.DispatcherComposeInterceptor
}

const defaultResolver = async (host: string) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address)

/**
 * Makes a policy executable: every outbound connection is checked against the regions its data class may reach,
 * on the address actually connected to (no DNS-rebinding window), with one audit line per decision.
 * Special-use addresses (private, loopback, link-local and metadata, CGNAT, IPv4-embedding IPv6) are refused unless
 * the policy allows them by name, so the same guard stops SSRF.
 *
 * @example
 * ```ts
 * const guard = createGuard(definePolicy({ dataClasses: { pii: ['eu'] } }), { logger: pino() })
 * const agent = new Agent({ connect: guard.connector('pii') })
 * await request('https://s3.eu-west-1.amazonaws.com/bucket/key', { dispatcher: agent })   // allowed
 * await request('https://s3.us-east-1.amazonaws.com/bucket/key', { dispatcher: agent })   // FK_RESIDENCY_DENIED
 * ```
 */
export function createGuard(policy: Policy, options: GuardOptions = {}): Guard {
  const log = resolveLogger(options.logger, 'residency')
  const resolver = options.resolver ?? defaultResolver
  const cache = new Map<string, { decision: Decision; expires: number }>()

  function decide(host: string, address: string | undefined, dataClass: string): Decision {
    const rule = policy.dataClasses.get(dataClass)
    if (rule === undefined) {
      throw new ResidencyError({
        code: 'FK_RESIDENCY_POLICY',
        message: `[fieldkit/residency] unknown data class "${dataClass}"; the policy defines ${[...policy.dataClasses.keys()].join(', ')}`,
        hint: 'Use one of the policy’s data classes, or add this one to dataClasses',
      })
    }
    const base = { dataClass, host, allowedRegions: rule.allow, mode: policy.mode }
    const ip: ParsedIp | undefined = address === undefined ? undefined : parseIp(address)
    const ipText = ip ? formatIp(ip) : undefined
    const withIp = ipText === undefined ? {} : { ip: ipText }

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
      if (range !== undefined && !specialAllowed(host, ip)) {
        return { ...base, ...withIp, allowed: false, regions: [], reason: `special-use address: ${range}` }
      }
    }

    const location = locate(host, ip)
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

  function specialAllowed(host: string, ip: ParsedIp): boolean {
    if (policy.allowSpecialHosts.has(host)) return true
    return policy.allowSpecialNetworks.some((cidr) => cidrContains(cidr, ip))
  }

  function locate(
    host: string,
    ip: ParsedIp | undefined,
  ): { region: string; provider: string; regions: string[]; rule: string } | undefined {
    const exact = policy.exactHosts.get(host)
    if (exact !== undefined)
      return { region: exact, provider: 'policy', regions: [exact], rule: `policy host ${host} → ${exact}` }
    for (const [suffix, region] of policy.wildcardHosts) {
      if (host.endsWith(suffix))
        return { region, provider: 'policy', regions: [region], rule: `policy host *${suffix} → ${region}` }
    }
    const named = regionOfHost(host)
    if (named !== undefined) return { ...named, regions: regionsOf(named.provider, named.region) }
    if (ip !== undefined) {
      const hit = policy.ranges.lookup(ip)
      if (hit !== undefined) {
        const { cidr, region, provider } = hit.value
        const regions = policy.regions.has(region) ? [region] : regionsOf(provider ?? '*', region)
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

  function regionsOf(provider: string, region: string): string[] {
    const names: string[] = []
    for (const [name, patterns] of policy.regions) {
      if (patterns.some((p) => regionPatternMatches(p, provider, region))) names.push(name)
    }
    return names
  }

  function audit(decision: Decision, cached: boolean): void {
    const { dataClass, host, ip, region, provider, reason, allowed, mode } = decision
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

  /** Resolves (unless the host is an IP literal), decides for each address and keeps the first allowed one. */
  async function resolveAndDecide(rawHost: string, dataClass: string): Promise<Decision> {
    const host = normaliseHost(rawHost)
    const key = `${dataClass}\u0000${host}`
    const now = Date.now()
    const hit = cache.get(key)
    if (hit !== undefined && hit.expires > now) {
      audit(hit.decision, true)
      return hit.decision
    }
    let addresses: string[]
    if (isIP(host) !== 0) addresses = [host]
    else {
      const byName = decide(host, undefined, dataClass)
      if (!byName.allowed && byName.region !== undefined && policy.mode === 'enforce') {
        // The name alone places the host outside the class's regions: no need to resolve it.
        addresses = []
      } else {
        try {
          addresses = await resolver(host)
          // No address means nothing was checked: never fall back to the name, which the socket would resolve again.
          if (addresses.length === 0) throw new Error(`the resolver found no address for ${host}`)
        } catch (cause) {
          throw new ResidencyError({
            code: 'FK_RESIDENCY_RESOLVE',
            message: `[fieldkit/residency] could not resolve ${host} to check it for ${dataClass} data`,
            hint: 'Check the hostname and DNS from this machine; the guard never connects to a host it could not check',
            cause,
            details: { host, dataClass },
          })
        }
      }
      if (addresses.length === 0) return remember(key, byName, now)
    }
    let first: Decision | undefined
    for (const address of addresses) {
      const decision = decide(host, address, dataClass)
      if (decision.allowed) return remember(key, decision, now)
      first ??= decision
    }
    return remember(key, first as Decision, now)
  }

  function remember(key: string, decision: Decision, now: number): Decision {
    if (policy.cacheTtlMs > 0) {
      if (cache.size > 10_000) cache.clear()
      cache.set(key, { decision, expires: now + policy.cacheTtlMs })
    }
    audit(decision, false)
    return decision
  }

  function denied(decision: Decision): ResidencyError {
    const where =
      decision.region === undefined
        ? 'an unknown region'
        : decision.provider === 'policy'
          ? `region ${decision.region}`
          : `${decision.provider} region ${decision.region}`
    return new ResidencyError({
      code: 'FK_RESIDENCY_DENIED',
      message: `[fieldkit/residency] ${decision.dataClass} data may not go to ${decision.host}${decision.ip && decision.ip !== decision.host ? ` (${decision.ip})` : ''}: it is in ${where}; ${decision.dataClass} may go to ${decision.allowedRegions.join(', ') || 'no region'} (rule: ${decision.reason})`,
      hint: 'If this destination is right, add its host or network to the policy (hosts, ipRanges or allowSpecial) or allow its region for the data class; roll out changes with mode: "report" first',
      details: {
        host: decision.host,
        ip: decision.ip,
        region: decision.region,
        dataClass: decision.dataClass,
        allowedRegions: decision.allowedRegions,
        rule: decision.reason,
      },
    })
  }

  async function enforce(host: string, dataClass: string): Promise<Decision> {
    const decision = await resolveAndDecide(host, dataClass)
    if (!decision.allowed && policy.mode === 'enforce') throw denied(decision)
    return decision
  }

  return {
    async check(url, dataClass) {
      let host: unknown
      try {
        host = typeof url === 'string' ? new URL(url).hostname : url.hostname
      } catch {
        // No cause kept: URL's TypeError carries the whole text as `input`.
      }
      if (typeof host !== 'string') {
        // The text is not echoed: a URL may carry credentials or personal data.
        throw new ResidencyError({
          code: 'FK_RESIDENCY_INVALID_URL',
          message: `[fieldkit/residency] Expected \`url\` to be an absolute URL or a URL object, got an unparseable ${typeof url}`,
          hint: 'Pass the full URL the data is sent to, e.g. https://erp.client.example/api',
        })
      }
      return resolveAndDecide(host, dataClass)
    },

    connector(dataClass) {
      const connect = buildConnector(options.connect ?? {})
      return (connectOptions, callback) => {
        const host = connectOptions.hostname
        enforce(host, dataClass).then(
          (decision) => {
            const literal = isIP(normaliseHost(host)) !== 0
            connect(
              {
                ...connectOptions,
                hostname: decision.ip ?? host,
                servername: connectOptions.servername ?? (literal ? undefined : normaliseHost(host)),
              },
              callback,
            )
          },
          (error: Error) => callback(error, null),
        )
      }
    },

    interceptor(dataClass) {
      return (dispatch) => (opts, handler) => {
        const origin = typeof opts.origin === 'string' ? new URL(opts.origin) : (opts.origin as URL)
        enforce(origin.hostname, dataClass).then(
          () => dispatch(opts, handler),
          (error: Error) => {
            const h = handler as { onResponseError?: (c: null, e: Error) => void; onError?: (e: Error) => void }
            if (typeof h.onResponseError === 'function') h.onResponseError(null, error)
            else h.onError?.(error)
          },
        )
        return true
      }
    },
  }
}
