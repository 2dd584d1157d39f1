import { AuthError, expected } from '@fieldkit/core'

export { AuthError }

/**
 * Option validation failure, worded with core's `expected()` ("Expected `x` to be …, got …") and never echoing a
 * secret's value. `hint` says what to do in this situation; without it the hint points at the strategy's options.
 */
export function invalidOption(strategy: string, message: string, hint?: string): AuthError {
  return new AuthError({
    code: 'FK_AUTH_INVALID_OPTIONS',
    message: `[fieldkit/auth] ${strategy}: ${message}`,
    hint: hint ?? `Fix the options passed to ${strategy}(); the README of @fieldkit/auth lists each option`,
    details: { strategy },
  })
}

/**
 * Throws when `value` is not a (non-empty) string; the message names the option and the kind of value, never a
 * secret's text (`secret`: passwords, keys, tokens).
 */
export function requireString(
  strategy: string,
  name: string,
  value: unknown,
  allowEmpty = false,
  secret = false,
): string {
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) {
    throw invalidOption(
      strategy,
      expected(name, allowEmpty ? 'a string' : 'a non-empty string', value, { secret }),
      value === undefined
        ? `Pass \`${name}\` to ${strategy}(); when it comes from the environment, check that the variable is set in this process`
        : `Pass \`${name}\` to ${strategy}() as a string (read a file or secret store first; numbers and buffers are not converted)`,
    )
  }
  return value
}
