import { describe, expect, it } from 'vitest'
import { isStandardSchema, type StandardSchemaV1, validateStandard, validateStandardSync } from './standard-schema'

/** A hand-written Standard Schema (the libraries themselves are tested in http, csv and soap). */
function positive(async = false): StandardSchemaV1<unknown, number> {
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate(value) {
        const result: StandardSchemaV1.Result<number> =
          typeof value === 'number' && value > 0
            ? { value }
            : { issues: [{ message: 'not positive', path: ['items', { key: 2 }, 'n'] }] }
        return async ? Promise.resolve(result) : result
      },
    },
  }
}

describe('Standard Schema', () => {
  it('recognises ~standard.validate, and nothing else', () => {
    expect(isStandardSchema(positive())).toBe(true)
    expect(isStandardSchema({ safeParse() {} })).toBe(false)
    expect(isStandardSchema({ '~standard': {} })).toBe(false)
    expect(isStandardSchema(null)).toBe(false)
  })

  it('reports issues with a dotted path (key objects included) and code invalid when the library gives none', async () => {
    expect(await validateStandard(positive(), 3)).toEqual({ value: 3 })
    expect(await validateStandard(positive(true), -1)).toEqual({
      issues: [{ path: 'items.2.n', code: 'invalid', message: 'not positive' }],
    })
  })

  it('runs synchronously, and names an async schema instead of waiting', () => {
    expect(validateStandardSync(positive(), 1)).toEqual({ value: 1 })
    expect(validateStandardSync(positive(), 0)).toMatchObject({ issues: [{ path: 'items.2.n' }] })
    expect(validateStandardSync(positive(true), 1)).toBe('async')
  })

  it('drops the value a valibot message carries (it may be personal data), keeping its kind', async () => {
    const valibotLike: StandardSchemaV1 = {
      '~standard': {
        version: 1,
        vendor: 'valibot',
        validate: () => ({
          issues: [
            {
              message: 'Invalid type: Expected number but received "jane@example.com"',
              path: [{ key: 'email' }],
              ...{ type: 'number', input: 'jane@example.com', received: '"jane@example.com"' },
            },
          ],
        }),
      },
    }
    const result = await validateStandard(valibotLike, {})
    expect(result.issues).toEqual([
      { path: 'email', code: 'number', message: 'Invalid type: Expected number but received string' },
    ])
  })
})
