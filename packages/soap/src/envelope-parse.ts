import { XMLParser } from 'fast-xml-parser'
import type { ZodType } from 'zod'
import { SoapError, type SoapFault, SoapFaultError, type SoapVersion, truncate, XmlError } from './errors'
import { childScope, keyMaker, ROOT_SCOPE, type Scope, SOAP11_NS, SOAP12_NS, splitQName, XML_NS } from './namespaces'
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

/**
 * Per-parse state for fast-xml-parser's `updateTag` hook: it is called as each start tag is read, in document order,
 * with the tag's depth. Element and attribute names are rewritten there to Clark notation (`{uri}local`), so that
 * `a:Employee`, `b:Employee` and a default-namespace `Employee` become one key in document order.
 */
interface NameState {
  scopes: Scope[]
  /** Scopes of fault code elements (`faultcode`, SOAP 1.2 `Value`), in document order, for QName text. */
  codeScopes: Scope[]
  error: unknown
  cache: WeakMap<Scope, Map<string, string>>
}
let state: NameState | undefined

function clarkName(raw: string, scope: Scope, forAttribute: boolean): string | undefined {
  const s = state as NameState
  let names = s.cache.get(scope)
  if (names === undefined) {
    names = new Map()
    s.cache.set(scope, names)
  }
  const cacheKey = forAttribute ? `@${raw}` : raw
  const cached = names.get(cacheKey)
  if (cached !== undefined) return cached
  const colon = raw.indexOf(':')
  if (colon === -1 && forAttribute) {
    names.set(cacheKey, raw)
    return raw
  }
  const prefix = colon === -1 ? '' : raw.slice(0, colon)
  const uri = scope[prefix]
  if (uri === undefined) return undefined
  const name = uri === '' ? raw.slice(colon + 1) : `{${uri}}${raw.slice(colon + 1)}`
  names.set(cacheKey, name)
  return name
}

function updateTag(tagName: string, matcher: unknown, attrs: Record<string, unknown> | undefined): string {
  const s = state as NameState
  const depth = (matcher as { getDepth(): number }).getDepth()
  const parent = depth > 1 ? (s.scopes[depth - 2] ?? ROOT_SCOPE) : ROOT_SCOPE
  let scope = parent
  if (attrs !== undefined) {
    let decls: [string, string][] | undefined
    for (const key in attrs) {
      if (key === '@_xmlns' || key.startsWith('@_xmlns:')) {
        decls ??= []
        decls.push([key.length === 7 ? '' : key.slice(8), String(attrs[key])])
        delete attrs[key]
      }
    }
    scope = childScope(parent, decls)
    for (const key in attrs) {
      const raw = key.slice(2)
      if (raw.indexOf(':') === -1) continue
      const name = clarkName(raw, scope, true)
      if (name === undefined) {
        s.error ??= unboundPrefix(raw.slice(0, raw.indexOf(':')), tagName, 'the XML')
        continue
      }
      attrs[`@_${name}`] = attrs[key]
      delete attrs[key]
    }
  }
  s.scopes[depth - 1] = scope
  s.scopes.length = depth
  const name = clarkName(tagName, scope, false)
  if (name === undefined) {
    s.error ??= unboundPrefix(tagName.includes(':') ? tagName.slice(0, tagName.indexOf(':')) : '', tagName, 'the XML')
    return tagName
  }
  if (name === 'faultcode' || name === `{${SOAP12_NS}}Value`) s.codeScopes.push(scope)
  return name
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
  jPath: false,
  updateTag: updateTag as never,
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
  const names: NameState = { scopes: [], codeScopes: [], error: undefined, cache: new WeakMap() }
  try {
    state = names
    tree = parser.parse(xml) as Record<string, unknown>
  } catch (cause) {
    throw new XmlError({
      code: 'FK_XML_PARSE',
      message: `[fieldkit/soap] ${source} could not be parsed: ${truncate(String((cause as Error)?.message ?? cause), 160)}`,
      hint: 'The document passed the well-formedness check but the parser refused it; check the raw response',
      cause,
    })
  } finally {
    state = undefined
  }
  if (names.error !== undefined) throw names.error
  const rootName = Object.keys(tree).find((k) => !k.startsWith('?'))
  const root = rootName === undefined ? undefined : tree[rootName]
  if (rootName === undefined || typeof root !== 'object' || root === null) throw notSoap(source, rootName ?? '(none)')
  const rootNode = root as Record<string, unknown>
  const [envNs, rootLocal] = splitClark(rootName)
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
  const header = rootNode[`{${envNs}}Header`]
  const headerNode = Array.isArray(header) ? header[0] : header
  if (typeof headerNode === 'object' && headerNode !== null) {
    const value = normaliseNode(headerNode as Record<string, unknown>, undefined, 'Header', ctx)
    if (value !== null && typeof value === 'object') Object.assign(headers, value)
  }
  const bodyRaw = rootNode[`{${envNs}}Body`]
  const bodyNode = Array.isArray(bodyRaw) ? bodyRaw[0] : bodyRaw
  if (typeof bodyNode === 'object' && bodyNode !== null) {
    const faultRaw = (bodyNode as Record<string, unknown>)[`{${envNs}}Fault`]
    if (faultRaw !== undefined) {
      const faultNode = Array.isArray(faultRaw) ? faultRaw[0] : faultRaw
      let next = 0
      fault = readFault(faultNode, version, ctx, options.status, (text) =>
        resolveQName(text, names.codeScopes[next++] ?? ROOT_SCOPE),
      )
    } else {
      const value = normaliseNode(bodyNode as Record<string, unknown>, shape, 'Body', ctx)
      body = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {}
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
