import { resolve } from 'node:path'
import type { Command } from 'commander'
import { Listr } from 'listr2'
import type { DemoSummary } from '../demo/run-demo'
import type { Output } from '../output'
import { loadSimulator } from '../simulator'

/** `fieldkit demo`: the end-to-end integration against the simulator, the README's first command. */
export function registerDemo(program: Command, output: () => Output): void {
  program
    .command('demo')
    .description(
      'run a real integration against the simulator: SOAP+NTLM, OAuth 2.0 REST with a quota, a messy CSV, redaction, residency',
    )
    .option('-o, --out <dir>', 'where to write the results', 'out')
    .addHelpText(
      'after',
      `
Examples:
  $ fieldkit demo                 # progress on a terminal, plain lines otherwise; results in ./out
  $ fieldkit demo --out /tmp/run --json

Writes employees.jsonl, payroll-clean.csv, quarantine.jsonl and summary.md.`,
    )
    .action(async (options: { out: string }) => {
      const out = output()
      const { closeDemo, demoContext, demoStages } = await loadSimulator(() => import('../demo/run-demo'), 'demo')
      const ctx = demoContext(resolve(options.out))
      const tasks = new Listr(
        demoStages.map((stage) => ({
          title: stage.title,
          task: async (_: unknown, task: { output: string; title: string }) => {
            await stage.run(ctx, (detail) => {
              task.output = detail
            })
          },
          rendererOptions: { persistentOutput: true },
        })),
        {
          // A terminal that reports no width (some CI pseudo-terminals) gets plain lines rather than a redraw at width 0.
          renderer: out.json
            ? 'silent'
            : out.tty && ((out.stdout as { columns?: number }).columns ?? 0) > 0
              ? 'default'
              : 'simple',
          fallbackRenderer: 'simple',
          rendererOptions: { collapseSubtasks: false },
          exitOnError: true,
        },
      )
      try {
        await tasks.run()
      } finally {
        await closeDemo(ctx)
      }
      const summary = ctx.summary as DemoSummary
      out.result(summary)
      const skipped = summary.payroll.skipped.preamble + summary.payroll.skipped.blank + summary.payroll.skipped.summary
      out.line()
      out.line(
        `${out.green('done')} in ${summary.seconds} s — ${summary.joined.records} records delivered to the EU lake, ${summary.refused.length} destination refused`,
      )
      out.line(
        `payroll: ${summary.payroll.read} read = ${summary.payroll.emitted} rows + ${summary.payroll.quarantined} quarantined + ${skipped} skipped`,
      )
      out.line(`summary: ${summary.files.find((f) => f.endsWith('summary.md'))}`)
    })
}
