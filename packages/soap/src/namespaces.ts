export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/'
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope'
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance'
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema'
export const XOP_NS = 'http://www.w3.org/2004/08/xop/include'
export const XML_NS = 'http://www.w3.org/XML/1998/namespace'
export const WSA_NS = 'http://www.w3.org/2005/08/addressing'

/** In-scope namespace declarations: prefix → URI, '' for the default namespace; a child scope shadows its parent. */
export type Scope = Readonly<Record<string, string>>

// Not frozen: child scopes are created from it with Object.create and shadow its keys.
export const ROOT_SCOPE: Scope = Object.assign(Object.create(null) as Record<string, string>, { xml: XML_NS, '': '' })

/** A child scope with `declarations` added, or `scope` itself when there are none. */
export function childScope(scope: Scope, declarations: [string, string][] | undefined): Scope {
  if (declarations === undefined || declarations.length === 0) return scope
  const next = Object.create(scope) as Record<string, string>
  for (const [prefix, uri] of declarations) next[prefix] = uri
  return next
}

/** Splits `p:Local` into its prefix and local name. */
export function splitQName(name: string): [prefix: string, local: string] {
  const colon = name.indexOf(':')
  return colon === -1 ? ['', name] : [name.slice(0, colon), name.slice(colon + 1)]
}

/**
 * How response element names become object keys: the element's namespace URI is looked up in the caller's
 * `namespaces` map (URI → prefix). A mapped namespace gives `prefix:Local` (or `Local` for prefix ''), an unmapped
 * one gives `Local`. The document's own prefixes never matter, so `a:Employee`, `b:Employee` and a default-namespace
 * `Employee` in one namespace are the same key.
 */
export function keyMaker(
  namespaces: Readonly<Record<string, string>> | undefined,
): (uri: string, local: string) => string {
  if (namespaces === undefined || Object.keys(namespaces).length === 0) return (_uri, local) => local
  const map = new Map(Object.entries(namespaces))
  return (uri, local) => {
    const prefix = map.get(uri)
    return prefix ? `${prefix}:${local}` : local
  }
}

/** Resolves QName text (`soap:Client`) against the scope of the element it appeared in. */
export function resolveQName(text: string, scope: Scope): { namespace: string; local: string } {
  const [prefix, name] = splitQName(text.trim())
  return { namespace: scope[prefix] ?? '', local: name }
}

/** The `xmlns` / `xmlns:p` declarations of a fast-xml-parser node (attributes prefixed `@_`), as [prefix, uri]. */
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
