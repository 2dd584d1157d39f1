import { readFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { XMLParser } from 'fast-xml-parser'
import { SoapError, truncate } from './errors'
import { childScope, nsDeclarations, ROOT_SCOPE, type Scope, splitQName, XSD_NS } from './namespaces'
import { nameMap, type Shape } from './shape'
import { checkXml, resolveLimits, type XmlLimits } from './xml-limits'

const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/'
const WSDL_SOAP11 = 'http://schemas.xmlsoap.org/wsdl/soap/'
const WSDL_SOAP12 = 'http://schemas.xmlsoap.org/wsdl/soap12/'

/** A namespace-qualified name. */
export interface QName {
  namespace: string
  name: string
}

/** An element declaration (top-level or inside a complex type). */
export interface ElementDecl {
  name: string
  /** Namespace of the element in instance documents ('' when unqualified). */
  namespace: string
  type?: QName
  /** An anonymous type declared inline. */
  inline?: TypeDecl
  minOccurs: number
  /** A number, or Infinity for `unbounded`. */
  maxOccurs: number
  nillable: boolean
}

/** An attribute declaration. */
export interface AttributeDecl {
  name: string
  type?: QName
  required: boolean
}

/** A complex or simple type, named or anonymous. */
export interface TypeDecl {
  kind: 'complex' | 'simple'
  name?: string
  namespace: string
  /** Complex: child elements in order (sequence, all and choice flattened; choice members are optional). */
  fields: ElementDecl[]
  attributes: AttributeDecl[]
  /** Complex: extension base whose fields come first. Simple: restriction base. */
  base?: QName
  /** Complex with simpleContent: the type of the text. */
  text?: QName
  /** Simple: enumeration values. */
  enumeration?: string[]
  /** Simple list type item. */
  list?: QName
}

/** The message of one direction of an operation. */
export interface MessageInfo {
  /** Message name. */
  message: string
  parts: { name: string; element?: QName; type?: QName }[]
  /** document/literal: the one part's element. */
  element?: QName
}

/** One operation of one binding. */
export interface WsdlOperation {
  name: string
  binding: string
  portType: string
  version: '1.1' | '1.2'
  style: 'document' | 'rpc'
  soapAction: string
  /** rpc/literal: the namespace of the wrapper elements (soap:body namespace). */
  namespace?: string
  input?: MessageInfo
  output?: MessageInfo
  faults: string[]
}

/** A port of a service. */
export interface WsdlPort {
  name: string
  binding: string
  address: string
  version: '1.1' | '1.2'
}

/** What {@link readWsdl} returns. */
export interface WsdlDescription {
  targetNamespace: string
  services: { name: string; ports: WsdlPort[] }[]
  operations: WsdlOperation[]
  /** Top-level elements and named types by `{namespace}name`. */
  elements: Map<string, ElementDecl>
  types: Map<string, TypeDecl>
  /** Every document read (the WSDL and what it imports). */
  documents: string[]
  /** Namespace URI → the prefix the documents first declare for it (used to name keys apart, see schemaNamespaces). */
  prefixes?: Map<string, string>
}

/** Options of {@link readWsdl}. */
export interface ReadWsdlOptions {
  /** Hosts from which remote imports (and a remote WSDL) may be fetched; none by default. */
  allowHosts?: readonly string[]
  /** Limits for every document read. */
  limits?: XmlLimits
  /** Most documents followed through imports and includes (default 64). */
  maxDocuments?: number
  /** Fetches a remote document (default: global fetch); only called for allowed hosts. */
  fetch?: (url: URL) => Promise<string>
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name, _jpath, _isLeaf, isAttribute) => !isAttribute,
  maxNestedTags: 100_000,
})

type Node = Record<string, unknown>

export const clark = (q: QName) => `{${q.namespace}}${q.name}`

function wsdlError(what: string, source: string, cause?: unknown): SoapError {
  return new SoapError({
    code: 'FK_SOAP_WSDL',
    message: `[fieldkit/soap] ${source}: ${what}`,
    hint: 'Check the WSDL location and its imports; remote imports need their host in allowHosts',
    details: { source: truncate(source, 200) },
    cause,
  })
}

interface Walk {
  node: Node
  scope: Scope
}

/** Children of a node (arrays from the isArray option) whose namespace and local name match. */
function kids(w: Walk, ns: string, local: string): Walk[] {
  const out: Walk[] = []
  for (const key in w.node) {
    if (key.startsWith('@_') || key === '#text') continue
    const [prefix, l] = splitQName(key)
    if (l !== local) continue
    for (const child of w.node[key] as unknown[]) {
      const node = (typeof child === 'object' && child !== null ? child : {}) as Node
      const scope = childScope(w.scope, nsDeclarations(node))
      if (scope[prefix] === ns) out.push({ node, scope })
    }
  }
  return out
}

const attr = (w: Walk, name: string): string | undefined => {
  const v = w.node[`@_${name}`]
  return v === undefined ? undefined : String(v)
}

function qname(w: Walk, value: string | undefined): QName | undefined {
  if (value === undefined) return undefined
  const [prefix, name] = splitQName(value.trim())
  return { namespace: w.scope[prefix] ?? '', name }
}

/**
 * Reads a WSDL 1.1 document with its `wsdl:import`s and `xsd:import`/`xsd:include`s (local files; remote only for
 * hosts in `allowHosts`): services, ports, SOAP 1.1 and 1.2 bindings, document/literal and rpc/literal operations
 * with their soapAction and message elements, and the XSD types it understands.
 *
 * @example
 * ```ts
 * const desc = await readWsdl('./employees.wsdl')
 * desc.operations.map((op) => `${op.name} ${op.soapAction}`)
 * ```
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: readWsdl/readSchema not yet split (issue 20 point 8, open)
export async function readWsdl(source: string | URL, options: ReadWsdlOptions = {}): Promise<WsdlDescription> {
  const limits = resolveLimits(options.limits, 'limits')
  const maxDocuments = options.maxDocuments ?? 64
  const allow = new Set((options.allowHosts ?? []).map((h) => h.toLowerCase()))
  const seen = new Set<string>()
  const desc: WsdlDescription = {
    targetNamespace: '',
    services: [],
    operations: [],
    elements: new Map(),
    types: new Map(),
    documents: [],
    prefixes: new Map(),
  }
  const messages = new Map<string, MessageInfo>()
  const portTypes = new Map<
    string,
    { name: string; operations: Map<string, { input?: QName; output?: QName; faults: string[] }> }
  >()
  const bindings: { w: Walk; targetNamespace: string }[] = []
  const servicesRaw: { w: Walk }[] = []

  async function load(location: URL): Promise<string> {
    if (location.protocol === 'file:') {
      try {
        return await readFile(fileURLToPath(location), 'utf8')
      } catch (cause) {
        throw wsdlError(`cannot read ${fileURLToPath(location)}`, location.href, cause)
      }
    }
    if (location.protocol === 'http:' || location.protocol === 'https:') {
      if (!allow.has(location.hostname.toLowerCase())) {
        throw new SoapError({
          code: 'FK_SOAP_WSDL_HOST',
          message: `[fieldkit/soap] the WSDL refers to ${location.origin}, which is not in allowHosts`,
          hint: 'Download the WSDL and its imports and read them from disk, or add the host to allowHosts if you trust it',
          details: { host: location.hostname },
        })
      }
      try {
        if (options.fetch) return await options.fetch(location)
        const res = await fetch(location, { redirect: 'error' })
        if (!res.ok) throw new Error(`HTTP ${res.status}`)
        return await res.text()
      } catch (cause) {
        throw wsdlError(`cannot fetch ${location.origin}${location.pathname}`, location.href, cause)
      }
    }
    throw wsdlError(`unsupported location scheme ${location.protocol}`, location.href)
  }

  async function readDocument(text: string, base: URL, chameleon?: string): Promise<void> {
    if (desc.documents.length >= maxDocuments)
      throw wsdlError(`more than ${maxDocuments} documents through imports`, base.href)
    desc.documents.push(base.href)
    checkXml(text, limits, base.href)
    const tree = parser.parse(text) as Node
    const rootKey = Object.keys(tree).find((k) => !k.startsWith('?'))
    const rootNode = rootKey === undefined ? undefined : (tree[rootKey] as unknown[])[0]
    if (rootKey === undefined || typeof rootNode !== 'object' || rootNode === null)
      throw wsdlError('no root element', base.href)
    const declared = nsDeclarations(rootNode as Node)
    for (const [p, uri] of declared ?? []) if (p !== '' && !desc.prefixes?.has(uri)) desc.prefixes?.set(uri, p)
    const root: Walk = { node: rootNode as Node, scope: childScope(ROOT_SCOPE, declared) }
    const [prefix, local] = splitQName(rootKey)
    const ns = root.scope[prefix]
    if (ns === XSD_NS && local === 'schema') return readSchema(root, base, chameleon)
    if (ns !== WSDL_NS || local !== 'definitions')
      throw wsdlError(`root <${truncate(rootKey, 60)}> is neither wsdl:definitions nor xsd:schema`, base.href)
    const tns = attr(root, 'targetNamespace') ?? ''
    if (desc.targetNamespace === '') desc.targetNamespace = tns
    for (const imp of kids(root, WSDL_NS, 'import')) {
      const location = attr(imp, 'location')
      if (location) await follow(location, base)
    }
    for (const types of kids(root, WSDL_NS, 'types')) {
      for (const schema of kids(types, XSD_NS, 'schema')) await readSchema(schema, base)
    }
    for (const m of kids(root, WSDL_NS, 'message')) {
      const name = attr(m, 'name') ?? ''
      const parts = kids(m, WSDL_NS, 'part').map((p) => {
        const element = qname(p, attr(p, 'element'))
        const type = qname(p, attr(p, 'type'))
        return { name: attr(p, 'name') ?? '', ...(element ? { element } : {}), ...(type ? { type } : {}) }
      })
      messages.set(clark({ namespace: tns, name }), { message: name, parts })
    }
    for (const pt of kids(root, WSDL_NS, 'portType')) {
      const ops = new Map<string, { input?: QName; output?: QName; faults: string[] }>()
      for (const op of kids(pt, WSDL_NS, 'operation')) {
        const input = kids(op, WSDL_NS, 'input')[0]
        const output = kids(op, WSDL_NS, 'output')[0]
        const inQ = input ? qname(input, attr(input, 'message')) : undefined
        const outQ = output ? qname(output, attr(output, 'message')) : undefined
        ops.set(attr(op, 'name') ?? '', {
          ...(inQ ? { input: inQ } : {}),
          ...(outQ ? { output: outQ } : {}),
          faults: kids(op, WSDL_NS, 'fault').map((f) => attr(f, 'name') ?? ''),
        })
      }
      portTypes.set(clark({ namespace: tns, name: attr(pt, 'name') ?? '' }), {
        name: attr(pt, 'name') ?? '',
        operations: ops,
      })
    }
    for (const b of kids(root, WSDL_NS, 'binding')) bindings.push({ w: b, targetNamespace: tns })
    for (const s of kids(root, WSDL_NS, 'service')) servicesRaw.push({ w: s })
  }

  async function follow(location: string, base: URL, chameleon?: string): Promise<void> {
    let url: URL
    try {
      url = new URL(location, base)
    } catch (cause) {
      throw wsdlError(`invalid import location "${truncate(location, 100)}"`, base.href, cause)
    }
    if (seen.has(url.href)) return
    seen.add(url.href)
    await readDocument(await load(url), url, chameleon)
  }

  // biome-ignore lint/complexity/noExcessiveLinesPerFunction: readWsdl/readSchema not yet split (issue 20 point 8, open)
  async function readSchema(schema: Walk, base: URL, chameleon?: string): Promise<void> {
    for (const [p, uri] of nsDeclarations(schema.node) ?? [])
      if (p !== '' && !desc.prefixes?.has(uri)) desc.prefixes?.set(uri, p)
    const tns = attr(schema, 'targetNamespace') ?? chameleon ?? ''
    const qualified = attr(schema, 'elementFormDefault') === 'qualified'
    for (const imp of kids(schema, XSD_NS, 'import')) {
      const location = attr(imp, 'schemaLocation')
      if (location) await follow(location, base)
    }
    for (const inc of kids(schema, XSD_NS, 'include')) {
      const location = attr(inc, 'schemaLocation')
      if (location) await follow(location, base, tns)
    }
    const element = (w: Walk, topLevel: boolean): ElementDecl => {
      const ref = qname(w, attr(w, 'ref'))
      const min = attr(w, 'minOccurs')
      const max = attr(w, 'maxOccurs')
      const occurs = {
        minOccurs: min === undefined ? 1 : Number(min),
        maxOccurs: max === undefined ? 1 : max === 'unbounded' ? Number.POSITIVE_INFINITY : Number(max),
      }
      if (ref) {
        return {
          name: ref.name,
          namespace: ref.namespace,
          type: { namespace: '#element', name: clark(ref) },
          nillable: false,
          ...occurs,
        }
      }
      const name = attr(w, 'name') ?? ''
      const form = attr(w, 'form')
      const inNs = topLevel || form === 'qualified' || (form !== 'unqualified' && qualified)
      const type = qname(w, attr(w, 'type'))
      const complex = kids(w, XSD_NS, 'complexType')[0]
      const simple = kids(w, XSD_NS, 'simpleType')[0]
      const inline = complex ? complexType(complex) : simple ? simpleType(simple) : undefined
      return {
        name,
        namespace: inNs ? tns : '',
        ...(type ? { type } : {}),
        ...(inline ? { inline } : {}),
        nillable: attr(w, 'nillable') === 'true',
        ...occurs,
      }
    }
    const particles = (w: Walk, optional: boolean, repeat: boolean, into: ElementDecl[]) => {
      for (const key in w.node) {
        if (key.startsWith('@_') || key === '#text') continue
        const [prefix, local] = splitQName(key)
        if (w.scope[prefix] !== XSD_NS) continue
        for (const child of kids(w, XSD_NS, local)) {
          if (local === 'element') {
            const e = element(child, false)
            into.push({
              ...e,
              minOccurs: optional ? 0 : e.minOccurs,
              maxOccurs: repeat ? Number.POSITIVE_INFINITY : e.maxOccurs,
            })
          } else if (local === 'sequence' || local === 'all' || local === 'choice') {
            const max = attr(child, 'maxOccurs')
            const min = attr(child, 'minOccurs')
            particles(
              child,
              optional || local === 'choice' || min === '0',
              repeat || (max !== undefined && max !== '1'),
              into,
            )
          }
        }
      }
    }
    const attributes = (w: Walk): AttributeDecl[] =>
      kids(w, XSD_NS, 'attribute').map((a) => {
        const type = qname(a, attr(a, 'type'))
        return {
          name: attr(a, 'name') ?? attr(a, 'ref') ?? '',
          ...(type ? { type } : {}),
          required: attr(a, 'use') === 'required',
        }
      })
    const complexType = (w: Walk): TypeDecl => {
      const out: TypeDecl = { kind: 'complex', namespace: tns, fields: [], attributes: attributes(w) }
      const name = attr(w, 'name')
      if (name) out.name = name
      particles(w, false, false, out.fields)
      for (const content of [...kids(w, XSD_NS, 'complexContent'), ...kids(w, XSD_NS, 'simpleContent')]) {
        const isSimple = kids(w, XSD_NS, 'simpleContent').some((c) => c.node === content.node)
        for (const ext of [...kids(content, XSD_NS, 'extension'), ...kids(content, XSD_NS, 'restriction')]) {
          const base = qname(ext, attr(ext, 'base'))
          if (base) {
            if (isSimple) out.text = base
            else out.base = base
          }
          particles(ext, false, false, out.fields)
          out.attributes.push(...attributes(ext))
        }
      }
      return out
    }
    const simpleType = (w: Walk): TypeDecl => {
      const out: TypeDecl = { kind: 'simple', namespace: tns, fields: [], attributes: [] }
      const name = attr(w, 'name')
      if (name) out.name = name
      const restriction = kids(w, XSD_NS, 'restriction')[0]
      if (restriction) {
        const base = qname(restriction, attr(restriction, 'base'))
        if (base) out.base = base
        const values = kids(restriction, XSD_NS, 'enumeration').map((e) => attr(e, 'value') ?? '')
        if (values.length) out.enumeration = values
      }
      const list = kids(w, XSD_NS, 'list')[0]
      if (list) {
        const item = qname(list, attr(list, 'itemType'))
        if (item) out.list = item
      }
      return out
    }
    for (const e of kids(schema, XSD_NS, 'element')) {
      const decl = element(e, true)
      desc.elements.set(clark({ namespace: tns, name: decl.name }), decl)
    }
    for (const t of kids(schema, XSD_NS, 'complexType')) {
      const decl = complexType(t)
      desc.types.set(clark({ namespace: tns, name: decl.name ?? '' }), decl)
    }
    for (const t of kids(schema, XSD_NS, 'simpleType')) {
      const decl = simpleType(t)
      desc.types.set(clark({ namespace: tns, name: decl.name ?? '' }), decl)
    }
  }

  let base: URL
  let text: string
  if (source instanceof URL || /^(https?|file):\/\//i.test(source)) {
    base = new URL(source)
    seen.add(base.href)
    text = await load(base)
  } else if (source.trimStart().startsWith('<')) {
    base = pathToFileURL(`${process.cwd()}/`)
    text = source
  } else {
    base = pathToFileURL(source)
    seen.add(base.href)
    text = await load(base)
  }
  await readDocument(text, base)

  // Bindings → operations.
  for (const { w, targetNamespace } of bindings) {
    const soap11 = kids(w, WSDL_SOAP11, 'binding')[0]
    const soap12 = kids(w, WSDL_SOAP12, 'binding')[0]
    const soapBinding = soap12 ?? soap11
    if (soapBinding === undefined) continue // an HTTP or other non-SOAP binding
    const version = soap12 ? '1.2' : '1.1'
    const soapNs = soap12 ? WSDL_SOAP12 : WSDL_SOAP11
    const portTypeQ = qname(w, attr(w, 'type'))
    const portType = portTypeQ ? portTypes.get(clark(portTypeQ)) : undefined
    const bindingName = attr(w, 'name') ?? ''
    const defaultStyle = attr(soapBinding, 'style') === 'rpc' ? 'rpc' : 'document'
    for (const op of kids(w, WSDL_NS, 'operation')) {
      const name = attr(op, 'name') ?? ''
      const soapOp = kids(op, soapNs, 'operation')[0]
      const style =
        soapOp && attr(soapOp, 'style') ? (attr(soapOp, 'style') === 'rpc' ? 'rpc' : 'document') : defaultStyle
      const abstract = portType?.operations.get(name)
      const inputBody = kids(kids(op, WSDL_NS, 'input')[0] ?? { node: {}, scope: ROOT_SCOPE }, soapNs, 'body')[0]
      const messageOf = (q: QName | undefined): MessageInfo | undefined => {
        if (q === undefined) return undefined
        const m = messages.get(clark(q))
        if (m === undefined) return undefined
        const first = m.parts[0]
        return style === 'document' && m.parts.length === 1 && first?.element ? { ...m, element: first.element } : m
      }
      const input = messageOf(abstract?.input)
      const output = messageOf(abstract?.output)
      const rpcNs = inputBody ? attr(inputBody, 'namespace') : undefined
      desc.operations.push({
        name,
        binding: bindingName,
        portType: portType?.name ?? '',
        version,
        style,
        soapAction: (soapOp && attr(soapOp, 'soapAction')) ?? '',
        ...(style === 'rpc' ? { namespace: rpcNs ?? targetNamespace } : {}),
        ...(input ? { input } : {}),
        ...(output ? { output } : {}),
        faults: abstract?.faults ?? [],
      })
    }
  }
  for (const { w } of servicesRaw) {
    const ports: WsdlPort[] = []
    for (const p of kids(w, WSDL_NS, 'port')) {
      const a11 = kids(p, WSDL_SOAP11, 'address')[0]
      const a12 = kids(p, WSDL_SOAP12, 'address')[0]
      const address = a12 ?? a11
      if (address === undefined) continue
      const binding = qname(p, attr(p, 'binding'))
      ports.push({
        name: attr(p, 'name') ?? '',
        binding: binding?.name ?? '',
        address: attr(address, 'location') ?? '',
        version: a12 ? '1.2' : '1.1',
      })
    }
    desc.services.push({ name: attr(w, 'name') ?? '', ports })
  }
  return desc
}

/** The element a reference points to (`ref=`) or the declaration itself. */
export function derefElement(desc: WsdlDescription, decl: ElementDecl): ElementDecl {
  if (decl.type?.namespace !== '#element') return decl
  const target = desc.elements.get(decl.type.name)
  return target
    ? { ...target, minOccurs: decl.minOccurs, maxOccurs: decl.maxOccurs }
    : { ...decl, type: { namespace: XSD_NS, name: 'anyType' } }
}

/** The XSD built-in a simple type comes down to (`int`, `dateTime`, …), or undefined for complex/unknown types. */
export function builtinOf(desc: WsdlDescription, type: QName | undefined, depth = 0): string | undefined {
  if (type === undefined || depth > 16) return undefined
  if (type.namespace === XSD_NS) return type.name
  const decl = desc.types.get(clark(type))
  if (decl?.kind === 'simple') return decl.list ? 'string' : builtinOf(desc, decl.base, depth + 1)
  return undefined
}

/** The type declaration of an element (named or inline), if complex. */
export function complexOf(desc: WsdlDescription, decl: ElementDecl): TypeDecl | undefined {
  const t = decl.inline ?? (decl.type ? desc.types.get(clark(decl.type)) : undefined)
  return t?.kind === 'complex' ? t : undefined
}

/** Fields of a complex type with its extension bases' fields first. */
export function fieldsOf(desc: WsdlDescription, type: TypeDecl, depth = 0): ElementDecl[] {
  const base = type.base && depth < 16 ? desc.types.get(clark(type.base)) : undefined
  return [...(base?.kind === 'complex' ? fieldsOf(desc, base, depth + 1) : []), ...type.fields]
}

/** Attributes of a complex type with its extension bases' attributes first. */
export function attributesOf(desc: WsdlDescription, type: TypeDecl, depth = 0): AttributeDecl[] {
  const base = type.base && depth < 16 ? desc.types.get(clark(type.base)) : undefined
  return [...(base?.kind === 'complex' ? attributesOf(desc, base, depth + 1) : []), ...type.attributes]
}

/**
 * The normaliser's shape for an operation's output (relative to Body): arrays where `maxOccurs > 1`, XSD types for
 * typing. Keys follow `key` (the caller's namespace mapping).
 */
export function outputShape(
  desc: WsdlDescription,
  op: WsdlOperation,
  key: (uri: string, local: string) => string,
): Shape | undefined {
  const cache = new Map<ElementDecl, Shape>()
  const shapeOf = (raw: ElementDecl): Shape => {
    const cached = cache.get(raw)
    if (cached) return cached
    const decl = derefElement(desc, raw)
    const complex = complexOf(desc, decl)
    const array = decl.maxOccurs > 1
    const type = builtinOf(desc, decl.type ?? decl.inline?.base)
    let memo: Record<string, Shape> | undefined
    const shape: Shape = complex
      ? {
          complex: true,
          ...(array ? { array } : {}),
          get children() {
            if (memo) return memo
            memo = nameMap<Shape>()
            for (const f of fieldsOf(desc, complex)) {
              const d = derefElement(desc, f)
              memo[key(d.namespace, d.name)] = shapeOf(f)
            }
            for (const a of attributesOf(desc, complex)) {
              const t = builtinOf(desc, a.type)
              if (a.name && t) memo[`@${key('', a.name.replace(/^.*:/, ''))}`] = { type: t }
            }
            return memo
          },
        }
      : { ...(array ? { array } : {}), ...(type ? { type } : {}) }
    cache.set(raw, shape)
    return shape
  }
  const out = op.output
  if (out === undefined) return undefined
  if (op.style === 'document' && out.element) {
    const decl = desc.elements.get(clark(out.element))
    if (decl === undefined) return undefined
    return { children: Object.assign(nameMap<Shape>(), { [key(decl.namespace, decl.name)]: shapeOf(decl) }) }
  }
  // rpc/literal: a wrapper named after the operation, parts unqualified inside it.
  const parts = nameMap<Shape>()
  for (const part of out.parts) {
    const decl: ElementDecl = part.element
      ? (desc.elements.get(clark(part.element)) ?? {
          name: part.name,
          namespace: '',
          minOccurs: 1,
          maxOccurs: 1,
          nillable: false,
        })
      : {
          name: part.name,
          namespace: '',
          ...(part.type ? { type: part.type } : {}),
          minOccurs: 1,
          maxOccurs: 1,
          nillable: false,
        }
    parts[key(decl.namespace, decl.name)] = shapeOf(decl)
  }
  const wrapper = nameMap<Shape>()
  wrapper[key(op.namespace ?? '', `${op.name}Response`)] = { children: parts }
  return { children: wrapper }
}
