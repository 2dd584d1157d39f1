import { createHash, randomBytes } from 'node:crypto'
import { wsSecurityUsernameToken } from '@fieldkit/auth'
import { isFieldkitError } from '@fieldkit/core'
import {
  EMPLOYEES_NS,
  employeesWsdl,
  type MockServer,
  payslipBytes,
  resetConnection,
  serve,
  soapEmployees,
} from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createSoapClient, type SoapClient } from './client'
import type { SoapFaultError } from './errors'

const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'
const PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0'

/** A UsernameToken header written by hand (the client side of @fieldkit/auth is not used here). */
function usernameToken(username: string, password: string) {
  return {
    calls: 0,
    securityHeader() {
      this.calls++
      const nonce = randomBytes(16)
      const created = new Date().toISOString()
      const digest = createHash('sha1').update(nonce).update(created).update(password).digest('base64')
      return (
        `<wsse:Security xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}"><wsse:UsernameToken><wsse:Username>${username}</wsse:Username>` +
        `<wsse:Password Type="${PROFILE}#PasswordDigest">${digest}</wsse:Password>` +
        `<wsse:Nonce>${nonce.toString('base64')}</wsse:Nonce><wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
      )
    },
  }
}

let mock: MockServer
const clients: SoapClient[] = []
const client = (options: Parameters<typeof createSoapClient>[0]) => {
  const c = createSoapClient(options)
  clients.push(c)
  return c
}

beforeAll(async () => {
  mock = await serve(soapEmployees({ largeCount: 2000, chunkDelayMs: 1 }))
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await mock.close()
})

describe.each(['1.1', '1.2'] as const)('SOAP %s against the mock service', (version) => {
  const path = version === '1.1' ? '/soap/employees' : '/soap12/employees'
  const svc = () => client({ endpoint: `${mock.url}${path}`, wsdl: employeesWsdl(mock.url), version })

  it('sends the right content type and action, and gets typed records', async () => {
    const out = await svc().call<{ Employee: Record<string, unknown>[]; Total: number }>('GetEmployees', {
      departmentId: '0042',
    })
    const sent = mock.requests.at(-1)
    if (version === '1.1') {
      expect(sent?.headers['content-type']).toMatch(/^text\/xml/)
      expect(sent?.headers.soapaction).toBe(`"${EMPLOYEES_NS}/GetEmployees"`)
    } else {
      expect(sent?.headers['content-type']).toMatch(
        /^application\/soap\+xml; charset=utf-8; action="urn:example:hr:employees:v1\/GetEmployees"/,
      )
    }
    expect(out.Total).toBe(3)
    expect(out.Employee).toHaveLength(3)
    // Three prefixes (e:, x:, default namespace): one key.
    expect(out.Employee.map((e) => e.EmployeeId)).toEqual(['0000000001', '0000000002', '0000000003'])
    const [first, second] = out.Employee
    expect(first).toMatchObject({
      '@version': 1,
      Salary: '40000.00',
      Active: true,
      ManagerId: null,
      Notes: null,
      Skill: [],
    })
    expect(first?.LastModified).toEqual(new Date('2024-05-01T10:15:00Z'))
    expect(second).toMatchObject({ Notes: 'Prefers <b>bold</b> & "quotes"', Skill: ['SOAP'], LastName: 'Fernández' })
  })

  it('gives one record as an array of one, and none as an empty array', async () => {
    const one = await svc().call<{ Employee: unknown[] }>('GetEmployees', { departmentId: '0001' })
    expect(one.Employee).toHaveLength(1)
    const none = await svc().call<{ Employee?: unknown[]; Total: number }>('GetEmployees', { departmentId: '0000' })
    expect(none.Total).toBe(0)
    expect(none.Employee ?? []).toEqual([])
  })

  it('turns a fault with detail into SoapFaultError (HTTP 500 and HTTP 200)', async () => {
    for (const departmentId of ['9999', '9998']) {
      const error = (await svc()
        .call('GetEmployees', { departmentId })
        .catch((e: unknown) => e)) as SoapFaultError
      expect(isFieldkitError(error)).toBe(true)
      expect(error.code).toBe('FK_SOAP_FAULT')
      expect(error.fault.version).toBe(version)
      expect(error.fault.status).toBe(departmentId === '9999' ? 500 : 200)
      expect(error.fault.code.local).toBe(version === '1.1' ? 'Client' : 'Sender')
      expect(error.fault.code.namespace).toBe(
        version === '1.1' ? 'http://schemas.xmlsoap.org/soap/envelope/' : 'http://www.w3.org/2003/05/soap-envelope',
      )
      expect(error.fault.subcodes).toEqual(
        version === '1.1' ? [] : [{ namespace: EMPLOYEES_NS, local: 'UnknownDepartment' }],
      )
      expect(error.fault.reason).toBe(`Department ${departmentId} does not exist`)
      expect(error.fault.actor).toBe('urn:example:hr:employees-service')
      expect(error.fault.detail).toEqual({ EmployeeFault: { Code: 'HR-404', DepartmentId: departmentId } })
    }
  })

  it('never retries a fault, even for an idempotent call', async () => {
    const before = mock.requests.length
    await expect(svc().call('GetEmployees', { departmentId: '9999' }, { idempotent: true })).rejects.toMatchObject({
      code: 'FK_SOAP_FAULT',
    })
    expect(mock.requests.length - before).toBe(1)
  })

  it('resolves MTOM attachments into Buffers', async () => {
    const out = await svc().call<{ FileName: string; Content: Buffer }>('GetPayslip', { employeeId: '0000000007' })
    expect(out.FileName).toBe('payslip-0000000007.pdf')
    expect(Buffer.isBuffer(out.Content)).toBe(true)
    expect(out.Content.equals(payslipBytes('0000000007'))).toBe(true)
  })

  it('streams a slow, large answer record by record', async () => {
    let count = 0
    let last: Record<string, unknown> | undefined
    for await (const record of svc().stream<Record<string, unknown>>(
      'GetEmployees',
      { departmentId: 'large', count: 1500 },
      { record: 'GetEmployeesResponse/Employee' },
    )) {
      count++
      last = record
    }
    expect(count).toBe(1500)
    expect(last?.EmployeeId).toBe('0000001500')
    expect(typeof last?.Active).toBe('boolean')
  })

  it('checks WS-Security: a correct digest passes, a wrong password is a typed fault', async () => {
    const secure = `${mock.url}${version === '1.1' ? '/soap/secure/employees' : '/soap12/secure/employees'}`
    const token = usernameToken('hr-service', 'correct horse')
    const ok = client({ endpoint: secure, wsdl: employeesWsdl(mock.url), version, security: token })
    await expect(ok.call('GetEmployees', { departmentId: '0001' })).resolves.toMatchObject({ Total: 1 })
    await expect(ok.call('GetEmployees', { departmentId: '0001' })).resolves.toMatchObject({ Total: 1 })
    expect(token.calls).toBe(2)
    const bad = client({
      endpoint: secure,
      wsdl: employeesWsdl(mock.url),
      version,
      security: usernameToken('hr-service', 'wrong'),
    })
    const error = (await bad.call('GetEmployees', { departmentId: '0001' }).catch((e: unknown) => e)) as SoapFaultError
    expect(error.code).toBe('FK_SOAP_FAULT')
    expect(error.fault.detail).toEqual({ AuthFailure: { Reason: 'bad-digest' } })
  })
})

describe('createSoapClient', () => {
  it("authenticates with @fieldkit/auth's wsSecurityUsernameToken (digest and text) against the mock's check", async () => {
    for (const digest of [true, false]) {
      const security = wsSecurityUsernameToken({ username: 'hr-service', password: 'correct horse', digest })
      const svc = client({ endpoint: `${mock.url}/soap/secure/employees`, wsdl: employeesWsdl(mock.url), security })
      await expect(svc.call('GetEmployees', { departmentId: '0001' })).resolves.toMatchObject({ Total: 1 })
      await expect(svc.call('GetEmployees', { departmentId: '0001' })).resolves.toMatchObject({ Total: 1 })
    }
    const wrong = wsSecurityUsernameToken({ username: 'hr-service', password: 'nope' })
    const svc = client({
      endpoint: `${mock.url}/soap/secure/employees`,
      wsdl: employeesWsdl(mock.url),
      security: wrong,
    })
    await expect(svc.call('GetEmployees', { departmentId: '0001' })).rejects.toMatchObject({
      code: 'FK_SOAP_FAULT',
      fault: { detail: { AuthFailure: { Reason: 'bad-digest' } } },
    })
  })

  it('retries a transport error only for an operation declared idempotent (the http client policy)', async () => {
    let resets = 0
    const flaky = await serve(
      soapEmployees({
        operations: {
          GetEmployees: ({ params }) => {
            if (resets < 1) {
              resets++
              return resetConnection()
            }
            return {
              body: `<e:GetEmployeesResponse xmlns:e="${EMPLOYEES_NS}"><e:Total>${params.departmentId === 'x' ? 0 : 1}</e:Total></e:GetEmployeesResponse>`,
            }
          },
        },
      }),
    )
    try {
      const svc = client({ wsdl: employeesWsdl(flaky.url), http: { retry: { minDelayMs: 1, maxDelayMs: 5 } } })
      const first = await svc.call('GetEmployees', { departmentId: 'x' }).catch((e: unknown) => e)
      expect(first).toMatchObject({ code: expect.stringMatching(/^FK_HTTP_/) })
      expect(flaky.requests).toHaveLength(1)
      resets = 0
      await expect(svc.call('GetEmployees', { departmentId: 'x' }, { idempotent: true })).resolves.toEqual({
        Employee: [],
        Total: 0,
      })
      expect(flaky.requests).toHaveLength(3)
      expect(flaky.requests[1]?.headers['idempotency-key']).toBe(flaky.requests[2]?.headers['idempotency-key'])
    } finally {
      await flaky.close()
    }
  })

  it('reads the WSDL over HTTP only from an allowed host', async () => {
    const denied = client({ wsdl: `${mock.url}/soap/employees?wsdl` })
    await expect(denied.call('GetEmployees', { departmentId: '0001' })).rejects.toMatchObject({
      code: 'FK_SOAP_WSDL_HOST',
    })
    const allowed = client({ wsdl: `${mock.url}/soap/employees?wsdl`, wsdlOptions: { allowHosts: ['127.0.0.1'] } })
    await expect(allowed.call('GetEmployees', { departmentId: '0001' })).resolves.toMatchObject({ Total: 1 })
  })

  it('works without a WSDL from arrays paths and a namespace', async () => {
    const svc = client({
      endpoint: `${mock.url}/soap/employees`,
      namespace: EMPLOYEES_NS,
      arrays: ['GetEmployeesResponse/Employee'],
    })
    const out = await svc.call<{ Employee: Record<string, unknown>[]; Total: string }>('GetEmployees', {
      departmentId: '0001',
    })
    expect(out.Employee).toHaveLength(1)
    expect(out.Total).toBe('1') // text stays text without a type
    expect(out.Employee[0]?.EmployeeId).toBe('0000000002')
  })

  it('validates the result with a zod schema, whose arrays also fix one-vs-many', async () => {
    const schema = z.object({ Employee: z.array(z.object({ EmployeeId: z.string() })), Total: z.coerce.number() })
    const svc = client({ endpoint: `${mock.url}/soap/employees`, namespace: EMPLOYEES_NS, schema })
    const out = await svc.call<z.infer<typeof schema>>('GetEmployees', { departmentId: '0001' })
    expect(out).toEqual({ Employee: [{ EmployeeId: '0000000002' }], Total: 1 })
    const strict = client({
      endpoint: `${mock.url}/soap/employees`,
      namespace: EMPLOYEES_NS,
      schema: z.object({ Missing: z.string() }),
    })
    await expect(strict.call('GetEmployees', { departmentId: '0001' })).rejects.toMatchObject({
      code: 'FK_SOAP_SCHEMA',
    })
  })

  it('reports an answer that is not SOAP with its status', async () => {
    const svc = client({ endpoint: `${mock.url}/nowhere`, namespace: EMPLOYEES_NS })
    await expect(svc.call('GetEmployees', {})).rejects.toMatchObject({
      code: 'FK_SOAP_HTTP_STATUS',
      details: { status: 404 },
    })
  })

  it('names an unknown operation', async () => {
    const svc = client({ wsdl: employeesWsdl(mock.url) })
    await expect(svc.call('GetEmployes', {})).rejects.toMatchObject({ code: 'FK_SOAP_OPERATION' })
  })

  it.each([
    [{ endpoint: 'ftp://x' }, /`endpoint` to be an http\(s\) URL/],
    [{ endpoint: 'http://x', namespace: 'urn:x', version: '1.3' }, /`version` to be '1.1' or '1.2', got "1.3"/],
    [{ endpoint: 'http://x' }, /`namespace` to be a namespace URI/],
    [{ endpoint: 'http://x', namespace: 'urn:x', security: {} }, /`security` to have a securityHeader\(\) method/],
    [{ endpoint: 'http://x', namespace: 'urn:x', decimal: 'float' }, /`decimal` to be 'string' or 'number'/],
    [
      { endpoint: 'http://x', namespace: 'urn:x', maxResponseBytes: -1 },
      /`maxResponseBytes` to be a positive integer, got -1/,
    ],
  ])('refuses bad options at construction: %j', (options, message) => {
    expect(() => createSoapClient(options as never)).toThrow(message)
  })
})
