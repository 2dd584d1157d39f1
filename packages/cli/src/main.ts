import { Command, CommanderError } from 'commander'
import { registerAi } from './commands/ai'
import { registerCsv } from './commands/csv'
import { registerDemo } from './commands/demo'
import { registerExplain } from './commands/explain'
import { registerMock } from './commands/mock'
import { registerProbe } from './commands/probe'
import { registerRedact } from './commands/redact'
import { registerSoap } from './commands/soap'
import { createOutput, describeFailure, EXIT, type Output } from './output'

/**
 * Runs the `fieldkit` command line with `argv` (as `process.argv`) and resolves with the exit code; nothing is
 * written but through stdout and stderr, and the process is not exited, so it can be called from tests.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['node', 'fieldkit', 'mock', 'serve', '--list'])
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('fieldkit')
  let out: Output | undefined
  const output = () => {
    out ??= createOutput({ json: program.opts<{ json?: boolean }>().json === true })
    return out
  }
  program
    .description('Make software work inside a client’s real environment.')
    .version('0.1.0')
    .option('--json', 'machine-readable output on stdout')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 the operation failed (reason on stderr), 2 usage error, 3 completed with findings.
Secrets (passwords, tokens) are read from environment variables or stdin, never from flags.`,
    )
  registerDemo(program, output)
  registerMock(program, output)
  registerProbe(program, output)
  registerCsv(program, output)
  registerSoap(program, output)
  registerRedact(program, output)
  registerExplain(program, output)
  registerAi(program, output)

  process.exitCode = undefined
  try {
    await program.parseAsync([...argv])
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return EXIT.ok
      return EXIT.usage
    }
    output().note(describeFailure(error))
    return EXIT.failed
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok
  process.exitCode = undefined
  return code
}
