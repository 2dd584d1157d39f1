import { SoapError, truncate, XmlError } from './errors'
import { XOP_NS, XSI_NS } from './namespaces'
import { arrayKeys, childShape, coerce, type DecimalMode, type Shape } from './shape'

/** Everything one normalisation pass needs. */
export interface NormaliseContext {
  key: (uri: string, local: string) => string
  decimal: DecimalMode
  attachments?: ReadonlyMap<string, Buffer>
  source: string
}

type FxpNode = string | number | boolean | { [key: string]: unknown }

/** Sets a key without ever touching a prototype (an element named `__proto__` is data, not a setter). */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  } else {
    target[key] = value
  }
}

function coerceAt(text: string, type: string, ctx: NormaliseContext, parent: string, key: string): unknown {
  if (type === 'string') return text
  try {
    return coerce(text, type, ctx.decimal, '')
  } catch {
    return coerce(text, type, ctx.decimal, `${parent}/${key}`)
  }
}

/** Sets every array child the shape declares but the element did not carry to `[]`. */
export function fillArrays(out: Record<string, unknown>, shape: Shape): Record<string, unknown> {
  for (const key of arrayKeys(shape)) if (!Object.hasOwn(out, key)) setKey(out, key, [])
  return out
}

/** Adds a child value under `key`: an array when the shape says so or when the key repeats. */
export function addChild(target: Record<string, unknown>, key: string, value: unknown, array: boolean): void {
  const prev = Object.hasOwn(target, key) ? target[key] : undefined
  if (prev === undefined) {
    setKey(target, key, array ? [value] : value)
  } else if (Array.isArray(prev)) {
    prev.push(value)
  } else {
    setKey(target, key, [prev, value])
  }
}

/**
 * `FK_SOAP_NAMESPACE_CLASH`: two elements (or attributes) of different namespace URIs would get the same key under
 * one parent. Fieldkit never merges them (see docs/decisions/soap-namespace-keys.md); the caller names them apart.
 */
export function namespaceClash(source: string, path: string, key: string, first: string, second: string): SoapError {
  const shown = (uri: string) => (uri === '' ? '(no namespace)' : truncate(uri, 80))
  return new SoapError({
    code: 'FK_SOAP_NAMESPACE_CLASH',
    message: `[fieldkit/soap] ${source}: <${truncate(key, 60)}> under ${truncate(path || 'Body', 80)} comes from two namespaces, ${shown(first)} and ${shown(second)}; they would be merged under one key`,
    hint: 'Pass namespaces: { "<one of the two namespace URIs>": "prefix" } (namespace URI → the prefix you want in keys) so each namespace gets its own key; Fieldkit never merges elements of different namespaces',
    details: {
      key: truncate(key, 60),
      path: truncate(path, 80),
      namespaces: [truncate(first, 80), truncate(second, 80)],
    },
  })
}

/**
 * Which namespace each child key of one element came from, kept only once the element has children of more than one
 * namespace (the common case, one namespace, costs one comparison per child).
 */
export interface ChildNamespaces {
  /** The namespace of the first child. */
  first: string | undefined
  /** Keys whose namespace is not `first`; created when the first such child arrives. */
  others: Map<string, string> | undefined
}

/** Records that `key` under `target` came from `uri`; throws FK_SOAP_NAMESPACE_CLASH when it came from another. */
export function checkChildNamespace(
  seen: ChildNamespaces,
  target: Record<string, unknown>,
  key: string,
  uri: string,
  where: { source: string; path: string },
): void {
  if (seen.first === undefined) {
    seen.first = uri
    return
  }
  if (uri === seen.first && seen.others === undefined) return
  seen.others ??= new Map()
  if (Object.hasOwn(target, key)) {
    const previous = seen.others.get(key) ?? seen.first
    if (previous !== uri) throw namespaceClash(where.source, where.path, key, previous, uri)
  } else if (uri !== seen.first) seen.others.set(key, uri)
}

export function unboundPrefix(prefix: string, name: string, source: string): XmlError {
  return new XmlError({
    code: 'FK_XML_PARSE',
    message: `[fieldkit/soap] ${source} uses the namespace prefix "${prefix}" on <${name}> without declaring it`,
    hint: 'The document is not namespace-well-formed; check that the service declares every xmlns: prefix it uses',
    details: { prefix },
  })
}

export function isNilValue(value: unknown): boolean {
  return value === 'true' || value === '1'
}

/**
 * Normalises one element as fast-xml-parser delivered it, names already in Clark notation (`{uri}local`, see
 * parseEnvelope): keys from the caller's namespace map, xsi:nil to null, arrays from the shape, text typed from the
 * shape, xop:Include replaced by its attachment.
 */
export function normaliseNode(node: FxpNode, shape: Shape | undefined, path: string, ctx: NormaliseContext): unknown {
  if (typeof node !== 'object' || node === null) {
    if (node === '' && shape?.complex) return fillArrays({}, shape)
    return coerce(String(node), shape?.type, ctx.decimal, path)
  }
  let out: Record<string, unknown> | undefined
  let text: string | undefined
  let hasChildren = false
  const seen: ChildNamespaces = { first: undefined, others: undefined }
  const where = { source: ctx.source, path }
  for (const raw in node) {
    const value = node[raw]
    if (raw === '#text') {
      text = String(value)
      continue
    }
    if (raw.charCodeAt(0) === 64 /* @ */ && raw.charCodeAt(1) === 95 /* _ */) {
      let uri = ''
      let local = raw.slice(2)
      if (local.charCodeAt(0) === 123 /* { */) {
        const close = local.indexOf('}')
        uri = local.slice(1, close)
        local = local.slice(close + 1)
      }
      if (uri === XSI_NS) {
        if (local === 'nil' && isNilValue(value)) return null
        continue
      }
      out ??= {}
      const attrKey = `@${ctx.key(uri, local)}`
      if (Object.hasOwn(out, attrKey)) throw namespaceClash(ctx.source, path, attrKey, '(another namespace)', uri)
      setKey(out, attrKey, coerce(String(value), childShape(shape, attrKey)?.type, ctx.decimal, `${path}/${attrKey}`))
      continue
    }
    let uri = ''
    let local = raw
    if (raw.charCodeAt(0) === 123 /* { */) {
      const close = raw.indexOf('}')
      uri = raw.slice(1, close)
      local = raw.slice(close + 1)
    }
    if (uri === XOP_NS && local === 'Include') return attachmentFor(value, ctx, path)
    hasChildren = true
    out ??= {}
    const key = ctx.key(uri, local)
    checkChildNamespace(seen, out, key, uri, where)
    const sub = childShape(shape, key)
    const array = sub?.array === true
    if (Array.isArray(value)) {
      const childPath = `${path}/${key}`
      for (const item of value as FxpNode[]) addChild(out, key, normaliseNode(item, sub, childPath, ctx), array)
    } else if (typeof value === 'string' && sub?.complex !== true) {
      // A text-only leaf (most elements): typed in place, its path built only if typing fails.
      addChild(out, key, sub?.type === undefined ? value : coerceAt(value, sub.type, ctx, path, key), array)
    } else {
      addChild(out, key, normaliseNode(value as FxpNode, sub, `${path}/${key}`, ctx), array)
    }
  }
  if (out === undefined) {
    if (!shape?.complex || text) return coerce(text ?? '', shape?.type, ctx.decimal, path)
    out = {}
  }
  if (shape?.complex) fillArrays(out, shape)
  if (text !== undefined && text !== '') {
    if (!hasChildren) setKey(out, '#text', coerce(text, shape?.type, ctx.decimal, path))
    else if (text.trim() !== '') setKey(out, '#text', text.trim())
  }
  return out
}

function attachmentFor(value: unknown, ctx: NormaliseContext, path: string): Buffer {
  const include = (Array.isArray(value) ? value[0] : value) as Record<string, unknown> | string
  const href = typeof include === 'object' && include !== null ? String(include['@_href'] ?? '') : ''
  return resolveAttachment(href, ctx, path)
}

export function resolveAttachment(href: string, ctx: Pick<NormaliseContext, 'attachments'>, path: string): Buffer {
  let id = href.replace(/^cid:/i, '')
  try {
    id = decodeURIComponent(id)
  } catch {
    // A malformed %-escape (hostile or broken XML): look the Content-ID up as written, so it is FK_SOAP_MTOM.
  }
  const found = ctx.attachments?.get(id)
  if (found === undefined) {
    throw new SoapError({
      code: 'FK_SOAP_MTOM',
      message: `[fieldkit/soap] ${path} refers to the attachment <${id}>, which the response does not carry`,
      hint: 'The MTOM/XOP response is incomplete or its Content-IDs do not match the xop:Include hrefs; check the multipart body',
      details: { path, contentId: id },
    })
  }
  return found
}
