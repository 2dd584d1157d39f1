import { delay, HttpResponse, http, type RequestHandler } from 'msw'
import { verifyUsernameToken } from '../auth/username-token'
import { EMPLOYEES_NS, employeesWsdl } from './employees-wsdl'

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/'
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope'
const XSI = 'http://www.w3.org/2001/XMLSchema-instance'

/** A fault the mock answers with. */
export interface SoapMockFault {
  /** 1.1 `Client`/`Server`, 1.2 `Sender`/`Receiver` (mapped between versions), or a QName of your own. */
  code: 'Client' | 'Server' | 'Sender' | 'Receiver'
  /** SOAP 1.2 subcode (a local name in the service namespace); written into faultstring context in 1.1. */
  subcode?: string
  reason: string
  /** XML placed inside detail / Detail, as is. */
  detail?: string
  /** HTTP status (default 500). */
  status?: number
}

/** What an operation handler returns: the inner XML of the Body, a fault, or a whole Response. */
export type SoapMockReply = { body: string } | { fault: SoapMockFault } | Response

/** What an operation handler is given. */
export interface SoapMockRequest {
  operation: string
  /** Simple child values of the operation element, by local name. */
  params: Record<string, string>
  version: '1.1' | '1.2'
  /** The authenticated user on the secure paths. */
  username?: string
  signal: AbortSignal
}

/** Options of {@link soapEmployees}. */
export interface SoapEmployeesOptions {
  /** Users of the `/soap/secure/…` paths (UsernameToken, digest or text). Default `{ 'hr-service': 'correct horse' }`. */
  users?: Record<string, string>
  /** Records in the slow large answer (`departmentId: 'large'`, or `count`). Default 5,000. */
  largeCount?: number
  /** Records per chunk of the slow large answer (default 250)… */
  chunkRecords?: number
  /** …and the pause between chunks, ms (default 5). */
  chunkDelayMs?: number
  /** Replace or add operations. */
  operations?: Record<string, (request: SoapMockRequest) => SoapMockReply | Promise<SoapMockReply>>
}

const DEPARTMENTS = ['Finance', 'Operations', 'R&D', 'Sales <EMEA>']
const FIRST = ['Ada', 'Björn', 'Chloé', 'Dmitri', 'Eun-ji', 'Farah']
const LAST = ['Lovelace', 'Fernández', "O'Neil", 'Nakamura', 'van der Berg']

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * One employee record. `style` varies how the namespace is written: the `e:` prefix of the response, another
 * prefix declared on the record, or a default namespace, so that a client must resolve namespaces, not prefixes.
 */
export function employeeXml(i: number, style: 'prefix' | 'other-prefix' | 'default' = 'prefix'): string {
  const p = style === 'prefix' ? 'e:' : style === 'other-prefix' ? 'x:' : ''
  const decl =
    style === 'other-prefix' ? ` xmlns:x="${EMPLOYEES_NS}"` : style === 'default' ? ` xmlns="${EMPLOYEES_NS}"` : ''
  const id = String(i + 1).padStart(10, '0')
  const first = FIRST[i % FIRST.length] as string
  const last = LAST[i % LAST.length] as string
  const nilEmail = i % 7 === 3
  const nilManager = i % 5 === 0
  const skills = i % 3 === 0 ? [] : i % 3 === 1 ? ['SOAP'] : ['SOAP', 'XSD', 'WS-Security']
  const notes =
    i % 4 === 0
      ? `<${p}Notes xsi:nil="true"/>`
      : i % 4 === 1
        ? `<${p}Notes><![CDATA[Prefers <b>bold</b> & "quotes"]]></${p}Notes>`
        : `<${p}Notes>${esc(`Reviewed ${i} times & counting <ok>`)}</${p}Notes>`
  return (
    `<${p}Employee${decl} version="${(i % 3) + 1}">` +
    `<${p}EmployeeId>${id}</${p}EmployeeId>` +
    `<${p}FirstName>${esc(first)}</${p}FirstName>` +
    `<${p}LastName>${esc(last)}</${p}LastName>` +
    (nilEmail
      ? `<${p}Email xsi:nil="true"/>`
      : `<${p}Email>${esc(`${first}.${i}@example.com`.toLowerCase())}</${p}Email>`) +
    `<${p}Department>${esc(DEPARTMENTS[i % DEPARTMENTS.length] as string)}</${p}Department>` +
    `<${p}Salary>${40000 + ((i * 7919) % 90000)}.${String(i % 100).padStart(2, '0')}</${p}Salary>` +
    `<${p}HireDate>20${String(10 + (i % 14)).padStart(2, '0')}-0${(i % 9) + 1}-1${i % 9}</${p}HireDate>` +
    (nilManager
      ? `<${p}ManagerId xsi:nil="true"/>`
      : `<${p}ManagerId>${String((i % 50) + 1).padStart(10, '0')}</${p}ManagerId>`) +
    `<${p}Active>${i % 10 === 9 ? 'false' : 'true'}</${p}Active>` +
    `<${p}Status>${i % 10 === 9 ? 'terminated' : 'active'}</${p}Status>` +
    `<${p}LastModified>2024-05-0${(i % 9) + 1}T10:15:${String(i % 60).padStart(2, '0')}Z</${p}LastModified>` +
    notes +
    skills.map((s) => `<${p}Skill>${s}</${p}Skill>`).join('') +
    `</${p}Employee>`
  )
}

function envelope(version: '1.1' | '1.2', inner: string): string {
  const ns = version === '1.1' ? SOAP11 : SOAP12
  const p = version === '1.1' ? 'soap' : 'env'
  return `<?xml version="1.0" encoding="utf-8"?><${p}:Envelope xmlns:${p}="${ns}" xmlns:xsi="${XSI}"><${p}:Body>${inner}</${p}:Body></${p}:Envelope>`
}

function faultXml(version: '1.1' | '1.2', fault: SoapMockFault): string {
  if (version === '1.1') {
    const code = fault.code === 'Sender' ? 'Client' : fault.code === 'Receiver' ? 'Server' : fault.code
    return envelope(
      '1.1',
      `<soap:Fault><faultcode>soap:${code}</faultcode><faultstring xml:lang="en">${esc(fault.reason)}</faultstring>` +
        `<faultactor>urn:example:hr:employees-service</faultactor>` +
        (fault.detail ? `<detail>${fault.detail}</detail>` : '') +
        '</soap:Fault>',
    )
  }
  const code = fault.code === 'Client' ? 'Sender' : fault.code === 'Server' ? 'Receiver' : fault.code
  return envelope(
    '1.2',
    `<env:Fault xmlns:hr="${EMPLOYEES_NS}"><env:Code><env:Value>env:${code}</env:Value>` +
      (fault.subcode ? `<env:Subcode><env:Value>hr:${fault.subcode}</env:Value></env:Subcode>` : '') +
      `</env:Code><env:Reason><env:Text xml:lang="de">Anfrage abgelehnt</env:Text><env:Text xml:lang="en">${esc(fault.reason)}</env:Text></env:Reason>` +
      `<env:Role>urn:example:hr:employees-service</env:Role>` +
      (fault.detail ? `<env:Detail>${fault.detail}</env:Detail>` : '') +
      '</env:Fault>',
  )
}

function reply(version: '1.1' | '1.2', result: SoapMockReply): Response {
  if (result instanceof Response) return result
  const type = version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8'
  if ('fault' in result) {
    return new HttpResponse(faultXml(version, result.fault), {
      status: result.fault.status ?? 500,
      headers: { 'content-type': type },
    })
  }
  return new HttpResponse(envelope(version, result.body), { status: 200, headers: { 'content-type': type } })
}

function employeeFault(departmentId: string, status?: number): SoapMockReply {
  return {
    fault: {
      code: 'Client',
      subcode: 'UnknownDepartment',
      reason: `Department ${departmentId} does not exist`,
      detail: `<hr:EmployeeFault xmlns:hr="${EMPLOYEES_NS}"><hr:Code>HR-404</hr:Code><hr:DepartmentId>${esc(departmentId)}</hr:DepartmentId></hr:EmployeeFault>`,
      ...(status === undefined ? {} : { status }),
    },
  }
}

/** A PDF-looking attachment with every byte value in it, so that a text decoding would show. */
export function payslipBytes(employeeId: string): Buffer {
  const head = Buffer.from(`%PDF-1.4\n% payslip ${employeeId}\n`, 'latin1')
  const all = Buffer.alloc(256)
  for (let i = 0; i < 256; i++) all[i] = i
  return Buffer.concat([head, all, Buffer.from('\r\n--not-a-boundary\r\n%%EOF\n', 'latin1')])
}

function mtomReply(version: '1.1' | '1.2', employeeId: string): Response {
  const boundary = 'MIMEBoundary_fieldkit_7c1e'
  const rootId = 'root.message@fieldkit'
  const cid = `payslip-${employeeId}@fieldkit`
  const type = version === '1.1' ? 'text/xml' : 'application/soap+xml'
  const xml = envelope(
    version,
    `<e:GetPayslipResponse xmlns:e="${EMPLOYEES_NS}"><e:FileName>payslip-${esc(employeeId)}.pdf</e:FileName>` +
      `<e:Content><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:${encodeURIComponent(cid)}"/></e:Content></e:GetPayslipResponse>`,
  )
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="${type}"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${rootId}>\r\n\r\n${xml}\r\n` +
        `--${boundary}\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${cid}>\r\n\r\n`,
      'utf8',
    ),
    payslipBytes(employeeId),
    Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'),
  ])
  return new HttpResponse(body, {
    status: 200,
    headers: {
      'content-type': `multipart/related; type="application/xop+xml"; boundary="${boundary}"; start="<${rootId}>"; start-info="${type}"`,
    },
  })
}

/**
 * The mock employees SOAP service, described by {@link employeesWsdl}: `POST /soap/employees` (SOAP 1.1),
 * `/soap12/employees` (1.2), and `/soap/secure/employees`, `/soap12/secure/employees` that check a WS-Security
 * UsernameToken (digest really recomputed, nonce replay refused). `GET /soap/employees?wsdl` serves the WSDL.
 *
 * `GetEmployees` by `departmentId`: `0042` three records written with different prefixes and a default namespace,
 * nils, CDATA; `0001` exactly one record; `0000` none; `9999` a fault with detail (HTTP 500); `9998` the same fault
 * with HTTP 200; `large` a slow, large answer (`count` records, dripped in chunks). `GetPayslip` answers MTOM.
 *
 * @example
 * ```ts
 * const mock = await serve(soapEmployees())
 * // POST ${mock.url}/soap/employees with SOAPAction "urn:example:hr:employees:v1/GetEmployees"
 * ```
 */
export function soapEmployees(options: SoapEmployeesOptions = {}): RequestHandler[] {
  const users = options.users ?? { 'hr-service': 'correct horse' }
  const largeCount = options.largeCount ?? 5000
  const chunkRecords = options.chunkRecords ?? 250
  const chunkDelayMs = options.chunkDelayMs ?? 5
  const seenNonces = new Map<string, number>()

  const operations: Record<string, (r: SoapMockRequest) => SoapMockReply | Promise<SoapMockReply>> = {
    GetEmployees: ({ params, version, signal }) => {
      const dept = params.departmentId ?? ''
      const wrap = (records: string, total: number) =>
        `<e:GetEmployeesResponse xmlns:e="${EMPLOYEES_NS}">${records}<e:Total>${total}</e:Total></e:GetEmployeesResponse>`
      if (dept === '0042') {
        return { body: wrap(employeeXml(0, 'prefix') + employeeXml(1, 'other-prefix') + employeeXml(2, 'default'), 3) }
      }
      if (dept === '0001') return { body: wrap(employeeXml(1, 'prefix'), 1) }
      if (dept === '0000') return { body: wrap('', 0) }
      if (dept === '9998') return employeeFault(dept, 200)
      if (dept === 'large') {
        const count = Number.parseInt(params.count ?? '', 10) || largeCount
        return largeAnswer(version, count, { chunkRecords, chunkDelayMs, signal })
      }
      return employeeFault(dept)
    },
    GetPayslip: ({ params, version }) => mtomReply(version, params.employeeId ?? '0000000000'),
    ...options.operations,
  }

  const handle =
    (version: '1.1' | '1.2', secure: boolean) =>
    async ({ request }: { request: Request }) => {
      const text = await request.text()
      const type = request.headers.get('content-type') ?? ''
      const expectedType = version === '1.1' ? 'text/xml' : 'application/soap+xml'
      if (!type.toLowerCase().startsWith(expectedType)) {
        return new HttpResponse(`expected Content-Type ${expectedType}`, {
          status: 415,
          headers: { 'content-type': 'text/plain' },
        })
      }
      const envNs = version === '1.1' ? SOAP11 : SOAP12
      if (envelopeNamespace(text) !== envNs) {
        return reply(version, {
          fault: { code: 'Client', reason: 'VersionMismatch: the envelope namespace does not match this endpoint' },
        })
      }
      const op =
        /<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([\w.-]+)\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?\1>\s*<\/(?:[\w.-]+:)?Body>/.exec(
          text,
        )
      const opEmpty = /<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([\w.-]+)\b[^>]*\/>/.exec(text)
      const operation = op?.[1] ?? opEmpty?.[1]
      if (operation === undefined || !Object.hasOwn(operations, operation)) {
        return reply(version, { fault: { code: 'Client', reason: `Unknown operation ${operation ?? '(none)'}` } })
      }
      const action = `${EMPLOYEES_NS}/${operation}`
      const sentAction = soapActionOf(version, request.headers)
      if (sentAction !== action) {
        return reply(version, {
          fault: { code: 'Client', reason: `SOAPAction "${sentAction}" does not match operation ${operation}` },
        })
      }
      let username: string | undefined
      if (secure) {
        const check = verifyUsernameToken(text, users, { seenNonces })
        if (!check.ok) {
          return reply(version, {
            fault: {
              code: 'Client',
              subcode: 'FailedAuthentication',
              reason: 'The security token could not be authenticated or authorized',
              detail: `<hr:AuthFailure xmlns:hr="${EMPLOYEES_NS}"><hr:Reason>${failureCode(check.reason, text)}</hr:Reason></hr:AuthFailure>`,
            },
          })
        }
        username = check.username
      }
      const params = operationParams(op?.[2] ?? '')
      const handler = operations[operation] as (r: SoapMockRequest) => SoapMockReply | Promise<SoapMockReply>
      return reply(
        version,
        await handler({ operation, params, version, signal: request.signal, ...(username ? { username } : {}) }),
      )
    }

  return [
    http.get('*/soap/employees', ({ request }) =>
      HttpResponse.text(employeesWsdl(new URL(request.url).origin), {
        headers: { 'content-type': 'text/xml; charset=utf-8' },
      }),
    ),
    http.post('*/soap/employees', handle('1.1', false)),
    http.post('*/soap12/employees', handle('1.2', false)),
    http.post('*/soap/secure/employees', handle('1.1', true)),
    http.post('*/soap12/secure/employees', handle('1.2', true)),
  ]
}

/**
 * The short code the service has always put in its fault's `hr:Reason` (clients and tests match on it), from the
 * shared verifier's reason: a wrong password is `bad-digest` or `bad-password` after the Type that was sent.
 */
function failureCode(reason: string, envelope: string): string {
  if (reason === 'wrong user name or password') return /#PasswordDigest/.test(envelope) ? 'bad-digest' : 'bad-password'
  if (/replay/.test(reason)) return 'replayed-nonce'
  if (/^Created is (older|in the future)/.test(reason)) return 'stale-created'
  if (/needs Nonce and Created/.test(reason)) return 'missing-nonce-or-created'
  if (/no wsse:Security|no SOAP Header/.test(reason)) return 'missing-security-header'
  return 'invalid-username-token'
}

/** The `large` answer: the envelope opened, `count` records dripped in chunks, then closed (streams stay open). */
function largeAnswer(
  version: '1.1' | '1.2',
  count: number,
  { chunkRecords, chunkDelayMs, signal }: { chunkRecords: number; chunkDelayMs: number; signal: AbortSignal },
): Response {
  const encoder = new TextEncoder()
  let next = 0
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (signal.aborted) return controller.close()
      if (next === 0) {
        const head = envelope(version, `<e:GetEmployeesResponse xmlns:e="${EMPLOYEES_NS}">`).split(
          '</e:GetEmployeesResponse>',
        )[0] as string
        controller.enqueue(encoder.encode(head.replace(/<\/(soap|env):Body><\/(soap|env):Envelope>$/, '')))
      }
      if (next >= count) {
        const p = version === '1.1' ? 'soap' : 'env'
        controller.enqueue(
          encoder.encode(`<e:Total>${count}</e:Total></e:GetEmployeesResponse></${p}:Body></${p}:Envelope>`),
        )
        return controller.close()
      }
      if (next > 0 && chunkDelayMs > 0) await delay(chunkDelayMs)
      const parts: string[] = []
      const end = Math.min(count, next + chunkRecords)
      for (; next < end; next++)
        parts.push(employeeXml(next, next % 3 === 0 ? 'prefix' : next % 3 === 1 ? 'other-prefix' : 'default'))
      controller.enqueue(encoder.encode(parts.join('')))
    },
  })
  const type = version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8'
  return new HttpResponse(stream, { status: 200, headers: { 'content-type': type } })
}

/** The namespace of the envelope's root element (it must be the one of the endpoint's SOAP version). */
function envelopeNamespace(text: string): string | undefined {
  const root = /<(?:([\w.-]+):)?Envelope\b[^>]*>/.exec(text)
  if (!root) return undefined
  return new RegExp(`xmlns${root[1] ? `:${root[1]}` : ''}="([^"]*)"`).exec(root[0])?.[1]
}

/** The action a client sent: the SOAPAction header in SOAP 1.1, the `action` of the content type in SOAP 1.2. */
function soapActionOf(version: '1.1' | '1.2', headers: Headers): string {
  if (version === '1.1') return (headers.get('soapaction') ?? '').replace(/^"|"$/g, '')
  return /;\s*action="?([^";]*)"?/.exec(headers.get('content-type') ?? '')?.[1] ?? ''
}

/** The operation's simple parameters by element name, in a null-prototype object (names come from the document). */
function operationParams(xml: string): Record<string, string> {
  const params: Record<string, string> = Object.create(null)
  for (const m of xml.matchAll(/<(?:[\w.-]+:)?([\w.-]+)(?:\s[^>]*)?>([^<]*)<\/(?:[\w.-]+:)?\1>/g)) {
    params[m[1] as string] = (m[2] as string).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
  }
  return params
}
