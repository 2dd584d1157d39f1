import type { z } from 'zod'

/** The type a column's text is read as before the schema sees it. */
export type ColumnKind = 'string' | 'number' | 'boolean' | 'date'

interface ColumnInfo {
  kind: ColumnKind
  /** The schema accepts null for this key. */
  nullable: boolean
  /** The schema accepts a missing key. */
  optional: boolean
}

interface Def {
  type: string
  innerType?: { _zod: { def: Def } }
  in?: { _zod: { def: Def } }
}

/** Reads the kinds, nullability and optionality of a zod object schema's keys. */
export function columnsOf(schema: z.ZodType | undefined): Map<string, ColumnInfo> {
  const out = new Map<string, ColumnInfo>()
  const shape = (schema as unknown as { shape?: Record<string, { _zod: { def: Def } }> } | undefined)?.shape
  if (shape === undefined) return out
  for (const [key, s] of Object.entries(shape)) {
    let def = s._zod.def
    let nullable = false
    let optional = false
    for (let depth = 0; depth < 10; depth++) {
      if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault') optional = true
      else if (def.type === 'nullable') nullable = true
      else if (def.type === 'pipe' && def.in) {
        def = def.in._zod.def
        continue
      } else if (!['readonly', 'catch', 'nonoptional'].includes(def.type) || def.innerType === undefined) break
      if (def.innerType === undefined) break
      def = def.innerType._zod.def
    }
    const kind: ColumnKind =
      def.type === 'number' || def.type === 'int' || def.type === 'bigint'
        ? 'number'
        : def.type === 'boolean'
          ? 'boolean'
          : def.type === 'date'
            ? 'date'
            : 'string'
    out.set(key, { kind, nullable, optional })
  }
  return out
}
