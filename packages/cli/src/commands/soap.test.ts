import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { employeesWsdl, type MockServer, serve, soapEmployees } from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../spawn-cli.test-helper'

describe('fieldkit soap', () => {
  let mock: MockServer
  let wsdlFile: string
  beforeAll(async () => {
    mock = await serve(soapEmployees())
    wsdlFile = join(mkdtempSync(join(tmpdir(), 'fieldkit-cli-soap-')), 'employees.wsdl')
    writeFileSync(wsdlFile, employeesWsdl(mock.url))
  })
  afterAll(() => mock.close())

  it('describe lists services, ports and operations with their soapAction', async () => {
    const { code, stdout } = await runCli(['--json', 'soap', 'describe', wsdlFile])
    expect(code).toBe(0)
    const desc = JSON.parse(stdout)
    expect(desc.operations.map((o: { name: string }) => o.name)).toContain('GetEmployees')
    expect(desc.operations.find((o: { name: string }) => o.name === 'GetEmployees').soapAction).toMatch(/GetEmployees$/)
  })

  it('types prints TypeScript and zod schemas', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fieldkit-cli-types-')), 'employees.ts')
    const { code } = await runCli(['soap', 'types', wsdlFile, '-o', out])
    expect(code).toBe(0)
    const code_ = readFileSync(out, 'utf8')
    expect(code_).toContain('z.object')
    expect(code_).toMatch(/export (type|interface) /)
  })

  it('call sends the operation and prints the parsed answer', async () => {
    const { code, stdout } = await runCli([
      '--json',
      'soap',
      'call',
      `${mock.url}/soap/employees`,
      'GetEmployees',
      '--args',
      '{"departmentId":"0042"}',
    ])
    expect(code).toBe(0)
    const answer = JSON.parse(stdout)
    expect(JSON.stringify(answer)).toContain('0000000001')
  })

  it('a SOAP fault exits 1 with the fault code and reason', async () => {
    const { code, stderr } = await runCli([
      'soap',
      'call',
      wsdlFile,
      'GetEmployees',
      '--args',
      '{"departmentId":"9998"}',
    ])
    expect(code).toBe(1)
    expect(stderr).toContain('FK_SOAP_FAULT')
  })

  it('refuses --args that are not JSON with exit code 2', async () => {
    const { code, stderr } = await runCli(['soap', 'call', wsdlFile, 'GetEmployees', '--args', '{nope'])
    expect(code).toBe(2)
    expect(stderr).toContain('Expected --args to be JSON')
  })
})
