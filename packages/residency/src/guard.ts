import type { LookupAddress, LookupOptions } from 'node:dns'
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { type EgressGuard, type Logger, resolveLogger } from '@fieldkit/core'
import { buildConnector, type Dispatcher } from 'undici'
import { audit, type Decision, decide, deniedError } from './decide'
import { ResidencyError } from './errors'
import { normaliseHost } from './host-region'
import type { Policy } from './policy'

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
  /**
   * A `dns.lookup`-compatible function for `net.connect`, `tls.connect` or undici's `connect: { lookup }`: resolves
   * once, judges every address, and answers only with the checked ones (or `FK_RESIDENCY_DENIED`), so a dispatcher
   * built elsewhere (an auth strategy's own) connects only to an address the policy allows.
   */
  lookup(dataClass: string): GuardLookup
}

/** The `lookup` option of `net.connect`: answers one address, or all of them when `options.all` is set. */
export type GuardLookup = (
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void

const defaultResolver = async (host: string) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address)

/** What the guard's helpers share: the policy, the audit logger, the resolver and the decision cache. */
interface GuardContext {
  policy: Policy
  log: Logger
  resolver: (host: string) => Promise<string[]>
  cache: Map<string, { decision: Decision; expires: number }>
}

type Enforce = (host: string, dataClass: string) => Promise<Decision>

/**
 * Makes a policy executable: every outbound connection is checked against the regions its data class may reach,
 * on the address actually connected to (no DNS-rebinding window), with one audit line per decision. Every address
 * of a resolver's answer is judged, and one denied address denies the name. Special-use addresses (private,
 * loopback, link-local and metadata, CGNAT, IPv4-embedding IPv6) are refused unless the policy allows them by name,
 * so the same guard stops SSRF.
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
  const context: GuardContext = {
    policy,
    log: resolveLogger(options.logger, 'residency'),
    resolver: options.resolver ?? defaultResolver,
    cache: new Map(),
  }
  const enforce: Enforce = async (host, dataClass) => {
    const decision = await resolveAndDecide(context, host, dataClass)
    if (!decision.allowed && policy.mode === 'enforce') throw deniedError(decision)
    return decision
  }
  return {
    check: async (url, dataClass) => resolveAndDecide(context, hostOf(url), dataClass),
    connector: (dataClass) => pinnedConnector(enforce, dataClass, options.connect),
    interceptor: (dataClass) => refusingInterceptor(enforce, dataClass),
    lookup: (dataClass) => checkedLookup(enforce, dataClass),
  }
}

function hostOf(url: URL | string): string {
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
  return host
}

/** Resolves (unless the host is an IP literal) and judges every address of the answer; cached per class and host. */
async function resolveAndDecide(context: GuardContext, rawHost: string, dataClass: string): Promise<Decision> {
  const { policy, cache, log } = context
  const host = normaliseHost(rawHost)
  const key = `${dataClass}\u0000${host}`
  const now = Date.now()
  const hit = cache.get(key)
  if (hit !== undefined && hit.expires > now) {
    audit(log, hit.decision, true)
    return hit.decision
  }
  let decision: Decision
  if (isIP(host) !== 0) decision = decide(policy, host, host, dataClass)
  else {
    const byName = decide(policy, host, undefined, dataClass)
    // The name alone places the host outside the class's regions: no need to resolve it.
    if (!byName.allowed && byName.region !== undefined && policy.mode === 'enforce') decision = byName
    else decision = judgeEvery(policy, host, await resolve(context, host, dataClass), dataClass)
  }
  if (policy.cacheTtlMs > 0) {
    if (cache.size > 10_000) cache.clear()
    cache.set(key, { decision, expires: now + policy.cacheTtlMs })
  }
  audit(log, decision, false)
  return decision
}

async function resolve(context: GuardContext, host: string, dataClass: string): Promise<string[]> {
  try {
    const addresses = await context.resolver(host)
    // No address means nothing was checked: never fall back to the name, which the socket would resolve again.
    if (addresses.length === 0) throw new Error(`the resolver found no address for ${host}`)
    return addresses
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

/**
 * Judges every address of an answer: one denied address denies the name (an answer such as `['93.184.216.36',
 * '127.0.0.1']` must not pass on its first address), and the decision lists every address it judged.
 */
function judgeEvery(policy: Policy, host: string, addresses: string[], dataClass: string): Decision {
  const decisions = addresses.map((address) => decide(policy, host, address, dataClass))
  const judged = [...new Set(decisions.map((d, i) => d.ip ?? (addresses[i] as string).slice(0, 64)))]
  const refused = decisions.find((d) => !d.allowed)
  return { ...(refused ?? (decisions[0] as Decision)), addresses: judged }
}

function pinnedConnector(
  enforce: Enforce,
  dataClass: string,
  options: buildConnector.BuildOptions | undefined,
): buildConnector.connector {
  const connect = buildConnector(options ?? {})
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
}

function refusingInterceptor(enforce: Enforce, dataClass: string): Dispatcher.DispatcherComposeInterceptor {
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
}

function checkedLookup(enforce: Enforce, dataClass: string): GuardLookup {
  return (hostname, options, callback) => {
    const family = familyOf(options)
    enforce(hostname, dataClass).then(
      (decision) => {
        const checked = decision.addresses.filter((a) => isIP(a) !== 0 && (family === 0 || isIP(a) === family))
        const first = checked[0]
        if (first === undefined) {
          const error = new ResidencyError({
            code: 'FK_RESIDENCY_RESOLVE',
            message: `[fieldkit/residency] no checked IPv${family} address for ${decision.host} (${dataClass} data)`,
            hint: 'The connection asked for one address family and the checked answer has none; check the host’s DNS records or the socket’s family option',
            details: { host: decision.host, dataClass, family },
          })
          callback(error as NodeJS.ErrnoException, options.all ? [] : '', 0)
          return
        }
        if (options.all)
          callback(
            null,
            checked.map((address) => ({ address, family: isIP(address) })),
          )
        else callback(null, first, isIP(first))
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, options.all ? [] : '', 0),
    )
  }
}

function familyOf(options: LookupOptions | number | undefined): 0 | 4 | 6 {
  const family = typeof options === 'number' ? options : options?.family
  if (family === 4 || family === 'IPv4') return 4
  if (family === 6 || family === 'IPv6') return 6
  return 0
}
