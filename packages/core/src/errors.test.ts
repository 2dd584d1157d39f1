import { describe, expect, it } from 'vitest'
import { FieldkitError, isFieldkitError } from './errors'

const make = () =>
  new FieldkitError({
    code: 'FK_TEST_FAILED',
    message: '[fieldkit/test] something failed',
    hint: 'Check the test',
    cause: new Error('token=abc123 underneath'),
    details: { status: 503, attempts: [1, 2] },
  })

describe('FieldkitError', () => {
  it('keeps code, hint, details and cause', () => {
    const error = make()
    expect(error.code).toBe('FK_TEST_FAILED')
    expect(error.hint).toBe('Check the test')
    expect(error.details).toEqual({ status: 503, attempts: [1, 2] })
    expect((error.cause as Error).message).toContain('underneath')
    expect(error.name).toBe('FieldkitError')
    expect(error).toBeInstanceOf(Error)
  })

  it('serialises to JSON without the cause', () => {
    const json = JSON.stringify(make())
    expect(JSON.parse(json)).toEqual({
      name: 'FieldkitError',
      code: 'FK_TEST_FAILED',
      message: '[fieldkit/test] something failed',
      hint: 'Check the test',
      details: { status: 503, attempts: [1, 2] },
    })
    expect(json).not.toContain('abc123')
  })

  it('freezes details so that a handler cannot add a secret later', () => {
    const error = make()
    expect(Object.isFrozen(error.details)).toBe(true)
  })

  it('names subclasses after themselves', () => {
    class HttpError extends FieldkitError {}
    expect(new HttpError({ code: 'FK_X', message: 'm', hint: 'h' }).name).toBe('HttpError')
  })
})

describe('isFieldkitError', () => {
  it('recognises Fieldkit errors and nothing else', () => {
    expect(isFieldkitError(make())).toBe(true)
    for (const value of [new Error('x'), { code: 'FK_X' }, null, undefined, 'FK_X', 42]) {
      expect(isFieldkitError(value)).toBe(false)
    }
  })

  it('recognises an error branded by another copy of the module (Symbol.for brand)', () => {
    const foreign = Object.assign(new Error('from another install'), { code: 'FK_X' })
    Object.defineProperty(foreign, Symbol.for('fieldkit.error'), { value: true })
    expect(isFieldkitError(foreign)).toBe(true)
  })
})
