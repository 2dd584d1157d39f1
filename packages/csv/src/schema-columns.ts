/** The type a column's text is read as before the schema sees it. */
export type ColumnKind = 'string' | 'number' | 'boolean' | 'date'

/** What the reader needs to know about one key of the row schema. */
export interface ColumnInfo {
  kind: ColumnKind
  /** The schema accepts null for this key. */
  nullable: boolean
  /** The schema accepts a missing key. */
  optional: boolean
}

/** A zod node reduced to what matters here: its kind and the schema it wraps, from zod 3 or zod 4. */
interface Node {
  type: string
  inner: unknown
}

/** zod 3's `_def.typeName` → zod 4's `_zod.def.type`, and where zod 3 keeps the wrapped schema. */
const ZOD3: Record<string, { type: string; inner?: string }> = {
  ZodOptional: { type: 'optional', inner: 'innerType' },
  ZodDefault: { type: 'default', inner: 'innerType' },
  ZodNullable: { type: 'nullable', inner: 'innerType' },
  ZodCatch: { type: 'catch', inner: 'innerType' },
  ZodReadonly: { type: 'readonly', inner: 'innerType' },
  ZodBranded: { type: 'readonly', inner: 'type' },
  ZodEffects: { type: 'pipe', inner: 'schema' },
  ZodPipeline: { type: 'pipe', inner: 'in' },
  ZodNumber: { type: 'number' },
  ZodBigInt: { type: 'bigint' },
  ZodBoolean: { type: 'boolean' },
  ZodDate: { type: 'date' },
  ZodObject: { type: 'object' },
}

/** zod 4 (`_zod.def`) or zod 3 (`_def.typeName`); undefined for anything else. */
function nodeOf(schema: unknown): Node | undefined {
  const v4 = (schema as { _zod?: { def?: Record<string, unknown> } } | null | undefined)?._zod?.def
  if (v4 !== undefined && typeof v4.type === 'string')
    return { type: v4.type, inner: v4.type === 'pipe' ? v4.in : v4.innerType }
  const v3 = (schema as { _def?: Record<string, unknown> } | null | undefined)?._def
  if (v3 === undefined || typeof v3.typeName !== 'string') return undefined
  const known = ZOD3[v3.typeName]
  if (known === undefined) return { type: v3.typeName, inner: undefined }
  return { type: known.type, inner: known.inner === undefined ? undefined : v3[known.inner] }
}

/** The keys of a zod 3 or zod 4 object schema. */
function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  const v4 = (schema as { _zod?: { def?: { shape?: unknown } } })._zod?.def
  if (v4 !== undefined) return typeof v4.shape === 'object' ? (v4.shape as Record<string, unknown>) : undefined
  const shape = (schema as { _def?: { shape?: unknown } })._def?.shape
  return typeof shape === 'function' ? (shape() as Record<string, unknown>) : undefined
}

/**
 * Reads the kinds, nullability and optionality of the keys of a zod object schema (zod 3 `_def` or zod 4 `_zod.def`).
 * Returns an empty map for a zod schema that is not an object, and `undefined` for a schema it cannot read (valibot,
 * ArkType, …): the caller then needs `values.columns`.
 */
export function columnsOf(schema: unknown): Map<string, ColumnInfo> | undefined {
  const out = new Map<string, ColumnInfo>()
  if (schema === undefined) return out
  const root = nodeOf(schema)
  if (root === undefined) return undefined
  if (root.type !== 'object') return out
  for (const [key, s] of Object.entries(shapeOf(schema) ?? {})) out.set(key, infoOf(s))
  return out
}

function infoOf(schema: unknown): ColumnInfo {
  let node = nodeOf(schema)
  let nullable = false
  let optional = false
  for (let depth = 0; depth < 10 && node !== undefined; depth++) {
    if (node.type === 'optional' || node.type === 'default' || node.type === 'prefault') optional = true
    else if (node.type === 'nullable') nullable = true
    else if (!['pipe', 'readonly', 'catch', 'nonoptional'].includes(node.type)) break
    if (node.inner === undefined) break
    node = nodeOf(node.inner)
  }
  const type = node?.type
  const kind: ColumnKind =
    type === 'number' || type === 'int' || type === 'bigint'
      ? 'number'
      : type === 'boolean'
        ? 'boolean'
        : type === 'date'
          ? 'date'
          : 'string'
  return { kind, nullable, optional }
}
