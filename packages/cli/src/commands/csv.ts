import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type CsvReport, normalizeCsv, sniffCsv } from '@fieldkit/csv'
import type { Command } from 'commander'
import { z } from 'zod'
import { EXIT, type Output } from '../output'

/** The schema file of `fieldkit csv normalize`: column types and header rules, as JSON a field engineer can edit. */
const SchemaFile = z.object({
  columns: z.record(
    z.string(),
    z.union([
      z.enum(['string', 'number', 'integer', 'boolean', 'date', 'email']),
      z.object({
        type: z.enum(['string', 'number', 'integer', 'boolean', 'date', 'email']),
        optional: z.boolean().optional(),
      }),
    ]),
  ),
  aliases: z.record(z.string(), z.array(z.string())).optional(),
  dateFormats: z.array(z.string()).optional(),
  decimal: z.enum([',', '.']).optional(),
  headerCase: z.enum(['snake', 'camel', 'kebab', 'lower', 'keep']).optional(),
  maxErrorRatio: z.number().min(0).max(1).optional(),
})

function zodFor(spec: z.infer<typeof SchemaFile>) {
  const shape: Record<string, z.ZodType> = {}
  for (const [name, rule] of Object.entries(spec.columns)) {
    const type = typeof rule === 'string' ? rule : rule.type
    const base =
      type === 'number'
        ? z.number()
        : type === 'integer'
          ? z.number().int()
          : type === 'boolean'
            ? z.boolean()
            : type === 'date'
              ? z.date()
              : type === 'email'
                ? z.email()
                : z.string()
    shape[name] = typeof rule === 'object' && rule.optional ? base.nullable().optional() : base
  }
  return z.object(shape)
}

/** `fieldkit csv inspect|normalize`. */
export function registerCsv(program: Command, output: () => Output): void {
  const csv = program.command('csv').description('read messy CSV exports: dialect, encoding, headers, typed rows')
  csv
    .command('inspect')
    .description('show the dialect, encoding, header map, sample rows and problems of a CSV file')
    .argument('<file>', 'the CSV file')
    .option('--rows <n>', 'sample rows to show', '5')
    .addHelpText(
      'after',
      '\nExamples:\n  $ fieldkit csv inspect export.csv\n  $ fieldkit csv inspect export.csv --json | jq .dialect',
    )
    .action(async (file: string, options: { rows: string }) => {
      const out = output()
      const path = resolve(file)
      const dialect = await sniffCsv({ path })
      const result = normalizeCsv({ path }, { dialect })
      const sample: Record<string, unknown>[] = []
      for await (const row of result.rows)
        if (sample.length < Number(options.rows)) sample.push(row as Record<string, unknown>)
      const report = await result.report
      out.result({ dialect, report: summarise(report), sample })
      out.line(out.bold(file))
      out.line(`  encoding    ${dialect.encoding} (${dialect.encodingReason})${dialect.bom ? ', BOM' : ''}`)
      out.line(
        `  delimiter   ${JSON.stringify(dialect.delimiter)}, quote ${JSON.stringify(dialect.quote)}, decimal ${dialect.decimal ?? 'none seen'}`,
      )
      out.line(
        `  header      line ${dialect.headerLine}, ${dialect.columns} columns; ${dialect.preambleRecords} preamble record(s)`,
      )
      for (const h of report.headers)
        out.line(
          out.dim(
            `    ${JSON.stringify(h.original)} → ${h.key}${h.duplicateOf ? ` (duplicate of ${h.duplicateOf})` : ''}`,
          ),
        )
      printCounts(out, report)
      out.line('  sample')
      for (const row of sample) out.line(out.dim(`    ${JSON.stringify(row)}`))
    })

  csv
    .command('normalize')
    .description('turn a CSV file into typed rows (JSONL), a quarantine file and a report')
    .argument('<file>', 'the CSV file')
    .requiredOption(
      '--schema <file>',
      'JSON schema file: { "columns": { "id": "string", "amount": "number", "paid": "date" }, … }',
    )
    .option('--out <dir>', 'output folder', 'out')
    .addHelpText(
      'after',
      `
Examples:
  $ fieldkit csv normalize payroll.csv --schema payroll.schema.json --out out/payroll

Schema file fields: columns (string|number|integer|boolean|date|email, or { type, optional }), aliases,
dateFormats (e.g. ["DD.MM.YYYY"]), decimal ("," or "."), headerCase, maxErrorRatio.
Exit code 3 when rows were quarantined.`,
    )
    .action(async (file: string, options: { schema: string; out: string }) => {
      const out = output()
      const parsed = SchemaFile.safeParse(JSON.parse(await readFile(options.schema, 'utf8')))
      if (!parsed.success) {
        out.note(
          `fieldkit: the schema file ${options.schema} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        )
        process.exitCode = EXIT.usage
        return
      }
      const spec = parsed.data
      const dir = resolve(options.out)
      await mkdir(dir, { recursive: true })
      const result = normalizeCsv(
        { path: resolve(file) },
        {
          schema: zodFor(spec),
          headers: { case: spec.headerCase ?? 'camel', ...(spec.aliases ? { aliases: spec.aliases } : {}) },
          values: {
            ...(spec.decimal ? { decimal: spec.decimal } : {}),
            ...(spec.dateFormats ? { dateFormats: spec.dateFormats } : {}),
          },
          ...(spec.maxErrorRatio !== undefined ? { maxErrorRatio: spec.maxErrorRatio } : {}),
        },
      )
      const lines: string[] = []
      for await (const row of result.rows) lines.push(JSON.stringify(row))
      const report = await result.report
      await writeFile(join(dir, 'rows.jsonl'), lines.map((l) => `${l}\n`).join(''))
      await writeFile(join(dir, 'quarantine.jsonl'), report.quarantine.map((q) => `${JSON.stringify(q)}\n`).join(''))
      await writeFile(join(dir, 'report.json'), `${JSON.stringify(summarise(report), null, 2)}\n`)
      out.result({ out: dir, ...summarise(report) })
      printCounts(out, report)
      out.line(`  wrote ${join(dir, 'rows.jsonl')}, quarantine.jsonl, report.json`)
      if (report.records.quarantined > 0) process.exitCode = EXIT.findings
    })
}

function summarise(report: CsvReport) {
  return {
    records: report.records,
    headers: report.headers,
    duplicateHeaders: report.duplicateHeaders,
    unknownColumns: report.unknownColumns,
    summary: report.summary,
    quarantine: report.quarantine.map((q) => ({ line: q.line, reason: q.reason, issues: q.issues })),
  }
}

function printCounts(out: Output, report: CsvReport): void {
  const r = report.records
  const skipped = r.skipped.preamble + r.skipped.blank + r.skipped.summary
  out.line(
    `  records     ${r.read} read = ${r.emitted} rows + ${r.quarantined} quarantined + ${skipped} skipped (preamble ${r.skipped.preamble}, blank ${r.skipped.blank}, summary ${r.skipped.summary})`,
  )
  for (const q of report.quarantine.slice(0, 10)) out.line(`  ${out.yellow('!')} line ${q.line}: ${q.reason}`)
  if (report.quarantine.length > 10) out.line(`  … ${report.quarantine.length - 10} more in the report`)
}
