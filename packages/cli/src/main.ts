import { Command, CommanderError } from 'commander'
import { registerAi } from './commands/ai'
import { registerCsv } from './commands/csv'
import { registerDemo } from './commands/demo'
import { registerExplain } from './commands/explain'
import { registerMock } from './commands/mock'
import { registerProbe } from './commands/probe'
import { registerRedact } from './commands/redact'
import { registerSoap } from './commands/soap'
import { CliError } from './errors'
import { createOutput, EXIT, type Io, type Output, processIo, reportFailure } from './output'

/** The commands, in the order `fieldkit --help` lists them; each adds itself to the program. */
const COMMANDS: readonly ((program: Command, output: () => Output) => void)[] = [
  registerDemo,
  registerMock,
  registerProbe,
  registerCsv,
  registerSoap,
  registerRedact,
  registerExplain,
  registerAi,
]

const EXIT_HELP = `
Exit codes: 0 ok, 1 the operation failed (reason on stderr; with --json also a JSON error on stdout),
2 usage error (a flag or argument), 3 completed with findings, 4 a file not found or unreadable,
5 a --schema file that is not valid, 6 an unknown column type in a --schema file, 7 binary input where text was expected.
Secrets (passwords, tokens) are read from environment variables or a prompt, never from flags.
Diagnostics: FIELDKIT_DEBUG=http,auth,soap (or *) prints Fieldkit's debug lines, redacted, on stderr.`

/**
 * Runs the `fieldkit` command line with `argv` (as `process.argv`) and resolves with the exit code; nothing is
 * written but through stdout and stderr, and the process is not exited, so it can be called from tests; `io` replaces
 * the process's streams and environment (a test's PassThrough streams).
 *
 * @example
 * ```ts
 * process.exitCode = await main(['node', 'fieldkit', 'mock', 'serve', '--list'])
 * ```
 */
export async function main(argv: readonly string[], io: Partial<Io> = {}): Promise<number> {
  const streams = { ...processIo(), ...io }
  const program = new Command('fieldkit')
  let out: Output | undefined
  const flags = () => program.opts<{ json?: boolean; color?: boolean }>()
  const output = () => {
    out ??= createOutput({ json: flags().json === true, color: flags().color !== false, io: streams })
    return out
  }
  program
    .description('Make software work inside a client’s real environment.')
    .version('0.1.0')
    .option('--json', 'machine-readable output on stdout (a failure too: { "error": { code, message, hint } })')
    .option('--no-color', 'no colours (NO_COLOR set to any non-empty value does the same)')
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
    })
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', EXIT_HELP)
  for (const register of COMMANDS) register(program, output)

  process.exitCode = undefined
  try {
    await program.parseAsync([...argv])
  } catch (error) {
    if (error instanceof CommanderError)
      return commanderExit(error, flags().json === true || argv.includes('--json'), streams)
    return reportFailure(error, { json: flags().json === true, io: streams })
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok
  process.exitCode = undefined
  return code
}

/** Help and version end with 0; a usage error commander already explained on stderr gets a JSON error under --json. */
function commanderExit(error: CommanderError, json: boolean, io: Io): number {
  if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) return EXIT.ok
  if (json) {
    const failure = new CliError({
      code: 'FK_CLI_USAGE',
      message: `[fieldkit/cli] ${error.message.replace(/^error: /, '')}`,
      hint: 'Run the command with --help for its arguments and flags',
    })
    const { code, message, hint } = failure
    io.stdout.write(`${JSON.stringify({ error: { code, message, hint, exitCode: EXIT.usage } }, null, 2)}\n`)
  }
  return EXIT.usage
}
