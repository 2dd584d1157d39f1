import { catalog, serve } from '@fieldkit/mocks'
import type { Command } from 'commander'
import { EXIT, type Output } from '../output'

/** `fieldkit mock serve [scenario...]`: the simulator for integrations written in any language. */
export function registerMock(program: Command, output: () => Output): void {
  const mock = program.command('mock').description('the simulator of difficult enterprise endpoints')
  mock
    .command('serve')
    .description('serve simulator scenarios on a loopback port until interrupted')
    .argument('[scenario...]', 'scenarios to serve (default: all); see --list')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
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
      if (options.list) {
        out.result(catalog.map(({ name, description, examples }) => ({ name, description, examples })))
        for (const scenario of catalog) out.line(`${out.bold(scenario.name.padEnd(20))} ${scenario.description}`)
        return
      }
      const unknown = names.filter((name) => !catalog.some((s) => s.name === name))
      if (unknown.length > 0) {
        out.note(`fieldkit: unknown scenario ${unknown.join(', ')}; known: ${catalog.map((s) => s.name).join(', ')}`)
        process.exitCode = EXIT.usage
        return
      }
      const port = Number(options.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        out.note(`fieldkit: Expected --port to be an integer from 0 to 65535, got ${options.port}`)
        process.exitCode = EXIT.usage
        return
      }
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
