import { FieldkitError } from '@fieldkit/core'

/** Every code `@fieldkit/residency` throws, so editors complete and narrow `err.code`. */
export type ResidencyErrorCode =
  | 'FK_RESIDENCY_DENIED'
  | 'FK_RESIDENCY_INVALID_URL'
  | 'FK_RESIDENCY_POLICY'
  | 'FK_RESIDENCY_RESOLVE'

/**
 * Every error `@fieldkit/residency` throws: `FK_RESIDENCY_DENIED` (a destination refused for a data class),
 * `FK_RESIDENCY_POLICY` (an invalid policy or range file), `FK_RESIDENCY_RESOLVE` (a host that could not be resolved,
 * so not checked) and `FK_RESIDENCY_INVALID_URL` (`guard.check` given text that is not an absolute URL).
 *
 * @example
 * ```ts
 * try { await client.request({ path: '/export' }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_RESIDENCY_DENIED') console.error(e.details.host, e.details.region)
 * }
 * ```
 */
export class ResidencyError extends FieldkitError<ResidencyErrorCode> {
  override name = 'ResidencyError'
}
