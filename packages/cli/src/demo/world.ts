import {
  bearerResource,
  chain,
  EMPLOYEES_NS,
  HttpResponse,
  http,
  type MockServer,
  ntlmAuth,
  oauth2TokenEndpoint,
  rateLimited,
  serve,
  soapEmployees,
} from '@fieldkit/mocks'

import type { DemoAccount, DemoEmployee } from './data'

/** The credentials the simulated client systems accept: the demo passes them as a field engineer would, from env. */
export const DEMO_CREDENTIALS = {
  ntlm: { username: 'svc-payroll', domain: 'CORP', password: 'Winter2026!' },
  wsse: { username: 'hr-service', password: 'correct horse' },
  crm: { clientId: 'fieldkit-demo', clientSecret: 's3cr3t-client' },
} as const

/** The simulated client environment, on loopback: HR (SOAP behind NTLM), CRM (OAuth 2.0, quota, faults), two data lakes. */
export interface DemoWorld {
  hr: string
  crm: string
  tokenUrl: string
  euLake: MockServer
  usLake: MockServer
  received: () => { lake: string; records: number }[]
  crmStats: () => {
    received: number
    injected429: number
    injected503: number
    overQuota: number
    tokenRequests: number
  }
  close(): Promise<void>
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Starts the simulated systems with the demo's data. */
export async function startWorld(data: { employees: DemoEmployee[]; accounts: DemoAccount[] }): Promise<DemoWorld> {
  const hrPath = '/soap/secure/employees'
  const hrService = soapEmployees({
    users: { [DEMO_CREDENTIALS.wsse.username]: DEMO_CREDENTIALS.wsse.password },
    operations: {
      GetEmployees: ({ params }) => {
        const wanted = data.employees.filter((e) => params.departmentId === '*' || e.department === params.departmentId)
        const records = wanted
          .map((e, i) => {
            const [first, ...rest] = e.name.split(' ')
            return (
              `<e:Employee version="1"><e:EmployeeId>${e.id}</e:EmployeeId><e:FirstName>${xml(first ?? '')}</e:FirstName>` +
              `<e:LastName>${xml(rest.join(' '))}</e:LastName>` +
              (i % 17 === 5 ? '<e:Email xsi:nil="true"/>' : `<e:Email>${e.email}</e:Email>`) +
              `<e:Department>${e.department}</e:Department><e:Salary>0</e:Salary><e:HireDate>${e.hiredOn}</e:HireDate>` +
              `<e:ManagerId xsi:nil="true"/><e:Active>true</e:Active><e:LastModified>2026-11-01T08:00:00Z</e:LastModified>` +
              `<e:Notes xsi:nil="true"/></e:Employee>`
            )
          })
          .join('')
        return {
          body: `<e:GetEmployeesResponse xmlns:e="${EMPLOYEES_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${records}<e:Total>${wanted.length}</e:Total></e:GetEmployeesResponse>`,
        }
      },
    },
  })
  const hr = chain(hrPath, ntlmAuth({ path: hrPath, users: [DEMO_CREDENTIALS.ntlm] }), hrService)

  const tokens = oauth2TokenEndpoint({
    path: '/oauth/token',
    clients: { [DEMO_CREDENTIALS.crm.clientId]: DEMO_CREDENTIALS.crm.clientSecret },
    audience: 'crm',
    accessTokenTtlSeconds: 600,
  })
  const quota = rateLimited({
    path: '/crm',
    limit: 20,
    windowMs: 1_000,
    faults: { seed: 7, errorRate: 0.05, resetRate: 0, burst429: { every: 9, length: 1, retryAfterSeconds: 1 } },
  })
  const pageSize = 25
  const accounts = [
    http.get('*/crm/accounts', ({ request }) => {
      const cursor = new URL(request.url).searchParams.get('cursor')
      const from = cursor === null ? 0 : Number(Buffer.from(cursor, 'base64url').toString('utf8'))
      const end = Math.min(data.accounts.length, from + pageSize)
      const next = end < data.accounts.length ? Buffer.from(String(end)).toString('base64url') : null
      return HttpResponse.json({ data: data.accounts.slice(from, end), meta: { next } })
    }),
  ]
  const crm = chain(
    '/crm/accounts',
    bearerResource({ path: '/crm/accounts', tokenEndpoint: tokens }),
    quota.handlers,
    accounts,
  )

  const systems = await serve([...hr, ...tokens.handlers, ...crm])
  const received: { lake: string; records: number }[] = []
  const lake = (name: string) => [
    http.post('*/ingest', async ({ request }) => {
      const lines = (await request.text()).split('\n').filter((l) => l.trim() !== '')
      received.push({ lake: name, records: lines.length })
      return HttpResponse.json({ accepted: lines.length }, { status: 202 })
    }),
  ]
  const euLake = await serve(lake('eu'), { host: '127.0.0.2' })
  const usLake = await serve(lake('us'), { host: '127.0.0.3' })

  return {
    hr: `${systems.url}${hrPath}`,
    crm: systems.url,
    tokenUrl: `${systems.url}/oauth/token`,
    euLake,
    usLake,
    received: () => [...received],
    crmStats: () => ({ ...quota.stats(), tokenRequests: tokens.stats().tokenRequests }),
    async close() {
      await Promise.all([systems.close(), euLake.close(), usLake.close()])
    },
  }
}
