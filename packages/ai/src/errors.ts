import { type ErrorDetail, FieldkitError } from '@fieldkit/core'

/** Codes of the errors `@fieldkit/ai` throws; match on these, never on the message. */
export type AiErrorCode =
  | 'FK_AI_INVALID_OPTION'
  | 'FK_AI_INVALID_BODY'
  | 'FK_AI_RESIDENCY_DENIED'
  | 'FK_AI_STREAM_MALFORMED'
  | 'FK_AI_VAULT'
  | 'FK_AI_QUOTA'

/**
 * The error every `@fieldkit/ai` failure is: a {@link FieldkitError} with one of the {@link AiErrorCode} codes.
 * Its message and details never carry a value that was pseudonymised, nor a placeholder mapping.
 *
 * @example
 * ```ts
 * try { await openai.chat.completions.create(request) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_AI_RESIDENCY_DENIED') console.error(e.hint)
 * }
 * ```
 */
export class AiError extends FieldkitError<AiErrorCode> {
  override name = 'AiError'
  constructor(options: {
    code: AiErrorCode
    message: string
    hint: string
    cause?: unknown
    details?: Record<string, ErrorDetail>
  }) {
    super(options)
  }
}

/** An option error, worded by core's `expected()`. */
export function invalidOption(message: string): AiError {
  return new AiError({
    code: 'FK_AI_INVALID_OPTION',
    message: `[fieldkit/ai] ${message}`,
    hint: 'Check the options passed to createModelGuard() or the vault against the README of @fieldkit/ai',
  })
}
