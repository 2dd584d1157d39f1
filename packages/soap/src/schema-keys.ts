import { keyMaker } from './namespaces'
import { nameMap } from './shape'
import { complexOf, derefElement, fieldsOf, type TypeDecl, type WsdlDescription } from './wsdl'

/**
 * The namespace map a WSDL-typed call uses for keys: the caller's `namespaces`, plus — where the schema itself puts
 * two namespaces under one key in one complex type (an `hr:Employee` and a `pay:Employee` field) — a prefix for
 * each later namespace, so the keys differ. The prefix is the one the WSDL declares for that URI (`pay`), else
 * `ns1`, `ns2`… in schema order; the caller's map always wins. The same map names keys in `client.call`,
 * `client.stream` and {@link generateTypes}, so generated types and parsed data agree.
 *
 * @example
 * ```ts
 * const namespaces = schemaNamespaces(await readWsdl(wsdl), { 'urn:hr': '' })
 * ```
 */
export function schemaNamespaces(
  desc: WsdlDescription,
  given: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const map = Object.assign(nameMap<string>(), given)
  const usedPrefixes = new Set(Object.values(map))
  let key = keyMaker(map)
  let next = 1
  const prefixFor = (uri: string): string => {
    let prefix = desc.prefixes?.get(uri)
    while (prefix === undefined || prefix === '' || usedPrefixes.has(prefix)) prefix = `ns${next++}`
    usedPrefixes.add(prefix)
    return prefix
  }
  const queue: TypeDecl[] = [...desc.types.values()]
  for (const element of desc.elements.values()) if (element.inline) queue.push(element.inline)
  const seen = new Set<TypeDecl>()
  for (let i = 0; i < queue.length; i++) {
    const type = queue[i] as TypeDecl
    if (seen.has(type)) continue
    seen.add(type)
    const owner = new Map<string, string>()
    for (const field of fieldsOf(desc, type)) {
      const decl = derefElement(desc, field)
      const inner = complexOf(desc, decl)
      if (inner !== undefined) queue.push(inner)
      const k = key(decl.namespace, decl.name)
      const first = owner.get(k)
      if (first === undefined) owner.set(k, decl.namespace)
      else if (first !== decl.namespace && !Object.hasOwn(map, decl.namespace)) {
        map[decl.namespace] = prefixFor(decl.namespace)
        key = keyMaker(map)
        owner.set(key(decl.namespace, decl.name), decl.namespace)
      }
    }
  }
  return map
}
