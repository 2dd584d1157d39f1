import { keyMaker, XSD_NS } from './namespaces'
import { schemaNamespaces } from './schema-keys'
import type { DecimalMode } from './shape'
import {
  attributesOf,
  builtinOf,
  clark,
  complexOf,
  derefElement,
  type ElementDecl,
  fieldsOf,
  type TypeDecl,
  type WsdlDescription,
} from './wsdl'

/** Options of {@link generateTypes}. */
export interface GenerateTypesOptions {
  /** How `xsd:decimal` is typed; match the client's `decimal` option (default 'string'). */
  decimal?: DecimalMode
  /** Module zod is imported from (default 'zod'). */
  zodModule?: string
  /** Namespace URI → prefix for keys; match the client's `namespaces` option (keys then agree with its results). */
  namespaces?: Record<string, string>
}

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with as implements interface let package private protected public static yield any boolean number string symbol type object never unknown'.split(
    ' ',
  ),
)

function identifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_$]/g, '_')
  if (/^[0-9]/.test(id)) id = `_${id}`
  id = id.charAt(0).toUpperCase() + id.slice(1)
  return RESERVED.has(id) ? `${id}_` : id || '_'
}

const propertyKey = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key))

interface Scalar {
  ts: string
  zod: string
}

function scalar(builtin: string | undefined, decimal: DecimalMode): Scalar {
  switch (builtin) {
    case 'int':
    case 'short':
    case 'byte':
    case 'unsignedShort':
    case 'unsignedByte':
      return { ts: 'number', zod: 'z.number().int()' }
    case 'long':
    case 'integer':
    case 'unsignedInt':
    case 'unsignedLong':
    case 'nonNegativeInteger':
    case 'positiveInteger':
    case 'nonPositiveInteger':
    case 'negativeInteger':
      return { ts: 'number | bigint', zod: 'z.union([z.number().int(), z.bigint()])' }
    case 'decimal':
      return decimal === 'number' ? { ts: 'number', zod: 'z.number()' } : { ts: 'string', zod: 'z.string()' }
    case 'float':
    case 'double':
      return { ts: 'number', zod: 'z.number()' }
    case 'boolean':
      return { ts: 'boolean', zod: 'z.boolean()' }
    case 'dateTime':
      return { ts: 'Date', zod: 'z.date()' }
    case 'base64Binary':
    case 'hexBinary':
      return { ts: 'Buffer', zod: 'z.instanceof(Buffer)' }
    case 'anyType':
      return { ts: 'unknown', zod: 'z.unknown()' }
    default:
      return { ts: 'string', zod: 'z.string()' }
  }
}

/**
 * Turns a WSDL description into TypeScript source: an interface and a zod schema for every named complex type and
 * every message element, matching what the client returns (local names as keys, arrays where `maxOccurs > 1`,
 * `null` for nillable, typed scalars). The output compiles under `tsc --strict`. `fieldkit soap types` prints it.
 *
 * @example
 * ```ts
 * const source = generateTypes(await readWsdl('./employees.wsdl'))
 * await writeFile('employees.types.ts', source)
 * ```
 */
export function generateTypes(desc: WsdlDescription, options: GenerateTypesOptions = {}): string {
  const decimal = options.decimal ?? 'string'
  // The same keys as the client's WSDL-typed calls: the caller's namespaces plus the schema's where two would clash.
  const key = keyMaker(schemaNamespaces(desc, options.namespaces))
  const names = new Map<TypeDecl, string>()
  const used = new Set<string>()
  const order: TypeDecl[] = []
  const claim = (base: string) => {
    let name = identifier(base)
    for (let i = 2; used.has(name) || used.has(`${name}Schema`); i++) name = `${identifier(base)}${i}`
    used.add(name)
    return name
  }
  const nameOf = (type: TypeDecl, hint: string): string => {
    const known = names.get(type)
    if (known) return known
    const name = claim(type.name ?? hint)
    names.set(type, name)
    order.push(type)
    return name
  }
  // Named complex types first (stable names), then element types.
  for (const type of desc.types.values()) if (type.kind === 'complex') nameOf(type, type.name ?? 'Type')
  const elementNames: { element: ElementDecl; name: string }[] = []
  const messageElements = new Set<string>()
  for (const op of desc.operations) {
    for (const m of [op.input, op.output]) {
      for (const part of m?.parts ?? []) if (part.element) messageElements.add(clark(part.element))
    }
  }
  for (const [key, element] of desc.elements) {
    if (!messageElements.has(key) && desc.operations.length > 0) continue
    const complex = complexOf(desc, element)
    if (complex)
      elementNames.push({ element, name: complex.name ? nameOf(complex, element.name) : nameOf(complex, element.name) })
  }

  const fieldType = (field: ElementDecl, owner: string): Scalar => {
    const decl = derefElement(desc, field)
    const complex = complexOf(desc, decl)
    let base: Scalar
    if (complex) {
      const name = nameOf(complex, `${owner}${identifier(decl.name)}`)
      base = { ts: name, zod: `z.lazy((): z.ZodType<${name}> => ${name}Schema)` }
    } else {
      const simple = decl.inline ?? (decl.type ? desc.types.get(clark(decl.type)) : undefined)
      if (simple?.kind === 'simple' && simple.enumeration?.length) {
        base = {
          ts: simple.enumeration.map((v) => JSON.stringify(v)).join(' | '),
          zod: `z.enum([${simple.enumeration.map((v) => JSON.stringify(v)).join(', ')}])`,
        }
      } else
        base = scalar(
          builtinOf(desc, decl.type ?? decl.inline?.base) ?? (decl.type || decl.inline ? 'string' : 'anyType'),
          decimal,
        )
    }
    if (decl.nillable) base = { ts: `${base.ts} | null`, zod: `${base.zod}.nullable()` }
    if (field.maxOccurs > 1) base = { ts: `Array<${base.ts}>`, zod: `z.array(${base.zod})` }
    return base
  }

  const blocks: string[] = []
  for (let i = 0; i < order.length; i++) {
    const type = order[i] as TypeDecl
    const name = names.get(type) as string
    blocks.push(typeBlock({ desc, decimal, key, fieldType }, type, name))
  }
  const ops = operationLines(desc, elementNames)
  return [
    '// Generated by @fieldkit/soap generateTypes() from a WSDL. Do not edit by hand; regenerate instead.',
    `import { z } from ${JSON.stringify(options.zodModule ?? 'zod')}`,
    '',
    ...blocks.flatMap((b) => [b, '']),
    '/** Operations of the WSDL with their soapAction and the schemas of their input and output elements. */',
    'export const operations = {',
    ...ops,
    '} as const',
    '',
  ].join('\n')
}

/** What writing one type needs from generateTypes. */
interface TypeWriter {
  desc: WsdlDescription
  decimal: DecimalMode
  key: (uri: string, local: string) => string
  fieldType: (field: ElementDecl, owner: string) => Scalar
}

/** The interface and zod schema of one complex type: attributes, text, then fields keyed like the client's results. */
function typeBlock({ desc, decimal, key, fieldType }: TypeWriter, type: TypeDecl, name: string): string {
  const props: { key: string; ts: string; zod: string; optional: boolean }[] = []
  for (const attr of attributesOf(desc, type)) {
    if (!attr.name) continue
    const s = scalar(builtinOf(desc, attr.type) ?? 'string', decimal)
    props.push({ key: `@${key('', attr.name.replace(/^.*:/, ''))}`, ts: s.ts, zod: s.zod, optional: !attr.required })
  }
  if (type.text) {
    const s = scalar(
      builtinOf(desc, type.text) ?? (type.text.namespace === XSD_NS ? type.text.name : 'string'),
      decimal,
    )
    props.push({ key: '#text', ts: s.ts, zod: s.zod, optional: true })
  }
  const seen = new Set<string>()
  for (const field of fieldsOf(desc, type)) {
    const decl = derefElement(desc, field)
    const fieldKey = key(decl.namespace, decl.name)
    if (seen.has(fieldKey)) continue
    seen.add(fieldKey)
    const t = fieldType(field, name)
    // Repeated elements are always arrays (`[]` when absent), so only single optional elements are optional.
    props.push({ key: fieldKey, ts: t.ts, zod: t.zod, optional: field.minOccurs === 0 && field.maxOccurs <= 1 })
  }
  const tsProps = props.map(
    (p) => `  ${propertyKey(p.key)}${p.optional ? '?' : ''}: ${p.ts}${p.optional ? ' | undefined' : ''}`,
  )
  const zodProps = props.map((p) => `  ${propertyKey(p.key)}: ${p.zod}${p.optional ? '.optional()' : ''},`)
  return [
    `export interface ${name} {`,
    ...tsProps,
    '}',
    '',
    `export const ${name}Schema: z.ZodType<${name}> = z.object({`,
    ...zodProps,
    '})',
  ].join('\n')
}

/** One line per operation (first binding of each name): its soapAction and input/output schemas. */
function operationLines(desc: WsdlDescription, elementNames: { element: ElementDecl; name: string }[]): string[] {
  return desc.operations
    .filter((op, index, all) => all.findIndex((o) => o.name === op.name) === index)
    .map((op) => {
      const outName = op.output?.element
        ? elementNames.find(
            (e) =>
              clark({ namespace: e.element.namespace, name: e.element.name }) ===
              clark(op.output?.element as { namespace: string; name: string }),
          )?.name
        : undefined
      const inName = op.input?.element
        ? elementNames.find(
            (e) =>
              clark({ namespace: e.element.namespace, name: e.element.name }) ===
              clark(op.input?.element as { namespace: string; name: string }),
          )?.name
        : undefined
      return `  ${propertyKey(op.name)}: { soapAction: ${JSON.stringify(op.soapAction)}, input: ${inName ? `${inName}Schema` : 'undefined'}, output: ${outName ? `${outName}Schema` : 'undefined'} },`
    })
}
