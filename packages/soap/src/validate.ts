import type { ZodType } from 'zod'
import { SoapError } from './errors'

/** Validates `value` against a zod schema; a mismatch is `FK_SOAP_SCHEMA` with the first five issues. */
export function validate(schema: ZodType, value: unknown, source: string): unknown {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issues = result.error.issues
    .slice(0, 5)
    .map((i) => ({ path: i.path.map(String).join('.'), code: i.code, message: i.message }))
  throw new SoapError({
    code: 'FK_SOAP_SCHEMA',
    message: `[fieldkit/soap] ${source}: the response does not match the schema (${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')})`,
    hint: 'The service answered something the zod schema does not accept; compare details.issues with the WSDL and the raw response',
    details: { issues },
    cause: result.error,
  })
}
