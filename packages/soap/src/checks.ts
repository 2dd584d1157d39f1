import { expected, isStandardSchema } from '@fieldkit/core'
import { SoapError } from './errors'

// Shape checks for JavaScript callers (and TypeScript callers past an `as`): a wrong shape is FK_SOAP_OPTIONS or
// FK_SOAP_INPUT with the one "Expected `x` to be …, got …" wording, never a TypeError from deep inside.

/** FK_SOAP_OPTIONS worded by core's `expected()`. */
export function optionsError(name: string, what: string, got: unknown): SoapError {
  return new SoapError({
    code: 'FK_SOAP_OPTIONS',
    message: `[fieldkit/soap] ${expected(name, what, got)}`,
    hint: 'An option has the wrong shape (a JavaScript caller, or a cast); the message says which one and what it takes',
  })
}

/** FK_SOAP_INPUT worded by core's `expected()`. */
export function inputError(name: string, what: string, got: unknown): SoapError {
  return new SoapError({
    code: 'FK_SOAP_INPUT',
    message: `[fieldkit/soap] ${expected(name, what, got)}`,
    hint: 'An argument has the wrong shape (a JavaScript caller, or a cast); the message says which one and what it takes',
  })
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** `value` is undefined or a plain object; throws FK_SOAP_OPTIONS otherwise. */
export function checkObject(name: string, value: unknown): asserts value is Record<string, unknown> | undefined {
  if (value !== undefined && !isObject(value)) throw optionsError(name, 'an object', value)
}

/** `value` is undefined or an array of strings (paths, names). */
export function checkStrings(name: string, value: unknown): void {
  if (value === undefined) return
  if (!Array.isArray(value)) throw optionsError(name, 'an array of strings', value)
  for (const [i, item] of value.entries())
    if (typeof item !== 'string') throw optionsError(`${name}[${i}]`, 'a string', item)
}

/** `value` is undefined or an object of string → string (namespace URI → prefix, or prefix → URI). */
export function checkStringMap(name: string, value: unknown): void {
  checkObject(name, value)
  if (value === undefined) return
  for (const key of Object.keys(value))
    if (typeof value[key] !== 'string') throw optionsError(`${name}["${key.slice(0, 40)}"]`, 'a string', value[key])
}

/** `value` is undefined or one of `allowed`. */
export function checkOneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string))
    throw optionsError(name, allowed.map((a) => `'${a}'`).join(' or '), value)
}

/** `value` is undefined or a Standard Schema (anything with `~standard.validate`: zod 3.24+/4, valibot, ArkType). */
export function checkSchema(name: string, value: unknown): void {
  if (value !== undefined && !isStandardSchema(value))
    throw optionsError(name, 'a Standard Schema (zod 3.24 or later, valibot, ArkType)', value)
}
