import { FieldkitError } from '@fieldkit/core'

/**
 * Every error `@fieldkit/redact` throws: `FK_REDACT_INVALID_OPTION` (an option of `createRedactor` is malformed)
 * and `FK_REDACT_SECRET_REQUIRED` (a `hash` or `tokenise` action without a usable `secret`).
 *
 * @example
 * ```ts
 * try { createRedactor({ actions: { email: 'hash' } }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_REDACT_SECRET_REQUIRED') console.error(e.hint)
 * }
 * ```
 */
export class RedactError extends FieldkitError {
  override name = 'RedactError'
}
