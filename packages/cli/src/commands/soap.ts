import { writeFile } from 'node:fs/promises'
import { createSoapClient, generateTypes, readWsdl } from '@fieldkit/soap'
import type { Command } from 'commander'
import { EXIT, type Output } from '../output'

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
    .addHelpText(
      'after',
      `
Examples:
  $ fieldkit soap call http://127.0.0.1:8080/soap/employees GetEmployees --args '{"departmentId":"0042"}'

A SOAP fault exits with code 1 and prints the fault code, reason and detail.`,
    )
    .action(async (wsdl: string, operation: string, options: { args: string; endpoint?: string }) => {
      const out = output()
      let input: unknown
      try {
        input = JSON.parse(options.args)
      } catch {
        out.note(`fieldkit: Expected --args to be JSON, got ${JSON.stringify(options.args.slice(0, 80))}`)
        process.exitCode = EXIT.usage
        return
      }
      const desc = await readWsdl(source(wsdl), allowHostOf(wsdl))
      const client = createSoapClient({ wsdl: desc, ...(options.endpoint ? { endpoint: options.endpoint } : {}) })
      try {
        const answer = await client.call(operation, input)
        if (out.json) out.result(answer)
        else out.line(JSON.stringify(answer, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2))
      } finally {
        await client.close()
      }
    })
}
