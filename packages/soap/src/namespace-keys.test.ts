import { rejection } from '@fieldkit/testing'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSoapClient } from './client'
import { parseEnvelope } from './envelope-parse'
import type { SoapError } from './errors'
import { generateTypes } from './generate-types'
import { envelope11, type Loopback, loopback } from './loopback.test-helper'
import { streamRecords } from './stream-records'
import { readWsdl } from './wsdl'

// Issue 16's case: an HR record and a payroll record, same local names, two namespace URIs.
const TWO_NAMESPACES = envelope11(
  '<hr:R xmlns:hr="urn:hr" xmlns:pay="urn:payroll"><hr:Employee><hr:id>E1</hr:id></hr:Employee><pay:Employee><pay:id>P9</pay:id></pay:Employee></hr:R>',
)
// One namespace under three spellings: still one key.
const ONE_NAMESPACE = envelope11(
  '<a:R xmlns:a="urn:hr"><a:Employee><a:id>E1</a:id></a:Employee><b:Employee xmlns:b="urn:hr"><b:id>E2</b:id></b:Employee><Employee xmlns="urn:hr"><id>E3</id></Employee></a:R>',
)

const clash = (error: unknown) => {
  expect((error as SoapError).code).toBe('FK_SOAP_NAMESPACE_CLASH')
  expect((error as SoapError).hint).toContain('namespaces')
  expect((error as SoapError).details).toMatchObject({ key: 'Employee', namespaces: ['urn:hr', 'urn:payroll'] })
}

const records = async (xml: string, options: Parameters<typeof streamRecords>[1]) => {
  const out: unknown[] = []
  for await (const r of streamRecords([xml], options)) out.push(r)
  return out
}

describe('two namespaces, one key (issue 16)', () => {
  it('parseEnvelope refuses to merge two namespaces under one key, with a hint to pass namespaces', () => {
    let error: unknown
    try {
      parseEnvelope(TWO_NAMESPACES)
    } catch (e) {
      error = e
    }
    clash(error)
  })

  it('parseEnvelope keeps them apart once either namespace is mapped', () => {
    expect(parseEnvelope(TWO_NAMESPACES, { namespaces: { 'urn:payroll': 'pay' } }).body).toEqual({
      R: { Employee: { id: 'E1' }, 'pay:Employee': { 'pay:id': 'P9' } },
    })
    expect(parseEnvelope(TWO_NAMESPACES, { namespaces: { 'urn:hr': 'hr', 'urn:payroll': '' } }).body).toEqual({
      'hr:R': { 'hr:Employee': { 'hr:id': 'E1' }, Employee: { id: 'P9' } },
    })
  })

  it('one namespace under different prefixes (and the default namespace) stays one key', async () => {
    const expected = [{ id: 'E1' }, { id: 'E2' }, { id: 'E3' }]
    expect(parseEnvelope(ONE_NAMESPACE).body).toEqual({ R: { Employee: expected } })
    expect(await records(ONE_NAMESPACE, { record: 'R/Employee' })).toEqual(expected)
  })

  it('streamRecords refuses two namespaces on the same record path', async () => {
    clash(await rejection(records(TWO_NAMESPACES, { record: 'R/Employee' })))
  })

  it('streamRecords yields only the mapped namespace once the other is named apart', async () => {
    const options = { record: 'R/Employee', namespaces: { 'urn:payroll': 'pay' } }
    expect(await records(TWO_NAMESPACES, options)).toEqual([{ id: 'E1' }])
    expect(await records(TWO_NAMESPACES, { ...options, record: 'R/pay:Employee' })).toEqual([{ 'pay:id': 'P9' }])
  })

  it('streamRecords refuses two namespaces under one key inside a record', async () => {
    const xml = envelope11(
      '<R xmlns="urn:hr"><Employee xmlns:pay="urn:payroll"><id>E1</id><pay:id>P9</pay:id></Employee></R>',
    )
    const error = await rejection(records(xml, { record: 'R/Employee' }))
    expect((error as SoapError).code).toBe('FK_SOAP_NAMESPACE_CLASH')
    expect(await records(xml, { record: 'R/Employee', namespaces: { 'urn:payroll': 'pay' } })).toEqual([
      { id: 'E1', 'pay:id': 'P9' },
    ])
  })

  it('two attributes of different namespaces with one local name are refused too', () => {
    const xml = envelope11('<R xmlns="urn:hr" xmlns:a="urn:a" xmlns:b="urn:b"><E a:id="1" b:id="2"/></R>')
    expect(() => parseEnvelope(xml)).toThrow(expect.objectContaining({ code: 'FK_SOAP_NAMESPACE_CLASH' }))
    expect(parseEnvelope(xml, { namespaces: { 'urn:b': 'b' } }).body).toEqual({
      R: { E: { '@id': '1', '@b:id': '2' } },
    })
  })

  it('a fault detail with two namespaces under one key is refused the same way', () => {
    const xml = envelope11(
      '<s:Fault><faultcode>s:Client</faultcode><faultstring>no</faultstring><detail><e:E xmlns:e="urn:e"><e:x>1</e:x><f:x xmlns:f="urn:f">2</f:x></e:E></detail></s:Fault>',
    )
    expect(() => parseEnvelope(xml, { throwOnFault: false })).toThrow(
      expect.objectContaining({ code: 'FK_SOAP_NAMESPACE_CLASH' }),
    )
  })

  describe('client.call', () => {
    let server: Loopback
    beforeAll(async () => {
      server = await loopback((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' })
        res.end(
          envelope11(
            '<hr:GetPeopleResponse xmlns:hr="urn:hr" xmlns:pay="urn:payroll"><hr:Employee><hr:id>E1</hr:id></hr:Employee><pay:Employee><pay:id>P9</pay:id></pay:Employee></hr:GetPeopleResponse>',
          ),
        )
      })
    })
    afterAll(() => server.close())

    it('refuses to merge, and keeps them apart with the namespaces option', async () => {
      const base = { endpoint: `${server.url}/soap`, namespace: 'urn:hr' }
      const plain = createSoapClient(base)
      clash(await rejection(plain.call('GetPeople', {})))
      await plain.close()
      const mapped = createSoapClient({ ...base, namespaces: { 'urn:payroll': 'pay' } })
      expect(await mapped.call('GetPeople', {})).toEqual({ Employee: { id: 'E1' }, 'pay:Employee': { 'pay:id': 'P9' } })
      await mapped.close()
    })
  })
})

// ---- The property: an independent builder of the expected value from a generated tree. ----

interface Tree {
  ns: number
  local: string
  /** Text for a leaf, children otherwise. */
  content: string | Tree[]
}
const URIS = ['urn:a', 'urn:b', 'urn:c']
const tree: fc.Memo<Tree> = fc.memo((depth) =>
  fc.record({
    ns: fc.nat(2),
    local: fc.constantFrom('x', 'y', 'Item'),
    content:
      depth <= 1
        ? fc.stringMatching(/^[a-z0-9]{1,4}$/)
        : fc.oneof(fc.stringMatching(/^[a-z0-9]{1,4}$/), fc.array(tree(depth - 1), { minLength: 1, maxLength: 4 })),
  }),
)
/** How each element is spelled: its own prefix declaration, a prefix declared by its parent, or the default namespace. */
const spelling = fc.array(fc.constantFrom('p0', 'p1', ''), { minLength: 64, maxLength: 64 })

function write(t: Tree, spell: string[], counter: { i: number }): string {
  const prefix = spell[counter.i++ % spell.length] as string
  const name = prefix === '' ? t.local : `${prefix}:${t.local}`
  const decl = prefix === '' ? `xmlns="${URIS[t.ns]}"` : `xmlns:${prefix}="${URIS[t.ns]}"`
  const inner = typeof t.content === 'string' ? t.content : t.content.map((c) => write(c, spell, counter)).join('')
  return `<${name} ${decl}>${inner}</${name}>`
}

/** The value parseEnvelope must give for `t`, or 'clash' when two namespaces would share a key under one parent. */
function expectedValue(t: Tree, map: Record<string, string>): unknown {
  if (typeof t.content === 'string') return t.content
  const out: Record<string, unknown[]> = {}
  const owner: Record<string, number> = {}
  for (const child of t.content) {
    const uri = URIS[child.ns] as string
    const key = map[uri] ? `${map[uri]}:${child.local}` : child.local
    if (key in owner && owner[key] !== child.ns) return 'clash'
    owner[key] = child.ns
    const value = expectedValue(child, map)
    if (value === 'clash') return 'clash'
    const list = out[key] ?? []
    list.push(value)
    out[key] = list
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0] : v]))
}

describe('property: parsing never merges elements of different namespace URIs', () => {
  const mapping = fc
    .subarray(URIS)
    .chain((mapped) =>
      fc.constant(Object.fromEntries(mapped.map((uri, i) => [uri, `n${i}`])) as Record<string, string>),
    )

  it('parseEnvelope gives exactly the independently built value, or FK_SOAP_NAMESPACE_CLASH when it would merge', () => {
    fc.assert(
      fc.property(tree(4), spelling, mapping, (root, spell, map) => {
        const wrapped: Tree = { ns: 0, local: 'Root', content: [root] }
        const xml = envelope11(write(wrapped, spell, { i: 0 }))
        const want = expectedValue(wrapped, map)
        if (want === 'clash') {
          expect(() => parseEnvelope(xml, { namespaces: map })).toThrow(
            expect.objectContaining({ code: 'FK_SOAP_NAMESPACE_CLASH' }),
          )
        } else {
          const rootKey = map['urn:a'] ? `${map['urn:a']}:Root` : 'Root'
          expect(parseEnvelope(xml, { namespaces: map }).body).toEqual({ [rootKey]: want })
        }
      }),
      { numRuns: 400 },
    )
  })

  it('streamRecords yields the same records as that value, or the same error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tree(3), { minLength: 1, maxLength: 5 }),
        spelling,
        mapping,
        async (items, spell, map) => {
          const xml = envelope11(write({ ns: 0, local: 'Root', content: items }, spell, { i: 0 }))
          const keyOf = (t: Tree) => (map[URIS[t.ns] as string] ? `${map[URIS[t.ns] as string]}:${t.local}` : t.local)
          const rootKey = map['urn:a'] ? `${map['urn:a']}:Root` : 'Root'
          const first = items[0] as Tree
          const recordKey = keyOf(first)
          // Only the record path and the records are read: a clash elsewhere is not the stream's business.
          const matching = items.filter((t) => keyOf(t) === recordKey)
          const values = matching.map((t) => expectedValue(t, map))
          const clashes = matching.some((t) => t.ns !== first.ns) || values.includes('clash')
          const record = `${rootKey}/${recordKey}`
          if (clashes) {
            const error = await rejection(records(xml, { record, namespaces: map }))
            expect((error as SoapError).code).toBe('FK_SOAP_NAMESPACE_CLASH')
          } else expect(await records(xml, { record, namespaces: map })).toEqual(values)
        },
      ),
      { numRuns: 200 },
    )
  })
})

// A WSDL whose response type holds an hr:Employee and a pay:Employee (by ref into a second schema).
const TWO_NS_WSDL = (url: string) => `<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:hr="urn:hr" xmlns:pay="urn:payroll" targetNamespace="urn:hr">
  <wsdl:types>
    <xsd:schema targetNamespace="urn:payroll" elementFormDefault="qualified">
      <xsd:element name="Employee"><xsd:complexType><xsd:sequence><xsd:element name="id" type="xsd:string"/><xsd:element name="gross" type="xsd:decimal"/></xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
    <xsd:schema targetNamespace="urn:hr" elementFormDefault="qualified">
      <xsd:import namespace="urn:payroll"/>
      <xsd:element name="GetPeople"><xsd:complexType><xsd:sequence/></xsd:complexType></xsd:element>
      <xsd:element name="GetPeopleResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="Employee" maxOccurs="unbounded"><xsd:complexType><xsd:sequence><xsd:element name="id" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element>
        <xsd:element ref="pay:Employee" maxOccurs="unbounded"/>
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="In"><wsdl:part name="parameters" element="hr:GetPeople"/></wsdl:message>
  <wsdl:message name="Out"><wsdl:part name="parameters" element="hr:GetPeopleResponse"/></wsdl:message>
  <wsdl:portType name="P"><wsdl:operation name="GetPeople"><wsdl:input message="hr:In"/><wsdl:output message="hr:Out"/></wsdl:operation></wsdl:portType>
  <wsdl:binding name="B" type="hr:P"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="GetPeople"><soap:operation soapAction="urn:hr/GetPeople"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="S"><wsdl:port name="P" binding="hr:B"><soap:address location="${url}/soap"/></wsdl:port></wsdl:service>
</wsdl:definitions>`

describe('WSDL-typed calls name keys from the schema namespaces (issue 16)', () => {
  let server: Loopback
  beforeAll(async () => {
    server = await loopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' })
      res.end(
        envelope11(
          '<a:GetPeopleResponse xmlns:a="urn:hr" xmlns:b="urn:payroll"><a:Employee><a:id>E1</a:id></a:Employee><b:Employee><b:id>P9</b:id><b:gross>100.50</b:gross></b:Employee></a:GetPeopleResponse>',
        ),
      )
    })
  })
  afterAll(() => server.close())

  it('client.call keys the second namespace by the prefix the WSDL declares for it, typed by the schema', async () => {
    const svc = createSoapClient({ wsdl: TWO_NS_WSDL(server.url) })
    expect(await svc.call('GetPeople', {})).toEqual({
      Employee: [{ id: 'E1' }],
      'pay:Employee': [{ 'pay:id': 'P9', 'pay:gross': '100.50' }],
    })
    await svc.close()
  })

  it('the caller’s namespaces win over the schema-derived prefix', async () => {
    const svc = createSoapClient({ wsdl: TWO_NS_WSDL(server.url), namespaces: { 'urn:payroll': 'payroll' } })
    const out = await svc.call<Record<string, unknown>>('GetPeople', {})
    expect(Object.keys(out)).toEqual(['Employee', 'payroll:Employee'])
    await svc.close()
  })

  it('generateTypes names the same keys (no silent dedup of the second Employee)', async () => {
    const source = generateTypes(await readWsdl(TWO_NS_WSDL(server.url)))
    expect(source).toContain('"pay:Employee"')
    expect(source).toContain('"pay:gross"')
  })
})
