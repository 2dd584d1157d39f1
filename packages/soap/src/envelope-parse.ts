import type { StandardSchemaV1 } from '@fieldkit/core'
import { checkObject, checkOneOf, checkSchema, checkStringMap, checkStrings, inputError, optionsError } from './checks'
import { EnvelopeReader, notEnvelope } from './envelope-reader'
import type { SoapFault, SoapFaultError, SoapVersion } from './errors'
import { type DecimalMode, mergeShapes, type Shape, shapeFromArrays, shapeFromZod } from './shape'
import { validate } from './validate'
import { checkXml, resolveLimits, type XmlLimits } from './xml-limits'

/** Options of {@link parseEnvelope}. */
export interface ParseOptions {
  /** Namespace URI → the prefix you want in keys (`''` for none). Unmapped namespaces give bare local names. */
  namespaces?: Record<string, string>
  /** Paths (relative to Body, `/`-separated, normalised keys) whose elements are always arrays. */
  arrays?: readonly string[]
  /** How `xsd:decimal` comes out when a WSDL types the response: exact text (default) or number. */
  decimal?: DecimalMode
  /** A Standard Schema (zod 3.24+/4, valibot, ArkType) the body is validated against (after normalisation); a zod schema's arrays also fix one-vs-many. */
  schema?: StandardSchemaV1
  /** Byte, depth and attribute limits. */
  limits?: XmlLimits
  /** Throw {@link SoapFaultError} for a fault (default true); false returns it as `fault`. */
  throwOnFault?: boolean
  /** MTOM attachments by Content-ID (filled in by the client for multipart/related answers). */
  attachments?: ReadonlyMap<string, Buffer>
  /** Shape from a WSDL (types and arrays), relative to Body. Set by the client. */
  shape?: Shape
  /** Apply `schema` to the response element (Body's child) rather than to the whole body. Set by the client. */
  schemaAt?: 'body' | 'response'
  /** HTTP status to record on a fault. */
  status?: number
  /** Where the XML came from, for messages (`POST https://…`); default "the XML". */
  source?: string
}

/** A parsed SOAP envelope. */
export interface ParsedEnvelope<T = Record<string, unknown>> {
  version: SoapVersion
  /** SOAP headers, normalised like the body. */
  headers: Record<string, unknown>
  /** Body children by normalised key (for example `{ GetEmployeesResponse: { Employee: [...] } }`). */
  body: T
  /** The fault, when `throwOnFault: false` and the body was one. */
  fault?: SoapFault
}

/**
 * Parses and normalises a SOAP 1.1 or 1.2 envelope: safety checks first (limits, no DOCTYPE, well-formedness with
 * line and column), then fast-xml-parser, then namespace resolution, arrays, nils and types. A fault in the body
 * throws {@link SoapFaultError}.
 *
 * @example
 * ```ts
 * const { body } = parseEnvelope(xml, { arrays: ['GetEmployeesResponse/Employee'] })
 * body.GetEmployeesResponse.Employee // always an array
 * ```
 */
export function parseEnvelope<T = Record<string, unknown>>(xml: string, options: ParseOptions = {}): ParsedEnvelope<T> {
  checkParseInput(xml, options)
  const source = options.source ?? 'the XML'
  const limits = resolveLimits(options.limits, 'limits')
  checkXml(xml, limits, source)
  let shape = options.shape
  if (options.arrays?.length) shape = mergeShapes(shape, shapeFromArrays(options.arrays))
  if (options.schema) {
    const fromZod = shapeFromZod(options.schema)
    shape = mergeShapes(
      shape,
      options.schemaAt === 'response' ? (fromZod ? { anyChild: fromZod } : undefined) : fromZod,
    )
  }
  const reader = new EnvelopeReader(
    {
      record: '',
      ...(options.namespaces ? { namespaces: options.namespaces } : {}),
      ...(options.attachments ? { attachments: options.attachments } : {}),
      ...(shape ? { shape } : {}),
      ...(options.status === undefined ? {} : { status: options.status }),
      decimal: options.decimal ?? 'string',
    },
    limits,
    source,
    true,
  )
  reader.setChunk(xml)
  try {
    reader.parser.write(xml).close()
  } catch (error) {
    reader.fail(error)
  }
  const { failure, version, fault } = reader
  if (failure !== undefined && !(fault !== undefined && options.throwOnFault === false)) throw failure
  if (fault === undefined && reader.envNs === '') throw notEnvelope(source, '(none)')
  const headers: Record<string, unknown> = {}
  let body: Record<string, unknown> = {}
  for (const entry of reader.ready as { part: 'Header' | 'Body'; value: unknown }[]) {
    const value =
      entry.value !== null && typeof entry.value === 'object' ? (entry.value as Record<string, unknown>) : {}
    if (entry.part === 'Header') Object.assign(headers, value)
    else body = value
  }
  if (fault !== undefined) return { version, headers, body: {} as T, fault }
  if (options.schema && options.schemaAt !== 'response')
    return { version, headers, body: validate(options.schema, body, source) as T }
  return { version, headers, body: body as T }
}

/** The shape of parseEnvelope's arguments, for JavaScript callers: FK_SOAP_INPUT / FK_SOAP_OPTIONS, never a TypeError. */
function checkParseInput(xml: unknown, options: ParseOptions): void {
  if (typeof xml !== 'string') throw inputError('xml', 'the XML text (a string)', xml)
  if (typeof options !== 'object' || options === null) throw optionsError('options', 'an object', options)
  checkStringMap('namespaces', options.namespaces)
  checkStrings('arrays', options.arrays)
  checkOneOf('decimal', options.decimal, ['string', 'number'])
  checkSchema('schema', options.schema)
  checkObject('limits', options.limits)
  if (options.source !== undefined && typeof options.source !== 'string')
    throw optionsError('source', 'a string', options.source)
}
