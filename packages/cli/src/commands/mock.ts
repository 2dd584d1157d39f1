import { expected } from '@fieldkit/core'
import type { Command } from 'commander'
import { CliError } from '../errors'
import type { Output } from '../output'
import { loadSimulator } from '../simulator'

/** An address that only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1'
}

/** `fieldkit mock serve [scenario...]`: the simulator for integrations written in any language. */
export function registerMock(program: Command, output: () => Output): void {
  const mock = program.command('mock').description('the simulator of difficult enterprise endpoints')
  mock
    .command('serve')
    .description('serve simulator scenarios on a loopback port until interrupted')
    .argument('[scenario...]', 'scenarios to serve (default: all); see --list')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '0')
    .option(
      '--host <host>',
      'address to bind (anything but loopback prints a warning: demo credentials work)',
      '127.0.0.1',
    )
    .option('--list', 'list the scenarios and exit')
    .addHelpText(
      'after',
      `
Examples:
  $ fieldkit mock serve                      # every scenario on a free port
  $ fieldkit mock serve flaky slow --port 8080
  $ fieldkit mock serve --list --json`,
    )
    .action(async (names: string[], options: { port: string; host: string; list?: boolean }) => {
      const out = output()
      const { catalog, serve } = await loadSimulator(() => import('@fieldkit/mocks'), 'mock serve')
      if (options.list) {
        out.result(catalog.map(({ name, description, examples }) => ({ name, description, examples })))
        for (const scenario of catalog) out.line(`${out.bold(scenario.name.padEnd(20))} ${scenario.description}`)
        return
      }
      const unknown = names.filter((name) => !catalog.some((s) => s.name === name))
      if (unknown.length > 0) {
        throw new CliError({
          code: 'FK_CLI_USAGE',
          message: `[fieldkit/cli] unknown scenario ${unknown.join(', ')}; known: ${catalog.map((s) => s.name).join(', ')}`,
          hint: 'Name scenarios as fieldkit mock serve --list shows them, or none to serve them all',
          details: { unknown },
        })
      }
      const port = Number(options.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new CliError({
          code: 'FK_CLI_USAGE',
          message: `[fieldkit/cli] ${expected('--port', 'an integer from 0 to 65535', options.port)}`,
          hint: 'Pass --port 0 for a free port, or a port number such as --port 8080',
        })
      if (!isLoopback(options.host))
        out.note(
          `${out.yellow('warning:')} serving on ${options.host}, not loopback: other machines can reach the simulator, and its auth servers accept the published demo credentials (demo / demo-password and others in --list). Use it on a trusted network only.`,
        )
      const chosen = names.length === 0 ? catalog : catalog.filter((s) => names.includes(s.name))
      const server = await serve(
        chosen.flatMap((s) => s.handlers()),
        { port, host: options.host },
      )
      out.result({ url: server.url, scenarios: chosen.map((s) => s.name) })
      out.line(`simulator listening on ${out.bold(server.url)} (Ctrl-C to stop)`)
      for (const scenario of chosen) {
        out.line(`  ${out.bold(scenario.name)}: ${scenario.description}`)
        for (const example of scenario.examples)
          out.line(out.dim(`    ${example.method} ${server.url}${example.path}  — ${example.note}`))
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve()
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
      await server.close()
      out.line(`stopped after ${server.requests.length} requests`)
    })
}
