import type { ZodType } from 'zod'
import { SoapError, type SoapFault, SoapFaultError, type SoapVersion, truncate } from './errors'
import { type Scope, splitQName, XML_NS } from './namespaces'
import { type NormaliseContext, normaliseNode } from './normalise'
import { type DecimalMode, mergeShapes, type Shape, shapeFromArrays, shapeFromZod } from './shape'
import { createReader } from './stream-records'
import { checkXml, resolveLimits, type XmlLimits } from './xml-limits'

/** Options of {@link parseEnvelope}. */
export interface ParseOptions {
  /** Namespace URI → the prefix you want in keys (`''` for none). Unmapped namespaces give bare local names. */
  namespaces?: Record<string, string>
  /** Paths (relative to Body, `/`-separated, normalised keys) whose elements are always arrays. */
  arrays?: readonly string[]
  /** How `xsd:decimal` comes out when a WSDL types the response: exact text (default) or number. */
  decimal?: DecimalMode
  /** A zod schema the body is validated against (after normalisation); its arrays also fix one-vs-many. */
  schema?: ZodType
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
  const reader = createReader(
    {
      record: '',
      ...(options.namespaces ? { namespaces: options.namespaces } : {}),
      ...(options.attachments ? { attachments: options.attachments } : {}),
      ...(shape ? { shape } : {}),
      ...(options.status === undefined ? {} : { status: options.status }),
      decimal: options.decimal ?? 'string',
      source,
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
  const failure = reader.failure()
  const version = reader.version()
  const fault = reader.fault()
  if (failure !== undefined && !(fault !== undefined && options.throwOnFault === false)) throw failure
  if (fault === undefined && reader.envNs() === '') throw notSoap(source, '(none)')
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

function notSoap(source: string, root: string): SoapError {
  return new SoapError({
    code: 'FK_SOAP_NOT_ENVELOPE',
    message: `[fieldkit/soap] ${source} is XML but not a SOAP envelope (root <${truncate(root, 60)}>)`,
    hint: 'The endpoint answered something other than SOAP (a proxy or error page?); check the endpoint URL and the SOAP version',
    details: { root: truncate(root, 60) },
  })
}

export function nsDeclarations(node: Record<string, unknown>): [string, string][] | undefined {
  let out: [string, string][] | undefined
  for (const key in node) {
    if (key === '@_xmlns' || key.startsWith('@_xmlns:')) {
      out ??= []
      out.push([key.length === 7 ? '' : key.slice(8), String(node[key])])
    }
  }
  return out
}

type Node = Record<string, unknown>

/** `{uri}local` → [uri, local]; a name without braces has no namespace. */
export function splitClark(name: string): [uri: string, local: string] {
  if (name.charCodeAt(0) !== 123 /* { */) return ['', name]
  const close = name.indexOf('}')
  return [name.slice(1, close), name.slice(close + 1)]
}

/** Children of `node` (Clark-named) whose local name is `local`, in order. */
function childrenNamed(node: unknown, local: string): unknown[] {
  if (typeof node !== 'object' || node === null) return []
  const out: unknown[] = []
  for (const key in node as Node) {
    if (key.startsWith('@_') || key === '#text') continue
    if (splitClark(key)[1] !== local) continue
    const value = (node as Node)[key]
    if (Array.isArray(value)) out.push(...value)
    else out.push(value)
  }
  return out
}

function textOf(node: unknown): string {
  if (node === undefined || node === null) return ''
  if (typeof node !== 'object') return String(node)
  const text = (node as Node)['#text']
  return text === undefined ? '' : String(text)
}

/** Resolves QName text (`soap:Client`) against the scope of the element it appeared in. */
export function resolveQName(text: string, scope: Scope): { namespace: string; local: string } {
  const [prefix, name] = splitQName(text.trim())
  return { namespace: scope[prefix] ?? '', local: name }
}

const langOf = (node: unknown): string =>
  typeof node === 'object' && node !== null
    ? String((node as Node)[`@_{${XML_NS}}lang`] ?? (node as Node)['@_xml:lang'] ?? '')
    : ''

/**
 * Reads a SOAP 1.1 or 1.2 Fault element (Clark-named children, as both parsers deliver them). `code` resolves the
 * fault code QNames in document order (the code, then each subcode).
 */
export function readFault(
  node: unknown,
  version: SoapVersion,
  ctx: NormaliseContext,
  status: number | undefined,
  code: (text: string) => { namespace: string; local: string },
): SoapFault {
  const detailOf = (d: unknown): unknown => {
    if (d === undefined) return undefined
    const value = normaliseNode(d as Node, undefined, 'Fault/detail', ctx)
    return value === '' ? undefined : value
  }
  const base = status === undefined ? {} : { status }
  if (version === '1.1') {
    const codeNode = childrenNamed(node, 'faultcode')[0]
    const actor = childrenNamed(node, 'faultactor')[0]
    const detail = detailOf(childrenNamed(node, 'detail')[0])
    return {
      version,
      code: code(textOf(codeNode)),
      subcodes: [],
      reason: textOf(childrenNamed(node, 'faultstring')[0]),
      ...(actor === undefined ? {} : { actor: textOf(actor) }),
      ...(detail === undefined ? {} : { detail }),
      ...base,
    }
  }
  const codeNode = childrenNamed(node, 'Code')[0]
  const value = code(textOf(childrenNamed(codeNode, 'Value')[0]))
  const subcodes: { namespace: string; local: string }[] = []
  let sub = childrenNamed(codeNode, 'Subcode')[0]
  for (let depth = 0; sub !== undefined && depth < 16; depth++) {
    subcodes.push(code(textOf(childrenNamed(sub, 'Value')[0])))
    sub = childrenNamed(sub, 'Subcode')[0]
  }
  const texts = childrenNamed(childrenNamed(node, 'Reason')[0], 'Text')
  const english = texts.find((t) => langOf(t).startsWith('en'))
  const role = childrenNamed(node, 'Role')[0]
  const faultNode = childrenNamed(node, 'Node')[0]
  const detail = detailOf(childrenNamed(node, 'Detail')[0])
  return {
    version,
    code: value,
    subcodes,
    reason: textOf(english ?? texts[0]),
    ...(role === undefined ? {} : { actor: textOf(role) }),
    ...(faultNode === undefined ? {} : { node: textOf(faultNode) }),
    ...(detail === undefined ? {} : { detail }),
    ...base,
  }
}
