import { FieldkitError } from '@fieldkit/core'

/**
 * Codes of the errors `@fieldkit/redact` throws; match on these, never on the message.
 *
 * - `FK_REDACT_INVALID_OPTION`: an option of `createRedactor` is malformed, or `pinoRedaction` got an object that
 *   `createRedactor` did not make.
 * - `FK_REDACT_SECRET_REQUIRED`: a `hash` or `tokenise` action without a usable `secret`.
 */
export type RedactErrorCode = 'FK_REDACT_INVALID_OPTION' | 'FK_REDACT_SECRET_REQUIRED'

/**
 * Every error `@fieldkit/redact` throws: a {@link FieldkitError} with one of the {@link RedactErrorCode} codes.
 *
 * @example
 * ```ts
 * try { createRedactor({ actions: { email: 'hash' } }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_REDACT_SECRET_REQUIRED') console.error(e.hint)
 * }
 * ```
 */
export class RedactError extends FieldkitError<RedactErrorCode> {
  override name = 'RedactError'
}
