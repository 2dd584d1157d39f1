import { HttpError } from './errors'

/** The oldest Node this package runs on (undici 7 needs Node 20's globals; we test on 20.19 and 24). */
export const NODE_FLOOR = '20.19.0'

/**
 * Throws FK_HTTP_NODE_UNSUPPORTED on a Node older than {@link NODE_FLOOR}. The entry imports this module first, so
 * `require('@fieldkit/http')` on Node 18 says so instead of failing inside undici (`File is not defined`).
 *
 * @example
 * ```ts
 * checkNodeVersion('18.20.4') // throws HttpError FK_HTTP_NODE_UNSUPPORTED
 * checkNodeVersion('22.11.0') // returns
 * ```
 */
export function checkNodeVersion(version: string | undefined): void {
  if (version === undefined || !olderThan(version, NODE_FLOOR)) return
  throw new HttpError({
    code: 'FK_HTTP_NODE_UNSUPPORTED',
    message: `[fieldkit/http] Node ${version} is not supported; @fieldkit/http needs Node ${NODE_FLOOR} or later`,
    hint: 'Upgrade Node to 20.19 or later (22 or 24 LTS recommended); check `node --version` in the environment that runs the integration',
    details: { node: version, floor: NODE_FLOOR },
  })
}

function olderThan(version: string, floor: string): boolean {
  const a = version.replace(/^v/, '').split('.').map(Number)
  const b = floor.split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0
    const y = b[i] ?? 0
    if (Number.isNaN(x)) return false
    if (x !== y) return x < y
  }
  return false
}

checkNodeVersion(typeof process === 'undefined' ? undefined : process.versions?.node)
