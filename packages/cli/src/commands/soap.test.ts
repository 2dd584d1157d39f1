import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  basicAuth,
  chain,
  digestAuth,
  employeesWsdl,
  type MockServer,
  ntlmAuth,
  serve,
  soapEmployees,
} from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runMain } from '../run-main.test-helper'
import { runCliInTerminal } from '../spawn-cli.test-helper'

const dir = mkdtempSync(join(tmpdir(), 'fieldkit-cli-soap-'))
const PASSWORD = 'Pa55-w0rd-never-printed'

/** A WSDL file whose port address is the mock's `/soap/employees`. */
const wsdlFor = (mock: MockServer, name: string) => {
  const path = join(dir, `${name}.wsdl`)
  writeFileSync(path, employeesWsdl(mock.url))
  return path
}
const path = '/soap/employees'

describe('fieldkit soap', () => {
  let mock: MockServer
  let wsdlFile: string
  beforeAll(async () => {
    mock = await serve(soapEmployees({ users: { 'hr-service': PASSWORD } }))
    wsdlFile = wsdlFor(mock, 'plain')
  })
  afterAll(() => mock.close())

  it('describe lists services, ports and operations with their soapAction', async () => {
    const { code, stdout } = await runMain(['--json', 'soap', 'describe', wsdlFile])
    expect(code).toBe(0)
    const desc = JSON.parse(stdout)
    expect(desc.operations.map((o: { name: string }) => o.name)).toContain('GetEmployees')
    expect(desc.operations.find((o: { name: string }) => o.name === 'GetEmployees').soapAction).toMatch(/GetEmployees$/)
  })

  it('types prints TypeScript and zod schemas', async () => {
    const out = join(dir, 'employees.ts')
    const { code } = await runMain(['soap', 'types', wsdlFile, '-o', out])
    expect(code).toBe(0)
    const code_ = readFileSync(out, 'utf8')
    expect(code_).toContain('z.object')
    expect(code_).toMatch(/export (type|interface) /)
  })

  it('call sends the operation and prints the parsed answer', async () => {
    const { code, stdout } = await runMain([
      '--json',
      'soap',
      'call',
      `${mock.url}/soap/employees`,
      'GetEmployees',
      '--args',
      '{"departmentId":"0042"}',
    ])
    expect(code).toBe(0)
    expect(stdout).toContain('0000000001')
  })

  it('a SOAP fault exits 1 and prints the fault code, reason and the detail (HR-404)', async () => {
    const { code, stderr } = await runMain([
      'soap',
      'call',
      wsdlFile,
      'GetEmployees',
      '--args',
      '{"departmentId":"9998"}',
    ])
    expect(code).toBe(1)
    expect(stderr).toContain('[FK_SOAP_FAULT]')
    expect(stderr).toMatch(/\n {2}fault: (Client|Sender)[^\n]*: /)
    expect(stderr).toMatch(/\n {2}detail: .*"HR-404"/)
  })

  it('with --json a SOAP fault is a JSON error on stdout, with the fault and its detail', async () => {
    const { code, stdout } = await runMain([
      '--json',
      'soap',
      'call',
      wsdlFile,
      'GetEmployees',
      '--args',
      '{"departmentId":"9998"}',
    ])
    expect(code).toBe(1)
    const { error } = JSON.parse(stdout)
    expect(error).toMatchObject({ code: 'FK_SOAP_FAULT', exitCode: 1, fault: { code: expect.any(String) } })
    expect(error.hint).toBeTruthy()
    expect(JSON.stringify(error.fault.detail)).toContain('HR-404')
  })

  it('refuses --args that are not JSON with exit code 2', async () => {
    const { code, stderr } = await runMain(['soap', 'call', wsdlFile, 'GetEmployees', '--args', '{nope'])
    expect(code).toBe(2)
    expect(stderr).toContain('Expected `--args` to be JSON, got "{nope"')
  })

  describe('--auth wsse (WS-Security UsernameToken, checked by the mock)', () => {
    const call = (env: NodeJS.ProcessEnv, scheme = 'wsse') =>
      runMain(
        ['soap', 'call', wsdlFile, 'GetEmployees', '--endpoint', `${mock.url}/soap/secure/employees`].concat([
          '--auth',
          scheme,
          '--user',
          'hr-service',
          '--args',
          '{"departmentId":"0001"}',
        ]),
        { env },
      )

    it.each(['wsse', 'wsse-text'])('%s with FIELDKIT_PASSWORD is let in', async (scheme) => {
      const { code, stdout } = await call({ FIELDKIT_PASSWORD: PASSWORD }, scheme)
      expect(code).toBe(0)
      expect(stdout).toContain('EmployeeId')
    })

    it('a wrong password is the service’s fault, printed with its detail and without the password', async () => {
      const { code, stderr, stdout } = await call({ FIELDKIT_PASSWORD: 'wrong-password-value' })
      expect(code).toBe(1)
      expect(stderr).toContain('fault: Client: The security token could not be authenticated or authorized')
      expect(stderr).toContain('detail: {"AuthFailure":{"Reason":"bad-digest"}}')
      expect(`${stdout}${stderr}`).not.toContain('wrong-password-value')
    })
  })

  it('no FIELDKIT_PASSWORD and no terminal to ask on: FK_CLI_NO_CREDENTIALS, exit 2', async () => {
    const { code, stderr } = await runMain(
      ['soap', 'call', wsdlFile, 'GetEmployees', '--auth', 'basic', '--user', 'u'],
      {
        env: { FIELDKIT_PASSWORD: '' },
      },
    )
    expect(code).toBe(2)
    expect(stderr).toContain('[FK_CLI_NO_CREDENTIALS]')
    expect(stderr).toContain('Set FIELDKIT_PASSWORD')
  })

  it('refuses a password given as a flag, without using or printing it', async () => {
    const { code, stdout, stderr } = await runMain([
      '--json',
      'soap',
      'call',
      wsdlFile,
      'GetEmployees',
      '--auth',
      'basic',
      '--user',
      'u',
      '--password',
      'flag-password-value',
    ])
    expect(code).toBe(2)
    expect(JSON.parse(stdout).error.code).toBe('FK_CLI_USAGE')
    expect(`${stdout}${stderr}`).not.toContain('flag-password-value')
  })

  describe('HTTP authentication against the verifying mocks', () => {
    const servers: MockServer[] = []
    afterAll(async () => {
      for (const s of servers) await s.close()
    })
    const behind = async (name: string, layer: Parameters<typeof chain>[1]) => {
      const server = await serve(chain(path, layer, soapEmployees()))
      servers.push(server)
      return wsdlFor(server, name)
    }
    const schemes: [string, string, () => Parameters<typeof chain>[1]][] = [
      [
        'ntlm',
        'CORP\\svc-hr',
        () => ntlmAuth({ path, users: [{ username: 'svc-hr', domain: 'CORP', password: PASSWORD }] }),
      ],
      ['basic', 'svc-hr', () => basicAuth({ path, users: { 'svc-hr': PASSWORD }, realm: 'hr' })],
      ['digest', 'svc-hr', () => digestAuth({ path, users: { 'svc-hr': PASSWORD }, realm: 'hr', qop: 'auth' })],
    ]

    it.each(schemes)('--auth %s with --user %s and FIELDKIT_PASSWORD gets the answer', async (scheme, user, layer) => {
      const wsdl = await behind(scheme, layer())
      const args = [
        'soap',
        'call',
        wsdl,
        'GetEmployees',
        '--auth',
        scheme,
        '--user',
        user,
        '--args',
        '{"departmentId":"0001"}',
      ]
      const ok = await runMain(args, { env: { FIELDKIT_PASSWORD: PASSWORD } })
      expect(ok.stderr).toBe('')
      expect(ok.code).toBe(0)
      expect(ok.stdout).toContain('EmployeeId')
      const refused = await runMain(['--json', ...args], { env: { FIELDKIT_PASSWORD: 'not-the-password' } })
      expect(refused.code).toBe(1)
      expect(JSON.parse(refused.stdout).error.code).toMatch(/^FK_(AUTH|HTTP)_/)
      expect(`${refused.stdout}${refused.stderr}`).not.toContain('not-the-password')
      const none = await runMain(args.slice(0, 4))
      expect(none.code).toBe(1)
    })

    it('asks for the password on a terminal (script(1) pseudo-terminal) when FIELDKIT_PASSWORD is not set', async () => {
      const wsdl = await behind('prompt', basicAuth({ path, users: { 'svc-hr': PASSWORD }, realm: 'hr' }))
      const { code, output } = await runCliInTerminal(
        [
          'soap',
          'call',
          wsdl,
          'GetEmployees',
          '--auth',
          'basic',
          '--user',
          'svc-hr',
          '--args',
          '{"departmentId":"0001"}',
        ],
        { type: { waitFor: 'password for svc-hr: ', text: `${PASSWORD}\r` }, env: { FIELDKIT_PASSWORD: '' } },
      )
      expect(output).toContain('password for svc-hr: ')
      expect(output).toContain('EmployeeId')
      expect(output).not.toContain(PASSWORD) // typed without echo
      expect(code).toBe(0)
    })
  })
})
