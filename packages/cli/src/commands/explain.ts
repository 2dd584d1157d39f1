import type { Command } from 'commander'
import { CliError } from '../errors'
import { CODES } from '../explain/codes.generated'
import type { ExplainedCode } from '../explain/types'
import type { Output } from '../output'

/** The explanation of one code, or undefined for a code Fieldkit does not throw. Case and spacing are forgiven. */
export function explainCode(code: string): ExplainedCode | undefined {
  const wanted = code.trim().toUpperCase()
  return CODES.find((entry) => entry.code === wanted)
}

/**
 * `fieldkit explain FK_CODE` and `fieldkit explain --list`: what an error code means, which class throws it, what
 * to check in each situation and the runbook that covers it, from data shipped in the package (works offline).
 */
export function registerExplain(program: Command, output: () => Output): void {
  program
    .command('explain')
    .description('what a FK_ error code means and what to check; --list lists every code')
    .argument('[code]', 'the code, as in err.code or the [FK_…] of a message')
    .option('--list', 'list every code with its package')
    .addHelpText(
      'after',
      `
Examples:
  $ npx -p @fieldkit/cli fieldkit explain FK_HTTP_RETRY_EXHAUSTED
  $ npx -p @fieldkit/cli fieldkit explain --list --json`,
    )
    .action((code: string | undefined, options: { list?: boolean }) => {
      const out = output()
      if (options.list) {
        out.result(CODES.map(({ code, package: pkg, classes }) => ({ code, package: pkg, classes })))
        for (const entry of CODES) out.line(`${out.bold(entry.code.padEnd(40))} ${entry.package}`)
        return
      }
      if (code === undefined) {
        throw new CliError({
          code: 'FK_CLI_USAGE',
          message: '[fieldkit/cli] fieldkit explain needs a code',
          hint: 'Give a code, as in fieldkit explain FK_HTTP_RETRY_EXHAUSTED, or --list to see them all',
        })
      }
      const entry = explainCode(code)
      if (entry === undefined) {
        const near = CODES.filter((c) => c.code.startsWith(code.trim().toUpperCase().split('_').slice(0, 2).join('_')))
        throw new CliError({
          code: 'FK_CLI_USAGE',
          message: `[fieldkit/cli] no Fieldkit error has the code ${JSON.stringify(code)}${
            near.length > 0 ? `; codes of that package: ${near.map((c) => c.code).join(', ')}` : ''
          }`,
          hint: 'Copy the code from err.code or from the [FK_…] at the end of the message; fieldkit explain --list lists them',
          details: { code },
        })
      }
      out.result(entry)
      print(entry, out)
    })
}

function print(entry: ExplainedCode, out: Output): void {
  out.line(
    `${out.bold(entry.code)}  thrown by ${entry.package}${entry.classes.length > 0 ? ` as ${entry.classes.join(', ')}` : ''}`,
  )
  out.line()
  out.line(entry.hints.length > 1 ? 'What to check, by situation:' : 'What to check:')
  for (const hint of entry.hints) out.line(`  • ${hint}`)
  if (entry.runbook !== undefined) {
    out.line()
    out.line(`Runbook: ${entry.runbook.title} (${entry.runbook.file} in the Fieldkit repository)`)
  }
  out.line()
  out.line(out.dim('Turn on the debug lines with FIELDKIT_DEBUG=* (or a list: http,auth) to see what led to it.'))
}
