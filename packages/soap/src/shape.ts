import { SoapError } from './errors'

/**
 * What the normaliser knows about an element: its XSD simple type (for typing text) and whether it repeats (so it
 * is always an array, even with one element). Built from a WSDL, from `arrays:` paths, or from a zod schema.
 *
 * @example
 * ```ts
 * const shape: Shape = { children: { Employee: { array: true, complex: true, children: { Salary: { type: 'decimal' } } } } }
 * ```
 */
export interface Shape {
  /** XSD built-in type local name (`int`, `decimal`, `boolean`, `dateTime`, `base64Binary`, …); text if absent. */
  type?: string
  /** Always an array (`maxOccurs > 1` or listed in `arrays`). */
  array?: boolean
  /** A complex type: an empty element gives `{}` rather than `''`. */
  complex?: boolean
  /** Child elements by normalised key. May be a getter for recursive schema types. */
  children?: Readonly<Record<string, Shape>>
  /** The shape of any child not named in `children` (a schema for "the response element, whatever its name"). */
  anyChild?: Shape
}

/**
 * A map keyed by element names that come from callers and documents: no prototype, so `__proto__`, `constructor`
 * and `prototype` are ordinary keys (never Object.prototype, never its members).
 */
export function nameMap<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>
}

const arrayKeyCache = new WeakMap<Shape, string[]>()

/** Keys of `shape`'s children that are arrays: filled with `[]` when absent, so zero, one and many look alike. */
export function arrayKeys(shape: Shape): string[] {
  let keys = arrayKeyCache.get(shape)
  if (keys === undefined) {
    keys = shape.children ? Object.keys(shape.children).filter((k) => shape.children?.[k]?.array === true) : []
    arrayKeyCache.set(shape, keys)
  }
  return keys
}

/** The shape of the child `key` of `shape`. */
export function childShape(shape: Shape | undefined, key: string): Shape | undefined {
  if (shape === undefined) return undefined
  return shape.children?.[key] ?? shape.anyChild
}

/** How `xsd:decimal` values come out: as the exact text (default) or as a JavaScript number. */
export type DecimalMode = 'string' | 'number'

const INT32 = new Set(['int', 'short', 'byte', 'unsignedShort', 'unsignedByte'])
const BIG_INTEGER = new Set([
  'long',
  'integer',
  'unsignedInt',
  'unsignedLong',
  'nonNegativeInteger',
  'positiveInteger',
  'nonPositiveInteger',
  'negativeInteger',
])

/** Turns element text into the value its XSD type says; text stays text when the type is unknown or a string. */
export function coerce(text: string, type: string | undefined, decimal: DecimalMode, path: string): unknown {
  if (type === undefined || type === 'string') return text
  if (INT32.has(type) || BIG_INTEGER.has(type)) {
    const t = text.trim()
    if (!/^[+-]?\d+$/.test(t)) throw valueError(path, type, text)
    const n = Number(t)
    if (Number.isSafeInteger(n)) return n
    if (INT32.has(type)) throw valueError(path, type, text)
    return BigInt(t)
  }
  switch (type) {
    case 'decimal': {
      const t = text.trim()
      if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) throw valueError(path, type, text)
      return decimal === 'number' ? Number(t) : t
    }
    case 'float':
    case 'double': {
      const t = text.trim()
      if (t === 'INF' || t === '+INF') return Number.POSITIVE_INFINITY
      if (t === '-INF') return Number.NEGATIVE_INFINITY
      if (t === 'NaN') return Number.NaN
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw valueError(path, type, text)
      return Number(t)
    }
    case 'boolean': {
      const t = text.trim()
      if (t === 'true' || t === '1') return true
      if (t === 'false' || t === '0') return false
      throw valueError(path, type, text)
    }
    case 'dateTime': {
      const t = text.trim()
      const date = /^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/.test(t) ? new Date(t) : undefined
      if (date === undefined || Number.isNaN(date.getTime())) throw valueError(path, type, text)
      return date
    }
    case 'base64Binary': {
      const t = text.replace(/\s+/g, '')
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) throw valueError(path, type, text)
      return Buffer.from(t, 'base64')
    }
    case 'hexBinary': {
      const t = text.trim()
      if (!/^([0-9A-Fa-f]{2})*$/.test(t)) throw valueError(path, type, text)
      return Buffer.from(t, 'hex')
    }
    default:
      return text
  }
}

function valueError(path: string, type: string, text: string): SoapError {
  return new SoapError({
    code: 'FK_SOAP_VALUE',
    message: `[fieldkit/soap] ${path} is not a valid xsd:${type} (${text.length} characters)`,
    hint: 'The response does not match the WSDL type of this element; check the service version against the WSDL, or read it as text (drop the type)',
    details: { path, type, length: text.length },
  })
}

/** Shapes from `arrays:` paths such as `GetEmployeesResponse/Employee` (relative to Body; `/Envelope/Body/` allowed). */
export function shapeFromArrays(paths: readonly string[]): Shape {
  const root: { children: Record<string, Shape> } = { children: nameMap() }
  for (const raw of paths) {
    const parts = raw
      .replace(/^\/?(?:[^/]*:)?Envelope\/(?:[^/]*:)?Body\//, '')
      .split('/')
      .filter(Boolean)
    let node: { children?: Record<string, Shape>; array?: boolean } = root
    parts.forEach((part, index) => {
      node.children ??= nameMap()
      const existing = node.children[part] as { children?: Record<string, Shape>; array?: boolean } | undefined
      const next: { children?: Record<string, Shape>; array?: boolean } = existing ?? {}
      if (existing === undefined) node.children[part] = next
      if (index === parts.length - 1) next.array = true
      node = next
    })
  }
  return root
}

/** One shape with what both know (arrays from either, a type from `a` first). */
export function mergeShapes(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  const type = a.type ?? b.type
  const array = a.array === true || b.array === true
  const complex = a.complex === true || b.complex === true
  const anyChild = mergeShapes(a.anyChild, b.anyChild)
  const merged: Shape = {
    ...(type === undefined ? {} : { type }),
    ...(array ? { array } : {}),
    ...(complex ? { complex } : {}),
    ...(anyChild ? { anyChild } : {}),
  }
  if (a.children === undefined && b.children === undefined) return merged
  let memo: Record<string, Shape> | undefined
  return {
    ...merged,
    get children() {
      if (memo !== undefined) return memo
      const out = nameMap<Shape>()
      const keys = new Set([...Object.keys(a.children ?? {}), ...Object.keys(b.children ?? {})])
      for (const key of keys) {
        const m = mergeShapes(childShape(a, key), childShape(b, key))
        if (m !== undefined) out[key] = m
      }
      memo = out
      return out
    },
  }
}

interface ZodLike {
  _zod?: { def?: Record<string, unknown> }
  _def?: Record<string, unknown>
}

/** zod 4's `_zod.def`, or zod 3's `_def` put in zod 4's words (`type`, `shape`, `element`, `innerType`, `in`). */
function zodDef(schema: unknown): Record<string, unknown> | undefined {
  const z = schema as ZodLike | undefined
  if (z?._zod?.def !== undefined) return z._zod.def
  const d = z?._def
  if (d === undefined || typeof d.typeName !== 'string') return undefined
  switch (d.typeName) {
    case 'ZodObject':
      return { type: 'object', shape: (d.shape as () => unknown)() }
    case 'ZodArray':
      return { type: 'array', element: d.type }
    case 'ZodOptional':
    case 'ZodNullable':
    case 'ZodDefault':
    case 'ZodCatch':
    case 'ZodReadonly':
      return { type: 'optional', innerType: d.innerType }
    case 'ZodBranded':
      return { type: 'optional', innerType: d.type }
    case 'ZodLazy':
      return { type: 'lazy', getter: d.getter }
    case 'ZodEffects':
      return { type: 'pipe', in: d.schema }
    case 'ZodPipeline':
      return { type: 'pipe', in: d.in }
    default:
      return { type: d.typeName }
  }
}

/**
 * Reads which keys are arrays out of a zod 3 or zod 4 schema (objects, arrays, optional/nullable/default wrappers, lazy), so
 * that a schema alone makes one-vs-many deterministic. Types are left to the schema itself (coerce there).
 */
export function shapeFromZod(schema: unknown, depth = 0): Shape | undefined {
  if (depth > 32) return undefined
  const def = zodDef(schema)
  if (def === undefined) return undefined
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, unknown>
      let memo: Record<string, Shape> | undefined
      return {
        complex: true,
        get children() {
          if (memo !== undefined) return memo
          const out = nameMap<Shape>()
          for (const [key, value] of Object.entries(shape)) {
            const child = shapeFromZod(value, depth + 1)
            if (child !== undefined) out[key] = child
          }
          memo = out
          return out
        },
      }
    }
    case 'array': {
      const inner = shapeFromZod(def.element, depth + 1)
      return { ...inner, array: true }
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return shapeFromZod(def.innerType, depth + 1)
    case 'lazy':
      return shapeFromZod((def.getter as () => unknown)(), depth + 1)
    case 'pipe':
      return shapeFromZod(def.in, depth + 1)
    default:
      return undefined
  }
}
