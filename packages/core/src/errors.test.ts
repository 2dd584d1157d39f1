import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { FieldkitError, isFieldkitError } from './errors'
import { expected } from './expected'

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

  it('keeps the literal name a subclass writes out, which a minifier cannot rename', () => {
    class E extends FieldkitError {
      override name = 'HttpError'
    }
    expect(new E({ code: 'FK_X', message: 'm', hint: 'h' }).name).toBe('HttpError')
    expect(String(new E({ code: 'FK_X', message: 'm', hint: 'h' }))).toBe('HttpError: m')
  })

  it('keeps no cause that carries the input text (a URL TypeError holds the whole URL in `input`)', () => {
    let urlError: unknown
    try {
      new URL('http://user:SEKRET@[::1')
    } catch (e) {
      urlError = e
    }
    const error = new FieldkitError({ code: 'FK_X', message: 'm', hint: 'h', cause: urlError })
    expect(inspect(error, { depth: 5 })).not.toContain('SEKRET')
    expect((error.cause as { code?: string }).code).toBe('ERR_INVALID_URL')
    expect(error.cause).toBeInstanceOf(TypeError)
    const plain = new Error('kept as it is')
    expect(new FieldkitError({ code: 'FK_X', message: 'm', hint: 'h', cause: plain }).cause).toBe(plain)
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

describe('expected', () => {
  it.each([
    ['retry.retries', 'a non-negative integer', -1, 'Expected `retry.retries` to be a non-negative integer, got -1'],
    ['encoding', 'one of utf-8, latin1', 'latin9', 'Expected `encoding` to be one of utf-8, latin1, got "latin9"'],
    ['headers', 'an object', [1, 2], 'Expected `headers` to be an object, got an array of 2'],
    ['x', 'a string', '', 'Expected `x` to be a string, got an empty string'],
    ['x', 'a string', null, 'Expected `x` to be a string, got null'],
  ])('%s: %j → %s', (name, what, got, message) => {
    expect(expected(name, what, got)).toBe(message)
  })

  it('cuts a long string to 40 characters and names only the length of a secret', () => {
    expect(expected('x', 'short', 'a'.repeat(100))).toBe(`Expected \`x\` to be short, got "${'a'.repeat(40)}…"`)
    expect(expected('password', 'a non-empty string', 'hunter2', { secret: true })).toBe(
      'Expected `password` to be a non-empty string, got a string of 7 characters',
    )
  })
})
