import { AuthError } from '@fieldkit/core'

export { AuthError }

/** Option validation failure: "Expected `x` to be …, got …" (never echoes a secret's value). */
export function invalidOption(strategy: string, message: string): AuthError {
  return new AuthError({
    code: 'FK_AUTH_INVALID_OPTIONS',
    message: `[fieldkit/auth] ${strategy}: ${message}`,
    hint: 'Fix the options passed to the strategy factory; see the README of @fieldkit/auth for each option',
    details: { strategy },
  })
}

/** Throws when `value` is not a non-empty string; the message names the option, never its value. */
export function requireString(strategy: string, name: string, value: unknown, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) {
    const got = typeof value === 'string' ? 'an empty string' : value === undefined ? 'undefined' : typeof value
    throw invalidOption(strategy, `Expected \`${name}\` to be a${allowEmpty ? '' : ' non-empty'} string, got ${got}`)
  }
  return value
}
