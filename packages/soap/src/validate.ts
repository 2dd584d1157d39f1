import { type StandardSchemaV1, validateStandardSync } from '@fieldkit/core'
import { SoapError } from './errors'

/**
 * Validates `value` against a Standard Schema (zod 3.24+/4, valibot, ArkType); a mismatch is `FK_SOAP_SCHEMA` with
 * the first five issues, a schema with async checks `FK_SOAP_OPTIONS` (responses are checked synchronously).
 */
export function validate(schema: StandardSchemaV1, value: unknown, source: string): unknown {
  const result = validateStandardSync(schema, value)
  if (result === 'async')
    throw new SoapError({
      code: 'FK_SOAP_OPTIONS',
      message: `[fieldkit/soap] ${source}: the ${schema['~standard'].vendor} schema checks asynchronously; responses are checked synchronously`,
      hint: 'Remove the async refinements from the schema and check those rules on the result instead',
      details: { option: 'schema' },
    })
  if (result.issues === undefined) return result.value
  const issues = result.issues.slice(0, 5)
  throw new SoapError({
    code: 'FK_SOAP_SCHEMA',
    message: `[fieldkit/soap] ${source}: the response does not match the schema (${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')})`,
    hint: 'The service answered something the schema does not accept; compare details.issues with the WSDL and the raw response',
    details: { issues },
  })
}
