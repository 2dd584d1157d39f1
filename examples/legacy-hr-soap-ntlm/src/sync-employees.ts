import { ntlm, wsSecurityUsernameToken } from '@fieldkit/auth'
import { createHttpClient } from '@fieldkit/http'
import { createSoapClient } from '@fieldkit/soap'

/** An employee as the rest of our product wants it: ids stay strings (leading zeros), missing emails are null. */
export interface Employee {
  id: string
  firstName: string
  lastName: string
  email: string | null
  department: string
}

export interface HrConnection {
  /** The service address, e.g. https://hr.client.example/soap/secure/employees */
  endpoint: string
  /** The Windows account IIS authenticates with NTLM. */
  windows: { username: string; password: string; domain: string }
  /** The UsernameToken the SOAP service itself checks. */
  service: { username: string; password: string }
}

/** Reads one department's employees from the client's HR SOAP service (NTLM + WS-Security). */
export async function syncEmployees(hr: HrConnection, departmentId: string): Promise<Employee[]> {
  const http = createHttpClient({ auth: ntlm(hr.windows), retry: { retries: 3 } })
  const soap = createSoapClient({
    endpoint: hr.endpoint,
    version: '1.1',
    namespace: 'urn:example:hr:employees:v1',
    http,
    security: wsSecurityUsernameToken({ ...hr.service, digest: true }),
    arrays: ['GetEmployeesResponse.Employee'],
  })
  try {
    const answer = await soap.call<{ Employee: Record<string, string | null>[] }>('GetEmployees', { departmentId })
    return answer.Employee.map((e) => ({
      id: String(e.EmployeeId),
      firstName: String(e.FirstName),
      lastName: String(e.LastName),
      email: e.Email ?? null,
      department: String(e.Department),
    }))
  } finally {
    await soap.close()
    await http.close()
  }
}
