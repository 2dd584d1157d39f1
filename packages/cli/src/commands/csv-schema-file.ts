import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { CliError, fileNotFound } from '../errors'

/** The column types a `--schema` file may name. */
export const COLUMN_TYPES = ['string', 'number', 'integer', 'boolean', 'date', 'email'] as const
type ColumnType = (typeof COLUMN_TYPES)[number]

/** The schema file of `fieldkit csv normalize`: column types and header rules, as JSON a field engineer can edit. */
const SchemaFile = z.object({
  columns: z.record(
    z.string(),
    z.union([z.string(), z.object({ type: z.string(), optional: z.boolean().optional() })]),
  ),
  aliases: z.record(z.string(), z.array(z.string())).optional(),
  dateFormats: z.array(z.string()).optional(),
  decimal: z.enum([',', '.']).optional(),
  headerCase: z.enum(['snake', 'camel', 'kebab', 'lower', 'keep']).optional(),
  maxErrorRatio: z.number().min(0).max(1).optional(),
})

/** A `--schema` file, read and checked. */
export type SchemaSpec = z.infer<typeof SchemaFile>

/**
 * Reads the `--schema` file: a missing file is `FK_CLI_FILE_NOT_FOUND`, text that is not JSON or not the expected
 * shape `FK_CLI_SCHEMA_FILE` (naming the file and the field), a column type that is not one of
 * {@link COLUMN_TYPES} `FK_CLI_COLUMN_TYPE` — each with an exit code of its own.
 */
export async function readSchemaFile(path: string): Promise<SchemaSpec> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw fileNotFound(path, '--schema', error)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new CliError({
      code: 'FK_CLI_SCHEMA_FILE',
      message: `[fieldkit/cli] The --schema file ${path} is not JSON: ${(error as Error).message}`,
      hint: 'Check the --schema file is JSON: double quotes around names and strings, no trailing commas, no comments',
      details: { file: path },
    })
  }
  const parsed = SchemaFile.safeParse(json)
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')
    throw new CliError({
      code: 'FK_CLI_SCHEMA_FILE',
      message: `[fieldkit/cli] The --schema file ${path} is not valid: ${where}`,
      hint: 'The --schema file needs "columns" (name → type) and may have aliases, dateFormats, decimal ("," or "."), headerCase and maxErrorRatio; see fieldkit csv normalize --help',
      details: { file: path },
    })
  }
  for (const [name, rule] of Object.entries(parsed.data.columns)) {
    const type = typeof rule === 'string' ? rule : rule.type
    if (!(COLUMN_TYPES as readonly string[]).includes(type))
      throw new CliError({
        code: 'FK_CLI_COLUMN_TYPE',
        message: `[fieldkit/cli] The --schema file ${path} gives column "${name}" the type ${JSON.stringify(type)}, which csv normalize does not know`,
        hint: 'Use one of string, number, integer, boolean, date, email in the --schema file (or { "type": …, "optional": true })',
        details: { file: path, column: name, type, known: [...COLUMN_TYPES] },
      })
  }
  return parsed.data
}

/** The zod schema of a checked schema file: one field per column, optional columns nullable. */
export function zodFor(spec: SchemaSpec): z.ZodObject {
  const shape: Record<string, z.ZodType> = {}
  for (const [name, rule] of Object.entries(spec.columns)) {
    const base = zodType((typeof rule === 'string' ? rule : rule.type) as ColumnType)
    shape[name] = typeof rule === 'object' && rule.optional ? base.nullable().optional() : base
  }
  return z.object(shape)
}

function zodType(type: ColumnType): z.ZodType {
  switch (type) {
    case 'number':
      return z.number()
    case 'integer':
      return z.number().int()
    case 'boolean':
      return z.boolean()
    case 'date':
      return z.date()
    case 'email':
      return z.email()
    default:
      return z.string()
  }
}
