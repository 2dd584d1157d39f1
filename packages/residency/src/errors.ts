import { FieldkitError } from '@fieldkit/core'

/**
 * Every error `@fieldkit/residency` throws: `FK_RESIDENCY_DENIED` (a destination refused for a data class) and
 * `FK_RESIDENCY_POLICY` (an invalid policy or range file).
 *
 * @example
 * ```ts
 * try { await client.request({ path: '/export' }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_RESIDENCY_DENIED') console.error(e.details.host, e.details.region)
 * }
 * ```
 */
export class ResidencyError extends FieldkitError {}
