import { SoapError, XmlError } from './errors'
import { childScope, type Scope, splitQName, XOP_NS, XSI_NS } from './namespaces'
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
 * Normalises one element as fast-xml-parser delivered it (attributes under `@_`, text under `#text`, prefixes
 * kept): namespaces resolved to keys, xsi:nil to null, arrays from the shape, text typed from the shape,
 * xop:Include replaced by its attachment. `scope` is the scope inside the element (its own declarations included).
 */
export function normaliseNode(
  node: FxpNode,
  name: string,
  scope: Scope,
  shape: Shape | undefined,
  path: string,
  ctx: NormaliseContext,
): unknown {
  if (typeof node !== 'object' || node === null) {
    if (node === '' && shape?.complex) return fillArrays({}, shape)
    return coerce(String(node), shape?.type, ctx.decimal, path)
  }
  let out: Record<string, unknown> | undefined
  let text: string | undefined
  let hasChildren = false
  for (const raw in node) {
    const value = node[raw]
    if (raw === '#text') {
      text = String(value)
      continue
    }
    if (raw.charCodeAt(0) === 64 /* @ */ && raw.charCodeAt(1) === 95 /* _ */) {
      const attr = raw.slice(2)
      if (attr === 'xmlns' || attr.startsWith('xmlns:')) continue
      const [prefix, local] = splitQName(attr)
      let uri = ''
      if (prefix !== '') {
        const bound = scope[prefix]
        if (bound === undefined) throw unboundPrefix(prefix, name, ctx.source)
        uri = bound
      }
      if (uri === XSI_NS) {
        if (local === 'nil' && isNilValue(value)) return null
        continue
      }
      out ??= {}
      const attrKey = `@${ctx.key(uri, local)}`
      setKey(out, attrKey, coerce(String(value), childShape(shape, attrKey)?.type, ctx.decimal, `${path}/${attrKey}`))
      continue
    }
    const colon = raw.indexOf(':')
    const prefix = colon === -1 ? '' : raw.slice(0, colon)
    const local = colon === -1 ? raw : raw.slice(colon + 1)
    if (Array.isArray(value)) {
      for (const item of value as FxpNode[]) {
        hasChildren = true
        out ??= {}
        const r = child(out, item, raw, prefix, local, scope, shape, path, ctx)
        if (r !== undefined) return r
      }
    } else {
      hasChildren = true
      out ??= {}
      const r = child(out, value as FxpNode, raw, prefix, local, scope, shape, path, ctx)
      if (r !== undefined) return r
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

/** Adds one child element to `out`; returns a Buffer when the child is an xop:Include (the parent becomes it). */
function child(
  out: Record<string, unknown>,
  item: FxpNode,
  raw: string,
  prefix: string,
  local: string,
  scope: Scope,
  shape: Shape | undefined,
  path: string,
  ctx: NormaliseContext,
): Buffer | undefined {
  let inner = scope
  if (typeof item === 'object' && item !== null) {
    for (const k in item) {
      // fast-xml-parser puts attributes after children, so every key is looked at.
      if (k.charCodeAt(0) === 64 && k.startsWith('@_xmlns') && (k.length === 7 || k.charCodeAt(7) === 58)) {
        inner = childScope(inner, [[k.length === 7 ? '' : k.slice(8), String(item[k])]])
      }
    }
  }
  const uri = inner[prefix]
  if (uri === undefined) throw unboundPrefix(prefix, raw, ctx.source)
  if (uri === XOP_NS && local === 'Include') return attachmentFor(item, ctx, path)
  const key = ctx.key(uri, local)
  const sub = childShape(shape, key)
  addChild(out, key, normaliseNode(item, raw, inner, sub, `${path}/${key}`, ctx), sub?.array === true)
  return undefined
}

function attachmentFor(value: unknown, ctx: NormaliseContext, path: string): Buffer {
  const include = (Array.isArray(value) ? value[0] : value) as Record<string, unknown> | string
  const href = typeof include === 'object' && include !== null ? String(include['@_href'] ?? '') : ''
  return resolveAttachment(href, ctx, path)
}

export function resolveAttachment(href: string, ctx: Pick<NormaliseContext, 'attachments'>, path: string): Buffer {
  const id = decodeURIComponent(href.replace(/^cid:/i, ''))
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
