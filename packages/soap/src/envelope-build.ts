import { randomUUID } from 'node:crypto'
import { expected } from '@fieldkit/core'
import { checkOneOf, checkStringMap, inputError, optionsError } from './checks'
import { SoapError, type SoapVersion } from './errors'
import { SOAP11_NS, SOAP12_NS, WSA_NS, XSI_NS } from './namespaces'
import { cdata, comment, escapeAttribute, escapeText } from './xml-escape'

/** A SOAP header block given as data: serialised like the body, in its own namespace. */
export interface SoapHeaderBlock {
  name: string
  namespace: string
  value: unknown
  mustUnderstand?: boolean
}

/** WS-Addressing headers (`wsa:Action`, `wsa:To`, `wsa:MessageID`, `wsa:ReplyTo` anonymous). */
export interface AddressingOptions {
  action: string
  to: string
  /** Default: a fresh `urn:uuid:…` per envelope. */
  messageId?: string
}

/** Options of {@link buildEnvelope}. */
export interface BuildEnvelopeOptions {
  version: SoapVersion
  /** The body's one element: its name, namespace and content (a plain object, see {@link buildEnvelope}). */
  body: { name: string; namespace: string; value: unknown }
  /**
   * Children of the body element in the body's namespace (`'qualified'`, the default and the usual
   * elementFormDefault) or in no namespace (`'unqualified'`, and rpc/literal parts).
   */
  elementForm?: 'qualified' | 'unqualified'
  /** Header blocks: data, or whole elements as XML strings (a WS-Security header, for example), written as is. */
  headers?: readonly (SoapHeaderBlock | string)[]
  addressing?: AddressingOptions
  /** Extra prefix → namespace URI declarations for `prefix:Name` keys, declared once on the Envelope. */
  namespaces?: Record<string, string>
}

const NAME = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?$/

function nameError(name: string): SoapError {
  return new SoapError({
    code: 'FK_SOAP_INPUT',
    message: `[fieldkit/soap] "${name.slice(0, 60)}" cannot be an XML element or attribute name`,
    hint: 'Keys of the input object become element names: use letters, digits, _, - and . (and one prefix:), or put the value under a valid key',
    details: { name: name.slice(0, 60) },
  })
}

interface Writer {
  out: string[]
  /** Prefix for unprefixed child elements ('' = no namespace). */
  prefix: string
  declared: Map<string, string>
  depth: number
}

function valueText(value: unknown): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalid('an invalid Date')
    return value.toISOString()
  }
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN'
    if (!Number.isFinite(value)) return value > 0 ? 'INF' : '-INF'
    return String(value)
  }
  if (typeof value === 'symbol' || typeof value === 'function') throw invalid(`a ${typeof value}`)
  try {
    return String(value)
  } catch {
    // An object without toString (null prototype) or whose toString throws.
    throw invalid('an object that has no text form')
  }
}

function invalid(what: string): SoapError {
  return new SoapError({
    code: 'FK_SOAP_INPUT',
    message: `[fieldkit/soap] the input holds ${what}, which has no XML form`,
    hint: 'Pass strings, numbers, booleans, bigints, Dates, Buffers, arrays, null or plain objects',
  })
}

/** Throws unless `name`'s prefix (if any) is declared on the Envelope (or is `xml`/`xmlns`, for attributes). */
function checkPrefix(name: string, w: Writer, reserved: boolean): void {
  const colon = name.indexOf(':')
  if (colon === -1) return
  const prefix = name.slice(0, colon)
  if (w.declared.has(prefix) || (reserved && (prefix === 'xml' || prefix === 'xmlns'))) return
  throw new SoapError({
    code: 'FK_SOAP_INPUT',
    message: `[fieldkit/soap] the input uses the prefix "${prefix}" but no namespace is declared for it`,
    hint: 'Add it to namespaces: { prefix: uri } so that it is declared once on the Envelope',
    details: { prefix },
  })
}

function qualified(key: string, w: Writer): string {
  if (!NAME.test(key)) throw nameError(key)
  if (key.includes(':')) {
    checkPrefix(key, w, false)
    return key
  }
  return w.prefix ? `${w.prefix}:${key}` : key
}

/** The shape of buildEnvelope's options, for JavaScript callers: FK_SOAP_OPTIONS / FK_SOAP_INPUT, never a TypeError. */
function checkBuildOptions(options: BuildEnvelopeOptions): void {
  if (typeof options !== 'object' || options === null) throw optionsError('options', 'an object', options)
  const body = options.body as Partial<BuildEnvelopeOptions['body']> | undefined
  if (typeof body !== 'object' || body === null) throw inputError('body', 'an object { name, namespace, value }', body)
  if (typeof body.name !== 'string') throw inputError('body.name', 'an element name', body.name)
  if (typeof body.namespace !== 'string') throw inputError('body.namespace', 'a namespace URI', body.namespace)
  checkOneOf('elementForm', options.elementForm, ['qualified', 'unqualified'])
  checkStringMap('namespaces', options.namespaces)
  const headers = options.headers as unknown
  if (headers !== undefined && !Array.isArray(headers)) throw inputError('headers', 'an array', headers)
  for (const [i, block] of (options.headers ?? []).entries()) {
    if (typeof block === 'string') continue
    if (typeof block !== 'object' || block === null) throw inputError(`headers[${i}]`, 'an object or XML', block)
    if (typeof block.name !== 'string') throw inputError(`headers[${i}].name`, 'an element name', block.name)
    if (typeof block.namespace !== 'string')
      throw inputError(`headers[${i}].namespace`, 'a namespace URI', block.namespace)
  }
  const a = options.addressing as Partial<AddressingOptions> | undefined
  if (a === undefined) return
  if (typeof a !== 'object' || a === null) throw optionsError('addressing', 'an object { action, to }', a)
  for (const key of ['action', 'to'] as const)
    if (typeof a[key] !== 'string') throw optionsError(`addressing.${key}`, 'a string', a[key])
  if (a.messageId !== undefined && typeof a.messageId !== 'string')
    throw optionsError('addressing.messageId', 'a string', a.messageId)
}

/**
 * Writes the members of an object value: `@name` keys as attributes (returned), `#text`, `#cdata` and `#comment` as
 * content, other keys as child elements through `children` (whose `out` collects the content).
 */
function writeMembers(value: object, w: Writer, children: Writer): string {
  let attrs = ''
  const content = children.out
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue
    if (k.startsWith('@')) {
      const attr = k.slice(1)
      if (!NAME.test(attr)) throw nameError(attr)
      checkPrefix(attr, w, true)
      attrs += ` ${attr}="${escapeAttribute(valueText(v))}"`
    } else if (k === '#text') content.push(escapeText(valueText(v)))
    else if (k === '#cdata') content.push(cdata(valueText(v)))
    else if (k === '#comment') content.push(comment(valueText(v)))
    else writeElement(k, v, children)
  }
  return attrs
}

/** `<name attrs/>` or `<name attrs>content</name>`. */
const element = (name: string, attrs: string, content: string[]): string =>
  content.length === 0 ? `<${name}${attrs}/>` : `<${name}${attrs}>${content.join('')}</${name}>`

function writeElement(key: string, value: unknown, w: Writer): void {
  if (value === undefined) return
  if (Array.isArray(value)) {
    for (const item of value) writeElement(key, item, w)
    return
  }
  if (w.depth > 64) throw invalid('nesting deeper than 64 levels (a cycle?)')
  const name = qualified(key, w)
  if (value === null) {
    w.out.push(`<${name} xsi:nil="true"/>`)
    return
  }
  if (typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array) {
    if (typeof value === 'function' || typeof value === 'symbol') throw invalid(`a ${typeof value}`)
    w.out.push(`<${name}>${escapeText(valueText(value))}</${name}>`)
    return
  }
  const inner: Writer = { ...w, out: [], depth: w.depth + 1 }
  const attrs = writeMembers(value, w, inner)
  w.out.push(element(name, attrs, inner.out))
}

/** The Header's children: WS-Addressing first, then each block (data serialised in its own namespace, XML as is). */
function writeHeaders(
  options: BuildEnvelopeOptions,
  declared: Map<string, string>,
  nsPrefix: (uri: string) => string,
): string[] {
  const headers: string[] = []
  if (options.addressing) {
    const a = options.addressing
    const p = nsPrefix(WSA_NS)
    const mu = options.version === '1.2' ? ' soap:mustUnderstand="true"' : ' soap:mustUnderstand="1"'
    headers.push(
      `<${p}:Action${mu}>${escapeText(a.action)}</${p}:Action>`,
      `<${p}:MessageID>${escapeText(a.messageId ?? `urn:uuid:${randomUUID()}`)}</${p}:MessageID>`,
      `<${p}:ReplyTo><${p}:Address>http://www.w3.org/2005/08/addressing/anonymous</${p}:Address></${p}:ReplyTo>`,
      `<${p}:To${mu}>${escapeText(a.to)}</${p}:To>`,
    )
  }
  for (const block of options.headers ?? []) {
    if (typeof block === 'string') {
      headers.push(block)
      continue
    }
    const p = nsPrefix(block.namespace)
    const w: Writer = { out: [], prefix: p, declared, depth: 0 }
    writeElement(block.name, block.value, w)
    let xml = w.out.join('')
    if (block.mustUnderstand) {
      const mu = options.version === '1.2' ? 'true' : '1'
      xml = xml.replace(/^<([^\s/>]+)/, `<$1 soap:mustUnderstand="${mu}"`)
    }
    headers.push(xml)
  }
  return headers
}

/**
 * Builds a SOAP 1.1 or 1.2 envelope from plain data. Every namespace is declared once on the Envelope. In the body
 * value, keys are child elements (`prefix:Name` for a declared prefix), `@name` keys are attributes, `#text`,
 * `#cdata` and `#comment` hold content, arrays repeat the element, `null` writes `xsi:nil="true"`, Dates are ISO
 * 8601 and Buffers base64. All text is escaped so that no value can close an element, CDATA section or comment.
 *
 * @example
 * ```ts
 * const xml = buildEnvelope({
 *   version: '1.1',
 *   body: { name: 'GetEmployees', namespace: 'urn:example:hr:employees:v1', value: { departmentId: '0042' } },
 * })
 * ```
 */
export function buildEnvelope(options: BuildEnvelopeOptions): string {
  checkBuildOptions(options)
  const envNs = options.version === '1.2' ? SOAP12_NS : options.version === '1.1' ? SOAP11_NS : undefined
  if (envNs === undefined) {
    throw new SoapError({
      code: 'FK_SOAP_OPTIONS',
      message: `[fieldkit/soap] ${expected('version', "'1.1' or '1.2'", options.version)}`,
      hint: "Use '1.1' for text/xml services and '1.2' for application/soap+xml ones (the WSDL binding says which)",
    })
  }
  const declared = new Map<string, string>([
    ['soap', envNs],
    ['xsi', XSI_NS],
    ['m', options.body.namespace],
  ])
  let next = 0
  const nsPrefix = (uri: string): string => {
    for (const [p, u] of declared) if (u === uri && p !== 'soap' && p !== 'xsi') return p
    let p = `h${next++}`
    while (declared.has(p)) p = `h${next++}`
    declared.set(p, uri)
    return p
  }
  for (const [prefix, uri] of Object.entries(options.namespaces ?? {})) {
    if (!/^[A-Za-z_][\w.-]*$/.test(prefix) || prefix === 'xmlns' || prefix === 'xml') throw nameError(prefix)
    if (declared.has(prefix) && declared.get(prefix) !== uri) {
      throw new SoapError({
        code: 'FK_SOAP_OPTIONS',
        message: `[fieldkit/soap] the prefix "${prefix}" is reserved for ${declared.get(prefix)}`,
        hint: 'Pick another prefix in namespaces: soap, xsi and m are used by the envelope',
      })
    }
    declared.set(prefix, uri)
  }
  const headers = writeHeaders(options, declared, nsPrefix)
  const bodyWriter: Writer = { out: [], prefix: 'm', declared, depth: 0 }
  const childPrefix = options.elementForm === 'unqualified' ? '' : 'm'
  const value = options.body.value
  const name = qualified(options.body.name, bodyWriter)
  if (
    value === null ||
    value === undefined ||
    typeof value !== 'object' ||
    value instanceof Date ||
    value instanceof Uint8Array ||
    Array.isArray(value)
  ) {
    writeElement(options.body.name, value ?? {}, bodyWriter)
  } else {
    // Children of the operation element take the elementForm prefix; the element itself is always qualified.
    const children: Writer = { ...bodyWriter, prefix: childPrefix, out: [], depth: 1 }
    const attrs = writeMembers(value, bodyWriter, children)
    bodyWriter.out.push(element(name, attrs, children.out))
  }
  const decls = [...declared].map(([p, u]) => ` xmlns:${p}="${escapeAttribute(u)}"`).join('')
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope${decls}>` +
    (headers.length ? `<soap:Header>${headers.join('')}</soap:Header>` : '') +
    `<soap:Body>${bodyWriter.out.join('')}</soap:Body></soap:Envelope>`
  )
}
