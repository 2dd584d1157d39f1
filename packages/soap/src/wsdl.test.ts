import { execFile } from 'node:child_process'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { employeesWsdl } from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSoapClient } from './client'
import { generateTypes } from './generate-types'
import { readWsdl } from './wsdl'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../../..')
let dir: string

const XSD = 'http://www.w3.org/2001/XMLSchema'
const WSDL_HEAD = `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:xsd="${XSD}"`

const files: Record<string, string> = {
  // A WSDL split the way enterprise services ship them: the service imports the abstract WSDL, whose types import
  // one schema and include another; an rpc/literal binding and a SOAP 1.2 binding sit beside the document one.
  'service.wsdl': `<?xml version="1.0"?>
${WSDL_HEAD} xmlns:tns="urn:pay" targetNamespace="urn:pay">
  <wsdl:import namespace="urn:pay" location="abstract/pay.wsdl"/>
  <wsdl:binding name="PayDoc" type="tns:PayPort">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="GetPayments"><soap:operation soapAction="urn:pay/GetPayments"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  </wsdl:binding>
  <wsdl:binding name="PayDoc12" type="tns:PayPort">
    <soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="GetPayments"><soap12:operation soapAction="urn:pay/GetPayments12"/><wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>
  </wsdl:binding>
  <wsdl:binding name="PayRpc" type="tns:RpcPort">
    <soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Ping"><soap:operation soapAction="urn:pay/Ping"/><wsdl:input><soap:body use="literal" namespace="urn:pay:rpc"/></wsdl:input><wsdl:output><soap:body use="literal" namespace="urn:pay:rpc"/></wsdl:output></wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="Payments">
    <wsdl:port name="Doc" binding="tns:PayDoc"><soap:address location="https://pay.example/doc"/></wsdl:port>
    <wsdl:port name="Doc12" binding="tns:PayDoc12"><soap12:address location="https://pay.example/doc12"/></wsdl:port>
  </wsdl:service>
  <wsdl:service name="Health">
    <wsdl:port name="Rpc" binding="tns:PayRpc"><soap:address location="https://pay.example/rpc"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>`,
  'abstract/pay.wsdl': `<?xml version="1.0"?>
${WSDL_HEAD} xmlns:tns="urn:pay" xmlns:c="urn:common" targetNamespace="urn:pay">
  <wsdl:types>
    <xsd:schema targetNamespace="urn:pay" elementFormDefault="qualified">
      <xsd:import namespace="urn:common" schemaLocation="../xsd/common.xsd"/>
      <xsd:include schemaLocation="../xsd/payment.xsd"/>
      <xsd:element name="GetPayments"><xsd:complexType><xsd:sequence><xsd:element name="since" type="xsd:dateTime"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="GetPaymentsResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="Payment" type="tns:Payment" minOccurs="0" maxOccurs="unbounded"/>
        <xsd:element name="NextPage" type="xsd:string" minOccurs="0"/>
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="GetPaymentsIn"><wsdl:part name="parameters" element="tns:GetPayments"/></wsdl:message>
  <wsdl:message name="GetPaymentsOut"><wsdl:part name="parameters" element="tns:GetPaymentsResponse"/></wsdl:message>
  <wsdl:message name="PingIn"><wsdl:part name="echo" type="xsd:string"/></wsdl:message>
  <wsdl:message name="PingOut"><wsdl:part name="echo" type="xsd:string"/><wsdl:part name="at" type="xsd:dateTime"/></wsdl:message>
  <wsdl:portType name="PayPort"><wsdl:operation name="GetPayments"><wsdl:input message="tns:GetPaymentsIn"/><wsdl:output message="tns:GetPaymentsOut"/></wsdl:operation></wsdl:portType>
  <wsdl:portType name="RpcPort"><wsdl:operation name="Ping"><wsdl:input message="tns:PingIn"/><wsdl:output message="tns:PingOut"/></wsdl:operation></wsdl:portType>
</wsdl:definitions>`,
  'xsd/common.xsd': `<?xml version="1.0"?>
<xsd:schema xmlns:xsd="${XSD}" targetNamespace="urn:common" elementFormDefault="qualified">
  <xsd:simpleType name="Currency"><xsd:restriction base="xsd:string"><xsd:enumeration value="EUR"/><xsd:enumeration value="GBP"/></xsd:restriction></xsd:simpleType>
  <xsd:complexType name="Money"><xsd:simpleContent><xsd:extension base="xsd:decimal"><xsd:attribute name="currency" type="xsd:string" use="required"/></xsd:extension></xsd:simpleContent></xsd:complexType>
</xsd:schema>`,
  'xsd/payment.xsd': `<?xml version="1.0"?>
<xsd:schema xmlns:xsd="${XSD}" xmlns:c="urn:common" xmlns:tns="urn:pay" elementFormDefault="qualified">
  <xsd:complexType name="Entity"><xsd:sequence><xsd:element name="id" type="xsd:long"/></xsd:sequence></xsd:complexType>
  <xsd:complexType name="Payment">
    <xsd:complexContent><xsd:extension base="tns:Entity"><xsd:sequence>
      <xsd:element name="amount" type="c:Money"/>
      <xsd:element name="currency" type="c:Currency"/>
      <xsd:element name="booked" type="xsd:boolean"/>
      <xsd:element name="receipt" type="xsd:base64Binary" nillable="true"/>
      <xsd:element name="tag" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>
      <xsd:element name="parent" type="tns:Payment" minOccurs="0"/>
      <xsd:choice><xsd:element name="iban" type="xsd:string"/><xsd:element name="card" type="xsd:string"/></xsd:choice>
    </xsd:sequence></xsd:extension></xsd:complexContent>
    <xsd:attribute name="version" type="xsd:int"/>
  </xsd:complexType>
</xsd:schema>`,
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fk-soap-wsdl-'))
  for (const [name, text] of Object.entries(files)) {
    const file = join(dir, name)
    await import('node:fs/promises').then((fs) => fs.mkdir(dirname(file), { recursive: true }))
    await writeFile(file, text)
  }
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('readWsdl', () => {
  it('follows wsdl:import, xsd:import and xsd:include (chameleon) from local files', async () => {
    const desc = await readWsdl(join(dir, 'service.wsdl'))
    expect(desc.documents).toHaveLength(4)
    expect([...desc.types.keys()].sort()).toEqual([
      '{urn:common}Currency',
      '{urn:common}Money',
      '{urn:pay}Entity',
      '{urn:pay}Payment',
    ])
    expect(desc.services.map((s) => [s.name, s.ports.map((p) => [p.name, p.version, p.address])])).toEqual([
      [
        'Payments',
        [
          ['Doc', '1.1', 'https://pay.example/doc'],
          ['Doc12', '1.2', 'https://pay.example/doc12'],
        ],
      ],
      ['Health', [['Rpc', '1.1', 'https://pay.example/rpc']]],
    ])
  })

  it('lists operations per binding with soapAction, version, style and message elements', async () => {
    const desc = await readWsdl(join(dir, 'service.wsdl'))
    expect(desc.operations.map((o) => [o.name, o.binding, o.version, o.style, o.soapAction])).toEqual([
      ['GetPayments', 'PayDoc', '1.1', 'document', 'urn:pay/GetPayments'],
      ['GetPayments', 'PayDoc12', '1.2', 'document', 'urn:pay/GetPayments12'],
      ['Ping', 'PayRpc', '1.1', 'rpc', 'urn:pay/Ping'],
    ])
    const doc = desc.operations[0]
    expect(doc?.input?.element).toEqual({ namespace: 'urn:pay', name: 'GetPayments' })
    expect(doc?.output?.element).toEqual({ namespace: 'urn:pay', name: 'GetPaymentsResponse' })
    const rpc = desc.operations[2]
    expect(rpc?.namespace).toBe('urn:pay:rpc')
    expect(rpc?.output?.parts.map((p) => p.name)).toEqual(['echo', 'at'])
  })

  it('refuses a remote import from a host not in allowHosts, and reads it from one that is', async () => {
    const remote = `${WSDL_HEAD} targetNamespace="urn:r"><wsdl:import namespace="urn:x" location="https://schemas.example/x.wsdl"/></wsdl:definitions>`
    await expect(readWsdl(remote)).rejects.toMatchObject({
      code: 'FK_SOAP_WSDL_HOST',
      details: { host: 'schemas.example' },
    })
    const fetched: string[] = []
    const desc = await readWsdl(remote, {
      allowHosts: ['schemas.example'],
      fetch: async (url) => {
        fetched.push(url.href)
        return `${WSDL_HEAD} targetNamespace="urn:x"/>`
      },
    })
    expect(fetched).toEqual(['https://schemas.example/x.wsdl'])
    expect(desc.documents).toHaveLength(2)
  })

  it('refuses a DOCTYPE in a WSDL and names a missing file', async () => {
    await expect(readWsdl(`<!DOCTYPE x>${WSDL_HEAD}/>`)).rejects.toMatchObject({ code: 'FK_XML_LIMIT' })
    await expect(readWsdl(join(dir, 'missing.wsdl'))).rejects.toMatchObject({ code: 'FK_SOAP_WSDL' })
  })
})

describe('a client on the WSDL', () => {
  it('writes rpc/literal calls (wrapper in the soap:body namespace, parts unqualified) and types the answer', async () => {
    const sent: { headers: Record<string, string>; body: string; url: string }[] = []
    const answer = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><r:PingResponse xmlns:r="urn:pay:rpc"><echo>hi</echo><at>2024-05-02T10:15:30Z</at></r:PingResponse></s:Body></s:Envelope>`
    const svc = createSoapClient({
      wsdl: join(dir, 'service.wsdl'),
      transport: {
        send: async (req) => {
          sent.push(req)
          return { status: 200, headers: { 'content-type': 'text/xml' }, body: Buffer.from(answer) }
        },
        stream: async () => {
          throw new Error('not used')
        },
        close: async () => {},
      },
    })
    await expect(svc.call('Ping', { echo: 'hi' })).resolves.toEqual({
      echo: 'hi',
      at: new Date('2024-05-02T10:15:30Z'),
    })
    expect(sent[0]?.url).toBe('https://pay.example/rpc')
    expect(sent[0]?.headers.soapaction).toBe('"urn:pay/Ping"')
    expect(sent[0]?.body).toContain('xmlns:m="urn:pay:rpc"><soap:Body><m:Ping><echo>hi</echo></m:Ping></soap:Body>')
  })

  it('picks the SOAP 1.2 binding when asked, with its action and address', async () => {
    const sent: { headers: Record<string, string>; url: string }[] = []
    const answer = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><p:GetPaymentsResponse xmlns:p="urn:pay"><p:Payment version="2"><p:id>12</p:id><p:amount currency="EUR">10.50</p:amount><p:currency>EUR</p:currency><p:booked>1</p:booked><p:receipt xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/><p:iban>DE00</p:iban></p:Payment></p:GetPaymentsResponse></s:Body></s:Envelope>`
    const svc = createSoapClient({
      wsdl: join(dir, 'service.wsdl'),
      version: '1.2',
      transport: {
        send: async (req) => {
          sent.push(req)
          return { status: 200, headers: { 'content-type': 'application/soap+xml' }, body: Buffer.from(answer) }
        },
        stream: async () => {
          throw new Error('not used')
        },
        close: async () => {},
      },
    })
    const out = await svc.call('GetPayments', { since: new Date('2024-01-01T00:00:00Z') })
    expect(sent[0]?.url).toBe('https://pay.example/doc12')
    expect(sent[0]?.headers['content-type']).toBe('application/soap+xml; charset=utf-8; action="urn:pay/GetPayments12"')
    expect(out).toEqual({
      Payment: [
        {
          '@version': 2,
          id: 12,
          amount: { '@currency': 'EUR', '#text': '10.50' },
          currency: 'EUR',
          booked: true,
          receipt: null,
          tag: [],
          iban: 'DE00',
        },
      ],
    })
  })
})

describe('generateTypes', () => {
  it('emits interfaces and zod schemas that compile under tsc --strict and accept parsed data', async () => {
    const cases = {
      'payments.ts': generateTypes(await readWsdl(join(dir, 'service.wsdl'))),
      'employees.ts': generateTypes(await readWsdl(employeesWsdl())),
      'employees-number.ts': generateTypes(await readWsdl(employeesWsdl()), { decimal: 'number' }),
    }
    const payments = cases['payments.ts']
    expect(payments).toContain('export interface Payment {')
    expect(payments).toContain('  id: number | bigint')
    expect(payments).toContain('  currency: "EUR" | "GBP"')
    expect(payments).toContain('  receipt: Buffer | null')
    expect(payments).toContain('  tag: Array<string>')
    expect(payments).toContain('  parent?: Payment | undefined')
    expect(payments).toContain('  iban?: string | undefined')
    expect(payments).toContain('  "@version"?: number | undefined')
    expect(payments).toContain('export interface Money {')
    expect(payments).toContain('  "#text"?: string | undefined')
    const work = await mkdtemp(join(tmpdir(), 'fk-soap-types-'))
    try {
      for (const [name, text] of Object.entries(cases)) await writeFile(join(work, name), text)
      await writeFile(
        join(work, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: 'ES2022',
            module: 'ESNext',
            moduleResolution: 'Bundler',
            types: ['node'],
            skipLibCheck: true,
            noUncheckedIndexedAccess: true,
            exactOptionalPropertyTypes: true,
            typeRoots: [join(repoRoot, 'node_modules/@types')],
          },
          include: ['*.ts'],
        }),
      )
      await symlink(join(repoRoot, 'packages/soap/node_modules'), join(work, 'node_modules'))
      const tsc = join(repoRoot, 'node_modules/.bin/tsc')
      const result = await promisify(execFile)(tsc, ['-p', join(work, 'tsconfig.json')]).catch(
        (e: { stdout: string; stderr: string }) => e,
      )
      expect(`${result.stdout}${result.stderr}`).toBe('')
      // The generated schema accepts what the client returns for the mock service.
      const mod = (await import(join(work, 'employees.ts'))) as {
        GetEmployeesResponseSchema: { parse(v: unknown): unknown }
      }
      expect(() =>
        mod.GetEmployeesResponseSchema.parse({
          Employee: [
            {
              '@version': 1,
              EmployeeId: '1',
              FirstName: 'A',
              LastName: 'B',
              Email: null,
              Department: 'D',
              Salary: '1.00',
              HireDate: '2020-01-01',
              ManagerId: null,
              Active: true,
              Status: 'active',
              LastModified: new Date(),
              Notes: null,
              Skill: [],
            },
          ],
          Total: 1,
        }),
      ).not.toThrow()
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }, 60_000)
})
