import { writeFile } from 'node:fs/promises'
import { expected } from '@fieldkit/core'
import { createSoapClient, generateTypes, readWsdl } from '@fieldkit/soap'
import { type Command, Option } from 'commander'
import { CliError } from '../errors'
import type { Output } from '../output'
import { SOAP_AUTH_SCHEMES, soapCredentials } from './soap-auth'

interface CallFlags {
  args: string
  endpoint?: string
  auth?: string
  user?: string
  password?: string
}

const source = (wsdl: string) => (/^https?:\/\//.test(wsdl) ? new URL(wsdl) : wsdl)
const allowHostOf = (wsdl: string) => (/^https?:\/\//.test(wsdl) ? { allowHosts: [new URL(wsdl).hostname] } : {})

/** `fieldkit soap describe|types|call`. */
export function registerSoap(program: Command, output: () => Output): void {
  const soap = program.command('soap').description('read WSDLs, generate types, call SOAP operations')
  soap
    .command('describe')
    .description('list services, ports and operations (soapAction, input and output elements) of a WSDL')
    .argument('<wsdl>', 'a WSDL file or http(s) URL')
    .addHelpText(
      'after',
      '\nExamples:\n  $ fieldkit soap describe Employees.wsdl\n  $ fieldkit soap describe https://erp.example/Employees?wsdl --json',
    )
    .action(async (wsdl: string) => {
      const out = output()
      const desc = await readWsdl(source(wsdl), allowHostOf(wsdl))
      out.result({
        targetNamespace: desc.targetNamespace,
        services: desc.services,
        operations: desc.operations,
        documents: desc.documents,
      })
      out.line(`${out.bold(wsdl)} (${desc.targetNamespace})`)
      for (const service of desc.services) {
        out.line(`  service ${service.name}`)
        for (const port of service.ports) out.line(`    port ${port.name}: SOAP ${port.version} at ${port.address}`)
      }
      for (const op of desc.operations) {
        out.line(`  ${out.bold(op.name)}  SOAP ${op.version} ${op.style}, soapAction "${op.soapAction}"`)
        if (op.input) out.line(out.dim(`    in:  ${JSON.stringify(op.input)}`))
        if (op.output) out.line(out.dim(`    out: ${JSON.stringify(op.output)}`))
      }
    })

  soap
    .command('types')
    .description('generate TypeScript types and zod schemas from a WSDL')
    .argument('<wsdl>', 'a WSDL file or http(s) URL')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addHelpText('after', '\nExamples:\n  $ fieldkit soap types Employees.wsdl -o src/employees.generated.ts')
    .action(async (wsdl: string, options: { output?: string }) => {
      const out = output()
      const code = generateTypes(await readWsdl(source(wsdl), allowHostOf(wsdl)))
      if (options.output) {
        await writeFile(options.output, code)
        out.result({ written: options.output, bytes: Buffer.byteLength(code) })
        out.line(`wrote ${options.output}`)
      } else out.stdout.write(code)
    })

  soap
    .command('call')
    .description('call one operation and print the parsed answer as JSON')
    .argument('<wsdl>', 'a WSDL file or http(s) URL')
    .argument('<operation>', 'the operation name')
    .option('--args <json>', 'the operation input as JSON', '{}')
    .option('--endpoint <url>', 'override the address in the WSDL')
    .option('--auth <scheme>', `authenticate: ${SOAP_AUTH_SCHEMES.join(', ')} (wsse = WS-Security UsernameToken)`)
    .option('--user <name>', 'the user for --auth (NTLM: DOMAIN\\user or user@domain); default FIELDKIT_USER')
    .addOption(new Option('--password <value>', 'refused: passwords never come from flags').hideHelp())
    .addHelpText(
      'after',
      `
Examples:
  $ fieldkit soap call http://127.0.0.1:8080/soap/employees GetEmployees --args '{"departmentId":"0042"}'
  $ FIELDKIT_PASSWORD=… fieldkit soap call Employees.wsdl GetEmployees --auth ntlm --user 'CORP\\svc-hr' --args '{}'
  $ fieldkit soap call Employees.wsdl GetEmployees --auth wsse --user hr-service   # asks for the password

The password comes from FIELDKIT_PASSWORD or a prompt on the terminal, never from a flag (shell history, ps).
A SOAP fault exits with code 1 and prints the fault code, reason and detail (with --json: as a JSON error).`,
    )
    .action(async (wsdl: string, operation: string, options: CallFlags) => {
      const out = output()
      if (options.password !== undefined)
        throw new CliError({
          code: 'FK_CLI_USAGE',
          message: '[fieldkit/cli] soap call does not take a password on the command line',
          hint: 'Set FIELDKIT_PASSWORD in the environment or let fieldkit prompt for it; remove the password from your shell history',
        })
      let input: unknown
      try {
        input = JSON.parse(options.args)
      } catch {
        throw new CliError({
          code: 'FK_CLI_USAGE',
          message: `[fieldkit/cli] ${expected('--args', 'JSON', options.args)}`,
          hint: 'Quote the JSON for the shell, as in --args \'{"departmentId":"0042"}\'',
        })
      }
      const desc = await readWsdl(source(wsdl), allowHostOf(wsdl))
      const { auth, security } = await soapCredentials(options.auth, options.user, out)
      const client = createSoapClient({
        wsdl: desc,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(auth ? { http: { auth } } : {}),
        ...(security ? { security } : {}),
      })
      try {
        const answer = await client.call(operation, input)
        if (out.json) out.result(answer)
        else out.line(JSON.stringify(answer, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2))
      } finally {
        await client.close()
      }
    })
}
