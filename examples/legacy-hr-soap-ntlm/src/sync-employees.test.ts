import { chain, type MockServer, ntlmAuth, serve, soapEmployees } from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { syncEmployees } from './sync-employees'

// The client's IIS: Windows authentication (NTLM) in front of a SOAP service that checks a UsernameToken.
describe('legacy HR over SOAP behind NTLM', () => {
  let hr: MockServer
  const windows = { username: 'svc-sync', password: 'Winter2026!', domain: 'CORP' }
  const service = { username: 'hr-service', password: 'correct horse' }
  beforeAll(async () => {
    const path = '/soap/secure/employees'
    hr = await serve(
      chain(
        path,
        ntlmAuth({ path, users: [windows] }),
        soapEmployees({ users: { [service.username]: service.password } }),
      ),
    )
  })
  afterAll(() => hr.close())

  it('reads a department with ids kept as strings and nil emails as null', async () => {
    const employees = await syncEmployees({ endpoint: `${hr.url}/soap/secure/employees`, windows, service }, '0042')
    expect(employees).toHaveLength(3)
    expect(employees[0]?.id).toMatch(/^0+\d+$/)
    expect(employees.every((e) => e.email === null || e.email.includes('@'))).toBe(true)
  })

  it('a wrong Windows password is refused with FK_AUTH_REJECTED', async () => {
    const error = await syncEmployees(
      { endpoint: `${hr.url}/soap/secure/employees`, windows: { ...windows, password: 'wrong' }, service },
      '0042',
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'FK_AUTH_REJECTED' })
  })

  it('a wrong service password comes back as a typed SOAP fault', async () => {
    const error = await syncEmployees(
      { endpoint: `${hr.url}/soap/secure/employees`, windows, service: { ...service, password: 'wrong' } },
      '0042',
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'FK_SOAP_FAULT' })
  })
})
