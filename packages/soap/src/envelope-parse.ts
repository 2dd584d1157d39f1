import { XMLParser } from 'fast-xml-parser'
import type { ZodType } from 'zod'
import { SoapError, type SoapFault, SoapFaultError, type SoapVersion, truncate, XmlError } from './errors'
import { childScope, keyMaker, ROOT_SCOPE, type Scope, SOAP11_NS, SOAP12_NS, splitQName } from './namespaces'
import { type NormaliseContext, normaliseNode, unboundPrefix } from './normalise'
import { type DecimalMode, mergeShapes, type Shape, shapeFromArrays, shapeFromZod } from './shape'
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

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  // Text is kept exactly; whitespace between child elements is dropped by the normaliser.
  trimValues: false,
  processEntities: true,
  // Decodes numeric character references (&#13; &#x41;). Named entities beyond the five predefined ones never
  // get here: checkXml refuses them first.
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 100_000,
})

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
  let tree: Record<string, unknown>
  try {
    tree = parser.parse(xml) as Record<string, unknown>
  } catch (cause) {
    throw new XmlError({
      code: 'FK_XML_PARSE',
      message: `[fieldkit/soap] ${source} could not be parsed: ${truncate(String((cause as Error)?.message ?? cause), 160)}`,
      hint: 'The document passed the well-formedness check but the parser refused it; check the raw response',
      cause,
    })
  }
  const rootName = Object.keys(tree).find((k) => !k.startsWith('?'))
  const root = rootName === undefined ? undefined : tree[rootName]
  if (rootName === undefined || typeof root !== 'object' || root === null) throw notSoap(source, rootName ?? '(none)')
  const rootNode = root as Record<string, unknown>
  const scope = childScope(ROOT_SCOPE, nsDeclarations(rootNode))
  const [rootPrefix, rootLocal] = splitQName(rootName)
  const envNs = scope[rootPrefix]
  if (envNs === undefined) throw unboundPrefix(rootPrefix, rootName, source)
  if (rootLocal !== 'Envelope' || (envNs !== SOAP11_NS && envNs !== SOAP12_NS)) throw notSoap(source, rootName)
  const version: SoapVersion = envNs === SOAP11_NS ? '1.1' : '1.2'

  const ctx: NormaliseContext = {
    key: keyMaker(options.namespaces),
    decimal: options.decimal ?? 'string',
    source,
    ...(options.attachments ? { attachments: options.attachments } : {}),
  }
  let shape = options.shape
  if (options.arrays?.length) shape = mergeShapes(shape, shapeFromArrays(options.arrays))
  if (options.schema) {
    const fromZod = shapeFromZod(options.schema)
    shape = mergeShapes(
      shape,
      options.schemaAt === 'response' ? (fromZod ? { anyChild: fromZod } : undefined) : fromZod,
    )
  }

  const headers: Record<string, unknown> = {}
  let body: Record<string, unknown> = {}
  let fault: SoapFault | undefined
  for (const raw in rootNode) {
    if (raw.startsWith('@_') || raw === '#text') continue
    const [prefix, local] = splitQName(raw)
    const node = (Array.isArray(rootNode[raw]) ? rootNode[raw][0] : rootNode[raw]) as Record<string, unknown> | string
    const inner = typeof node === 'object' && node !== null ? childScope(scope, nsDeclarations(node)) : scope
    const uri = inner[prefix]
    if (uri === undefined) throw unboundPrefix(prefix, raw, source)
    if (uri !== envNs || typeof node !== 'object' || node === null) continue
    if (local === 'Header') {
      const value = normaliseNode(node, raw, inner, undefined, 'Header', ctx)
      if (value !== null && typeof value === 'object') Object.assign(headers, value)
    } else if (local === 'Body') {
      const bodyScope = inner
      for (const childRaw in node) {
        if (childRaw.startsWith('@_') || childRaw === '#text') continue
        const [p, l] = splitQName(childRaw)
        if (l !== 'Fault') continue
        const faultNode = Array.isArray(node[childRaw]) ? node[childRaw][0] : node[childRaw]
        const faultScope =
          typeof faultNode === 'object' && faultNode !== null
            ? childScope(bodyScope, nsDeclarations(faultNode))
            : bodyScope
        const u = faultScope[p]
        if (u === undefined) throw unboundPrefix(p, childRaw, source)
        if (u === envNs) fault = readFault(faultNode, faultScope, version, ctx, options.status)
      }
      if (fault === undefined) {
        const value = normaliseNode(node, raw, inner, shape, 'Body', ctx)
        body = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {}
      }
    }
  }
  if (fault !== undefined) {
    if (options.throwOnFault !== false) throw new SoapFaultError(fault, source)
    return { version, headers, body: {} as T, fault }
  }
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

/** Children of `node` whose local name is `local` (any prefix), in document order of fxp keys. */
function childrenNamed(node: unknown, local: string): unknown[] {
  if (typeof node !== 'object' || node === null) return []
  const out: unknown[] = []
  for (const key in node as Node) {
    if (key.startsWith('@_') || key === '#text') continue
    if (splitQName(key)[1] !== local) continue
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

function resolveQName(text: string, scope: Scope, node: unknown): { namespace: string; local: string } {
  const local = typeof node === 'object' && node !== null ? childScope(scope, nsDeclarations(node as Node)) : scope
  const [prefix, name] = splitQName(text.trim())
  return { namespace: local[prefix] ?? '', local: name }
}

export function readFault(
  node: unknown,
  scope: Scope,
  version: SoapVersion,
  ctx: NormaliseContext,
  status?: number,
): SoapFault {
  const detailOf = (d: unknown): unknown => {
    if (d === undefined) return undefined
    const inner = typeof d === 'object' && d !== null ? childScope(scope, nsDeclarations(d as Node)) : scope
    const value = normaliseNode(d as Node, 'detail', inner, undefined, 'Fault/detail', ctx)
    return value === '' ? undefined : value
  }
  const base = status === undefined ? {} : { status }
  if (version === '1.1') {
    const codeNode = childrenNamed(node, 'faultcode')[0]
    const actor = childrenNamed(node, 'faultactor')[0]
    const detail = detailOf(childrenNamed(node, 'detail')[0])
    return {
      version,
      code: resolveQName(textOf(codeNode), scope, codeNode),
      subcodes: [],
      reason: textOf(childrenNamed(node, 'faultstring')[0]),
      ...(actor === undefined ? {} : { actor: textOf(actor) }),
      ...(detail === undefined ? {} : { detail }),
      ...base,
    }
  }
  const code = childrenNamed(node, 'Code')[0]
  const value = childrenNamed(code, 'Value')[0]
  const subcodes: { namespace: string; local: string }[] = []
  let sub = childrenNamed(code, 'Subcode')[0]
  for (let depth = 0; sub !== undefined && depth < 16; depth++) {
    const v = childrenNamed(sub, 'Value')[0]
    subcodes.push(resolveQName(textOf(v), scope, v))
    sub = childrenNamed(sub, 'Subcode')[0]
  }
  const texts = childrenNamed(childrenNamed(node, 'Reason')[0], 'Text')
  const english = texts.find(
    (t) => typeof t === 'object' && t !== null && String((t as Node)['@_xml:lang'] ?? '').startsWith('en'),
  )
  const role = childrenNamed(node, 'Role')[0]
  const faultNode = childrenNamed(node, 'Node')[0]
  const detail = detailOf(childrenNamed(node, 'Detail')[0])
  return {
    version,
    code: resolveQName(textOf(value), scope, value),
    subcodes,
    reason: textOf(english ?? texts[0]),
    ...(role === undefined ? {} : { actor: textOf(role) }),
    ...(faultNode === undefined ? {} : { node: textOf(faultNode) }),
    ...(detail === undefined ? {} : { detail }),
    ...base,
  }
}
