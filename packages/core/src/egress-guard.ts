/** The outcome of one residency decision. */
export interface EgressDecision {
  allowed: boolean
  /** The region the destination was found in, when one was found. */
  region?: string
  /** Which rule decided, in words (`host pattern *.eu.example → eu`, `default deny for pii`). */
  reason: string
  dataClass: string
  host: string
  /** The IP address that was checked (and connected to), when the check ran at connect time. */
  ip?: string
}

/**
 * How `@fieldkit/http` consults a residency guard from `@fieldkit/residency` without depending on it: the guard
 * checks each destination, and supplies the undici connector that checks the resolved IP at connect time.
 *
 * @example
 * ```ts
 * const guard: EgressGuard = createGuard(policy)
 * const decision = await guard.check(new URL('https://api.eu.example'), 'pii')
 * ```
 */
export interface EgressGuard {
  check(url: URL | string, dataClass: string): Promise<EgressDecision>
  /**
   * An undici `connect` function for this data class: resolve, check, then connect to exactly the checked IP; it
   * fails with `FK_RESIDENCY_DENIED` before any byte is sent. Typed `unknown` so `@fieldkit/core` needs no undici.
   */
  connector(dataClass: string): unknown
  /**
   * A `dns.lookup`-compatible function for this data class (`connect: { lookup }` of an undici `Agent` or `Client`,
   * or `net.connect`): resolves once, judges every address and answers only with checked ones, so a dispatcher that
   * an auth strategy builds itself (NTLM) connects only where the policy allows. Typed `unknown` like `connector`.
   */
  lookup?(dataClass: string): unknown
}
