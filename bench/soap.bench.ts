import { createSoapClient, parseEnvelope, streamRecords } from '@fieldkit/soap'
import { XMLParser } from 'fast-xml-parser'
import sax from 'sax'
import { SaxesParser } from 'saxes'
import soap from 'soap'
import { compare } from './harness'
import { BEFORE, type SoapEntryPoints, soapAt } from './soap-before'

// A deterministic SOAP 1.1 response in the shape of ../shared/peer-bench/gen/xml.mjs: soap:Header, then
// ns:GetEmployeesResponse with 20,000 ns:Employee records of 11 fields; ~20% ManagerId, ~5% Email and ~30% Notes
// are xsi:nil, Notes carry entities and (one in ten) CDATA, names are non-ASCII.
const EMP_NS = 'urn:example:hr:employees:v1'
const RECORDS = 20_000
const FIRST = ['Richard', 'Björn', 'Chloé', 'Dmitri', 'Eun-ji', 'Farah', 'Zoë', 'Łukasz', 'Ngozi', 'Søren']
const LAST = ['Davis', 'Fernández', "O'Neil", 'Nakamura', 'van der Berg', 'Müller', 'Øvergaard', 'Dubois']
const DEPT = ['Finance', 'Operations', 'R&D', 'Sales', 'Legal & Compliance', 'IT']
const WORDS =
  'address shipped urgent updated requested changed naïve rejected payment déjà by the account pending'.split(' ')

export function generate(): string {
  let seed = 20240502
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ')
  const parts = [
    `<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n` +
      `<soap:Header><h:ResponseHeader xmlns:h="urn:example:hr:headers:v1"><h:RequestId>7f3c2a9e-5b1d-4c8e-9a0f-1e2d3c4b5a69</h:RequestId></h:ResponseHeader></soap:Header>\n` +
      `<soap:Body>\n<ns:GetEmployeesResponse xmlns:ns="${EMP_NS}">\n`,
  ]
  for (let i = 0; i < RECORDS; i++) {
    const first = pick(FIRST)
    const last = pick(LAST)
    const notesText = `${words(2 + Math.floor(next() * 8))} & ${words(3)} <ref> "${words(2)}"`
    const notes =
      next() < 0.3
        ? '<ns:Notes xsi:nil="true"/>'
        : next() < 0.1
          ? `<ns:Notes><![CDATA[${notesText}]]></ns:Notes>`
          : `<ns:Notes>${esc(notesText)}</ns:Notes>`
    parts.push(
      `<ns:Employee>\n<ns:EmployeeId>${String(i + 1).padStart(10, '0')}</ns:EmployeeId>\n<ns:FirstName>${esc(first)}</ns:FirstName>\n<ns:LastName>${esc(last)}</ns:LastName>\n` +
        (next() < 0.05
          ? '<ns:Email xsi:nil="true"/>\n'
          : `<ns:Email>${first.toLowerCase().replace(/[^a-z]/g, '')}.${i}@example.com</ns:Email>\n`) +
        `<ns:Department>${esc(pick(DEPT))}</ns:Department>\n<ns:Salary>${20000 + Math.floor(next() * 230000)}.${String(Math.floor(next() * 100)).padStart(2, '0')}</ns:Salary>\n` +
        `<ns:HireDate>20${String(Math.floor(next() * 24)).padStart(2, '0')}-0${1 + Math.floor(next() * 9)}-1${Math.floor(next() * 9)}</ns:HireDate>\n` +
        (next() < 0.2
          ? '<ns:ManagerId xsi:nil="true"/>\n'
          : `<ns:ManagerId>${String(1 + Math.floor(next() * RECORDS)).padStart(10, '0')}</ns:ManagerId>\n`) +
        `<ns:Active>${next() < 0.9 ? 'true' : 'false'}</ns:Active>\n<ns:LastModified>2024-0${1 + Math.floor(next() * 9)}-1${Math.floor(next() * 9)}T10:15:30.${String(Math.floor(next() * 1000)).padStart(3, '0')}Z</ns:LastModified>\n${notes}\n</ns:Employee>\n`,
    )
  }
  parts.push('</ns:GetEmployeesResponse>\n</soap:Body>\n</soap:Envelope>\n')
  return parts.join('')
}

// The WSDL the soap package and the typed Fieldkit client read (as ../shared/peer-bench/contenders/employees.wsdl).
export const WSDL = `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="${EMP_NS}" targetNamespace="${EMP_NS}">
  <wsdl:types><xsd:schema targetNamespace="${EMP_NS}" elementFormDefault="qualified">
    <xsd:complexType name="Employee"><xsd:sequence>
      <xsd:element name="EmployeeId" type="xsd:string"/><xsd:element name="FirstName" type="xsd:string"/><xsd:element name="LastName" type="xsd:string"/>
      <xsd:element name="Email" type="xsd:string" nillable="true"/><xsd:element name="Department" type="xsd:string"/><xsd:element name="Salary" type="xsd:decimal"/>
      <xsd:element name="HireDate" type="xsd:date"/><xsd:element name="ManagerId" type="xsd:string" nillable="true"/><xsd:element name="Active" type="xsd:boolean"/>
      <xsd:element name="LastModified" type="xsd:dateTime"/><xsd:element name="Notes" type="xsd:string" nillable="true"/>
    </xsd:sequence></xsd:complexType>
    <xsd:element name="GetEmployees"><xsd:complexType><xsd:sequence><xsd:element name="Department" type="xsd:string" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
    <xsd:element name="GetEmployeesResponse"><xsd:complexType><xsd:sequence><xsd:element name="Employee" type="tns:Employee" minOccurs="0" maxOccurs="unbounded"/></xsd:sequence></xsd:complexType></xsd:element>
  </xsd:schema></wsdl:types>
  <wsdl:message name="GetEmployeesRequest"><wsdl:part name="parameters" element="tns:GetEmployees"/></wsdl:message>
  <wsdl:message name="GetEmployeesResponse"><wsdl:part name="parameters" element="tns:GetEmployeesResponse"/></wsdl:message>
  <wsdl:portType name="EmployeesPort"><wsdl:operation name="GetEmployees"><wsdl:input message="tns:GetEmployeesRequest"/><wsdl:output message="tns:GetEmployeesResponse"/></wsdl:operation></wsdl:portType>
  <wsdl:binding name="EmployeesBinding" type="tns:EmployeesPort"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="GetEmployees"><soap:operation soapAction="${EMP_NS}/GetEmployees"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="EmployeesService"><wsdl:port name="EmployeesPort" binding="tns:EmployeesBinding"><soap:address location="http://127.0.0.1:8080/employees"/></wsdl:port></wsdl:service>
</wsdl:definitions>`

const RECORD_PATH = 'GetEmployeesResponse/Employee'

/** Parse + normalise, the streaming iterator and the tokenizers, against raw fast-xml-parser and the soap package. */
export default async function main(): Promise<void> {
  const xml = generate()
  const bytes = Buffer.from(xml)
  const mb = bytes.length / 1e6
  const check = (name: string, records: number, firstId: unknown) => {
    if (records !== RECORDS || firstId !== '0000000001')
      throw new Error(`bench soap: ${name} gave ${records} records, first id ${String(firstId)}`)
  }

  const fxp = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (_name, jpath) => jpath === 'Envelope.Body.GetEmployeesResponse.Employee',
  })
  let wsdl:
    | { xmlToObject(xml: string): { Body: { GetEmployeesResponse: { Employee: { EmployeeId: string }[] } } } }
    | undefined
  // The typed Fieldkit client on an in-memory transport: the whole response path (bytes → typed objects).
  const typed = createSoapClient({
    wsdl: WSDL,
    transport: {
      send: async () => ({ status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: bytes }),
      stream: async () => ({
        status: 200,
        headers: {},
        body: (async function* () {
          yield bytes
        })(),
      }),
      close: async () => {},
    },
  })
  const chunks = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) =>
    bytes.subarray(i * 65536, (i + 1) * 65536),
  )

  await compare(
    [
      {
        name: 'fast-xml-parser 5.12 (SOAP options, prefixes cut)',
        base: true,
        run: () => {
          const list = fxp.parse(xml).Envelope.Body.GetEmployeesResponse.Employee
          check('fast-xml-parser', list.length, list[0].EmployeeId)
          return mb
        },
      },
      {
        name: '@fieldkit/soap parseEnvelope (namespaces resolved, arrays, nils)',
        run: () => {
          const list = (
            parseEnvelope(xml, { arrays: [RECORD_PATH] }).body.GetEmployeesResponse as {
              Employee: { EmployeeId: string }[]
            }
          ).Employee
          check('parseEnvelope', list.length, list[0]?.EmployeeId)
          return mb
        },
      },
      {
        name: '@fieldkit/soap client.call, WSDL-typed (bytes → Date, boolean)',
        run: async () => {
          const out = await typed.call<{ Employee: { EmployeeId: string }[] }>('GetEmployees', {})
          check('client.call', out.Employee.length, out.Employee[0]?.EmployeeId)
          return mb
        },
      },
      {
        name: 'soap 1.13 WSDL#xmlToObject (schema-typed)',
        setup: async () => {
          const w = new soap.WSDL(WSDL, 'employees.wsdl', {})
          await new Promise<void>((ok, ko) => w.onReady((err: unknown) => (err ? ko(err) : ok())))
          wsdl = w as unknown as typeof wsdl
        },
        run: () => {
          const list = wsdl?.xmlToObject(xml).Body.GetEmployeesResponse.Employee ?? []
          check('soap', list.length, list[0]?.EmployeeId)
          return mb
        },
      },
      {
        name: '@fieldkit/soap streamRecords (saxes, 64 KiB chunks)',
        run: async () => {
          let records = 0
          let firstId: unknown
          for await (const r of streamRecords<{ EmployeeId: string }>(chunks, { record: RECORD_PATH })) {
            if (records === 0) firstId = r.EmployeeId
            records++
          }
          check('streamRecords', records, firstId)
          return mb
        },
      },
      {
        name: 'saxes 6 tokenise only',
        run: () => {
          const p = new SaxesParser()
          let records = 0
          p.on('opentag', (t) => {
            if (t.name === 'ns:Employee') records++
          })
          p.on('text', () => {})
          p.write(xml).close()
          check('saxes', records, '0000000001')
          return mb
        },
      },
      {
        name: 'sax 1.6 (strict) tokenise only',
        run: () => {
          const p = sax.parser(true)
          let records = 0
          p.onopentag = (t) => {
            if (t.name === 'ns:Employee') records++
          }
          p.ontext = () => {}
          p.write(xml).close()
          check('sax', records, '0000000001')
          return mb
        },
      },
    ],
    {
      title: `SOAP 1.1 response, ${mb.toFixed(1)} MB, ${RECORDS.toLocaleString('en-US')} records (nils, CDATA, entities, namespaces), string in memory`,
      unit: 'MB',
      rounds: 5,
      warmup: 1,
      notes: [
        'Ratios are paired per round (each contender against fast-xml-parser in the same round); on a shared two-core machine the ratios matter more than MB/s.',
        'parseEnvelope and client.call include the safety pre-scan (limits, no DOCTYPE, well-formedness with line/column).',
      ],
    },
  )
  await typed.close()
  await beforeAndNow(xml, chunks, mb)
}

/** One version's three timed entry points over the same response. */
function entryPoints(soap: SoapEntryPoints, xml: string, chunks: Buffer[]) {
  const bytes = Buffer.from(xml)
  const client = soap.createSoapClient({
    wsdl: WSDL,
    transport: {
      send: async () => ({ status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: bytes }),
      stream: async () => ({ status: 200, headers: {}, body: (async function* () {})() }),
      close: async () => {},
    },
  })
  const check = (name: string, records: number, firstId: unknown) => {
    if (records !== RECORDS || firstId !== '0000000001')
      throw new Error(`bench soap: ${name} gave ${records} records, first id ${String(firstId)}`)
  }
  const runs: Record<'parseEnvelope' | 'client.call' | 'streamRecords', () => Promise<void>> = {
    parseEnvelope: async () => {
      const body = soap.parseEnvelope(xml, { arrays: [RECORD_PATH] }).body.GetEmployeesResponse as {
        Employee: { EmployeeId: string }[]
      }
      check('parseEnvelope', body.Employee.length, body.Employee[0]?.EmployeeId)
    },
    'client.call': async () => {
      const out = await client.call<{ Employee: { EmployeeId: string }[] }>('GetEmployees', {})
      check('client.call', out.Employee.length, out.Employee[0]?.EmployeeId)
    },
    streamRecords: async () => {
      let records = 0
      let firstId: unknown
      for await (const r of soap.streamRecords<{ EmployeeId: string }>(chunks, { record: RECORD_PATH })) {
        if (records === 0) firstId = r.EmployeeId
        records++
      }
      check('streamRecords', records, firstId)
    },
  }
  return { runs, close: () => client.close() }
}

/**
 * Issue 16: CPU per MB of today's parseEnvelope, client.call and streamRecords within 10% of the package at
 * {@link BEFORE}, loaded from git beside today's. Paired: in each round each entry point runs once in each version
 * (the order alternating round by round), and the figure is the median of the rounds' ratios.
 */
async function beforeAndNow(xml: string, chunks: Buffer[], mb: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc
  const now = entryPoints(await import('@fieldkit/soap'), xml, chunks)
  const before = entryPoints(await soapAt(BEFORE), xml, chunks)
  const cpu = async (run: () => Promise<void>) => {
    gc?.()
    const start = process.cpuUsage()
    await run()
    const used = process.cpuUsage(start)
    return (used.user + used.system) / mb
  }
  const names = Object.keys(now.runs) as (keyof typeof now.runs)[]
  for (const name of names) {
    await before.runs[name]()
    await now.runs[name]()
  }
  const rounds = 7
  const ratios = new Map(names.map((n) => [n, [] as number[]]))
  const perMb = new Map(names.map((n) => [n, { before: [] as number[], now: [] as number[] }]))
  for (let round = 0; round < rounds; round++)
    for (const name of names) {
      const first = round % 2 === 0 ? before : now
      const a = await cpu(first.runs[name])
      const b = await cpu((first === before ? now : before).runs[name])
      const [was, is] = first === before ? [a, b] : [b, a]
      ratios.get(name)?.push(is / was)
      perMb.get(name)?.before.push(was)
      perMb.get(name)?.now.push(is)
    }
  await now.close()
  await before.close()
  const median = (xs: number[]) => {
    const s = [...xs].sort((x, y) => x - y)
    const m = Math.floor(s.length / 2)
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
  }
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
  console.log(
    [
      `### SOAP CPU per MB: today against ${BEFORE} (loaded from git), ${rounds} paired rounds`,
      '',
      `| entry point | CPU µs/MB at ${BEFORE} (median) | CPU µs/MB now (median) | now ÷ before (median of paired rounds) |`,
      '| --- | ---: | ---: | ---: |',
      ...names.map((n) => {
        const r = median(ratios.get(n) ?? [])
        const m = perMb.get(n) ?? { before: [], now: [] }
        return `| ${n} | ${fmt(median(m.before))} | ${fmt(median(m.now))} | ratio ${r.toFixed(2)}× (target ≤ 1.10×) |`
      }),
      '',
      '_Each round runs every entry point once in each version, the order alternating by round; a shared machine hits both sides of a ratio alike._',
      '',
    ].join('\n'),
  )
}
