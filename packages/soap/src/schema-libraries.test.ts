import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z as z4 } from 'zod'
import { z as z3 } from 'zod3'
import { parseEnvelope } from './envelope-parse'

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/'
const envelope = (employees: string) =>
  `<s:Envelope xmlns:s="${SOAP}"><s:Body><GetEmployeesResponse>${employees}<Total>1</Total></GetEmployeesResponse></s:Body></s:Envelope>`
const one = envelope('<Employee><EmployeeId>E1</EmployeeId></Employee>')

function thrown(run: () => unknown): { code?: string; message?: string; details?: Record<string, unknown> } {
  try {
    run()
  } catch (error) {
    return error as { code?: string }
  }
  throw new Error('expected a throw')
}

describe('SOAP responses checked with any Standard Schema', () => {
  it('zod 3.25: validates, and its arrays fix one-vs-many (read from _def)', () => {
    const schema = z3.object({
      GetEmployeesResponse: z3.object({
        Employee: z3.array(z3.object({ EmployeeId: z3.string() })),
        Total: z3.coerce.number(),
      }),
    })
    const out = parseEnvelope(one, { schema })
    expect(out.body).toEqual({ GetEmployeesResponse: { Employee: [{ EmployeeId: 'E1' }], Total: 1 } })
  })

  it('zod 4: validates, and its arrays fix one-vs-many (read from _zod.def)', () => {
    const schema = z4.object({
      GetEmployeesResponse: z4.object({
        Employee: z4.array(z4.object({ EmployeeId: z4.string() })),
        Total: z4.coerce.number(),
      }),
    })
    expect(parseEnvelope(one, { schema }).body).toEqual({
      GetEmployeesResponse: { Employee: [{ EmployeeId: 'E1' }], Total: 1 },
    })
  })

  it('valibot: validates (one-vs-many from `arrays:`), and a mismatch is FK_SOAP_SCHEMA with the path', () => {
    const schema = v.object({
      GetEmployeesResponse: v.object({ Employee: v.array(v.object({ EmployeeId: v.string() })), Total: v.string() }),
    })
    const out = parseEnvelope(one, { schema, arrays: ['GetEmployeesResponse/Employee'] })
    expect(out.body).toEqual({ GetEmployeesResponse: { Employee: [{ EmployeeId: 'E1' }], Total: '1' } })
    const error = thrown(() => parseEnvelope(one, { schema }))
    expect(error.code).toBe('FK_SOAP_SCHEMA')
    expect(error.details?.issues).toEqual([
      { path: 'GetEmployeesResponse.Employee', code: 'array', message: expect.stringContaining('Expected Array') },
    ])
  })

  it('refuses a non-Standard schema and one with async checks, with FK_SOAP_OPTIONS', () => {
    expect(thrown(() => parseEnvelope(one, { schema: { safeParse() {} } as never })).message).toContain(
      'Standard Schema',
    )
    const asyncSchema = z4.object({ GetEmployeesResponse: z4.unknown() }).refine(async () => true)
    const error = thrown(() => parseEnvelope(one, { schema: asyncSchema }))
    expect(error.code).toBe('FK_SOAP_OPTIONS')
    expect(error.message).toContain('asynchronously')
  })
})
