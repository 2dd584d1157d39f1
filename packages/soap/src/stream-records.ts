import type { StandardSchemaV1 } from '@fieldkit/core'
import { expected } from '@fieldkit/core'
import { checkObject, checkOneOf, checkSchema, checkStringMap, checkStrings, inputError, optionsError } from './checks'
import { EnvelopeReader } from './envelope-reader'
import { SoapError, xmlLimitError, xmlParseErrorAt } from './errors'
import type { DecimalMode, Shape } from './shape'
import { validate } from './validate'
import { resolveLimits, type XmlLimits } from './xml-limits'

const SLICE = 1024 * 1024

/** Options of {@link streamRecords}. */
export interface StreamRecordsOptions {
  /**
   * The repeated record element, as normalised keys from Body or from the root:
   * `GetEmployeesResponse/Employee` or `/Envelope/Body/GetEmployeesResponse/Employee`.
   */
  record: string
  /** Namespace URI → prefix for keys, as in {@link parseEnvelope}. */
  namespaces?: Record<string, string>
  /** Paths inside a record (relative to the record element) that are always arrays. */
  arrays?: readonly string[]
  decimal?: DecimalMode
  /** A Standard Schema each record is validated against; a zod schema's arrays also fix one-vs-many inside a record. */
  schema?: StandardSchemaV1
  /**
   * Depth, attribute and per-record limits (`maxRecordBytes`, default 32 MiB); `maxBytes` is unlimited by default
   * here (the point is large responses).
   */
  limits?: XmlLimits
  /** Shape from a WSDL, relative to Body (set by the client). */
  shape?: Shape
  attachments?: ReadonlyMap<string, Buffer>
  status?: number
  source?: string
}

/**
 * Reads a SOAP response as an async iterator of records (the repeated element at `record`), holding one record at
 * a time: memory stays bounded however large the response. Same rules as {@link parseEnvelope} (namespaces, nils,
 * arrays, types); a fault anywhere in the body throws {@link SoapFaultError}. Built on the saxes tokenizer.
 *
 * @example
 * ```ts
 * for await (const employee of streamRecords(response.body, { record: 'GetEmployeesResponse/Employee' })) {
 *   console.log(employee.EmployeeId)
 * }
 * ```
 */
export async function* streamRecords<T = Record<string, unknown>>(
  input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: StreamRecordsOptions,
): AsyncGenerator<T, void, undefined> {
  const source = options.source ?? 'the XML stream'
  checkStreamInput(input, options)
  if (typeof input === 'string') input = [input]
  const limits = resolveLimits({ maxBytes: Number.POSITIVE_INFINITY, ...options.limits }, 'limits')
  const reader = new EnvelopeReader(options, limits, source, false)
  const { parser, ready } = reader
  const decoder = new TextDecoder('utf-8', { fatal: false })
  let bytes = 0
  const drain = function* (): Generator<T> {
    while (ready.length > 0) {
      const value = ready.shift()
      yield (options.schema ? validate(options.schema, value, `${source} record`) : value) as T
    }
  }
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
    if (bytes > limits.maxBytes)
      throw xmlLimitError(`larger than ${limits.maxBytes} bytes`, source, { maxBytes: limits.maxBytes })
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    // Written in slices so that the per-record limit is checked at least every SLICE characters.
    for (let at = 0; at < text.length && reader.failure === undefined; at += SLICE) {
      const slice = text.length <= SLICE ? text : text.slice(at, at + SLICE)
      reader.setChunk(slice)
      try {
        parser.write(slice)
      } catch (error) {
        reader.fail(error)
      }
      reader.checkRecordSize()
    }
    if (reader.failure !== undefined) throw reader.failure
    yield* drain()
  }
  const rest = decoder.decode()
  try {
    if (rest) parser.write(rest)
    parser.close()
  } catch (error) {
    reader.fail(error)
  }
  if (reader.failure !== undefined) throw reader.failure
  yield* drain()
  if (reader.envNs === '') {
    throw xmlParseErrorAt(parser.line, parser.column, '', 'no root element', source)
  }
}

/** The shape of streamRecords' arguments, for JavaScript callers: FK_SOAP_INPUT / FK_SOAP_OPTIONS, never a TypeError. */
function checkStreamInput(input: unknown, options: StreamRecordsOptions): void {
  const iterable =
    typeof input === 'object' &&
    input !== null &&
    (typeof (input as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ||
      typeof (input as Iterable<unknown>)[Symbol.iterator] === 'function')
  if (!iterable && typeof input !== 'string') throw inputError('input', 'an iterable of strings or bytes', input)
  if (typeof options !== 'object' || options === null) throw optionsError('options', 'an object', options)
  if (typeof options.record !== 'string' || options.record.trim() === '') {
    throw new SoapError({
      code: 'FK_SOAP_OPTIONS',
      message: `[fieldkit/soap] ${expected('record', 'a path such as "GetEmployeesResponse/Employee"', options.record)}`,
      hint: 'Name the repeated element, from Body down, with the keys parseEnvelope would give',
    })
  }
  checkStringMap('namespaces', options.namespaces)
  checkStrings('arrays', options.arrays)
  checkOneOf('decimal', options.decimal, ['string', 'number'])
  checkSchema('schema', options.schema)
  checkObject('limits', options.limits)
}
