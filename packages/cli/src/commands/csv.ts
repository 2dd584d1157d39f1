import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type CsvReport, normalizeCsv, sniffCsv } from '@fieldkit/csv'
import type { Command } from 'commander'
import { fileSize } from '../files'
import { EXIT, type Output } from '../output'
import { startProgress } from '../progress'
import { readSchemaFile, zodFor } from './csv-schema-file'

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
      await fileSize(path, '<file>')
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
      'JSON schema file: { "columns": { "id": "string", "amount": "number", "paid_on": "date" }, … }',
    )
    .option('--out <dir>', 'output folder', 'out')
    .option('--progress', 'show progress even for a small file (shown by default from 4 MiB)')
    .option('--no-progress', 'never show progress')
    .addHelpText(
      'after',
      `
Examples:
  $ fieldkit csv normalize payroll.csv --schema payroll.schema.json --out out/payroll

Schema file fields: columns (string|number|integer|boolean|date|email, or { type, optional }), aliases,
dateFormats (e.g. ["DD.MM.YYYY"]), decimal ("," or "."), headerCase (default snake, as csv inspect shows
the keys), maxErrorRatio.
Exit code 3 when rows were quarantined (quarantine.jsonl holds the rows' values: personal data, keep it private);
4 when a file is missing; 5 when the --schema file is not valid; 6 for an unknown column type.`,
    )
    .action(normalizeAction(output))
}

function normalizeAction(output: () => Output) {
  return async (file: string, options: { schema: string; out: string; progress?: boolean }) => {
    const out = output()
    const path = resolve(file)
    const spec = await readSchemaFile(options.schema)
    const totalBytes = await fileSize(path, '<file>')
    const dir = resolve(options.out)
    await mkdir(dir, { recursive: true })
    const progress = startProgress(out, { label: 'csv normalize', totalBytes, countRows: true, flag: options.progress })
    async function* counted() {
      for await (const chunk of createReadStream(path)) {
        progress.advance((chunk as Buffer).length)
        yield chunk as Buffer
      }
    }
    const result = normalizeCsv(counted(), {
      schema: zodFor(spec),
      // snake_case, as `csv inspect` shows the keys and the library defaults to.
      headers: { case: spec.headerCase ?? 'snake', ...(spec.aliases ? { aliases: spec.aliases } : {}) },
      values: {
        ...(spec.decimal ? { decimal: spec.decimal } : {}),
        ...(spec.dateFormats ? { dateFormats: spec.dateFormats } : {}),
      },
      ...(spec.maxErrorRatio !== undefined ? { maxErrorRatio: spec.maxErrorRatio } : {}),
    })
    const rows = createWriteStream(join(dir, 'rows.jsonl'))
    const closed = once(rows, 'close')
    for await (const row of result.rows) {
      progress.advance(0, 1)
      if (!rows.write(`${JSON.stringify(row)}\n`)) await once(rows, 'drain')
    }
    rows.end()
    await closed
    const report = await result.report
    progress.done()
    await writeFile(join(dir, 'quarantine.jsonl'), report.quarantine.map((q) => `${JSON.stringify(q)}\n`).join(''))
    await writeFile(join(dir, 'report.json'), `${JSON.stringify(summarise(report), null, 2)}\n`)
    out.result({ out: dir, ...summarise(report) })
    printCounts(out, report)
    out.line(`  wrote ${join(dir, 'rows.jsonl')}, quarantine.jsonl, report.json`)
    if (report.records.quarantined > 0) {
      out.line(
        `  ${out.yellow('!')} quarantine.jsonl holds the quarantined rows' values (personal data): keep it private, delete it when done`,
      )
      process.exitCode = EXIT.findings
    }
  }
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
  const skipped = r.skipped.preamble + r.skipped.blank + r.skipped.summary + r.skipped.footer
  out.line(
    `  records     ${r.read} read = ${r.emitted} rows + ${r.quarantined} quarantined + ${skipped} skipped (preamble ${r.skipped.preamble}, blank ${r.skipped.blank}, summary ${r.skipped.summary}, footer ${r.skipped.footer})`,
  )
  for (const q of report.quarantine.slice(0, 10)) out.line(`  ${out.yellow('!')} line ${q.line}: ${q.reason}`)
  if (report.quarantine.length > 10) out.line(`  … ${report.quarantine.length - 10} more in the report`)
}
