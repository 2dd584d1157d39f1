import { describe, expect, it } from 'vitest'
import { buildEnvelope } from './envelope-build'
import { parseEnvelope } from './envelope-parse'
import type { SoapFaultError } from './errors'

const NS = 'urn:example:hr:employees:v1'
const ENV = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
} as const

const envelope = (version: '1.1' | '1.2', body: string, header = '') =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="${ENV[version]}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">${header}<s:Body>${body}</s:Body></s:Envelope>`

describe.each(['1.1', '1.2'] as const)('envelopes, SOAP %s', (version) => {
  it.each([
    [
      'a flat request',
      { departmentId: '0042' },
      `<m:GetEmployees><m:departmentId>0042</m:departmentId></m:GetEmployees>`,
    ],
    [
      'repeated elements from an array',
      { id: ['1', '2'] },
      '<m:GetEmployees><m:id>1</m:id><m:id>2</m:id></m:GetEmployees>',
    ],
    ['null as xsi:nil', { manager: null }, '<m:GetEmployees><m:manager xsi:nil="true"/></m:GetEmployees>'],
    [
      'attributes and text',
      { filter: { '@kind': 'a"b', '#text': 'x<y' } },
      '<m:GetEmployees><m:filter kind="a&quot;b">x&lt;y</m:filter></m:GetEmployees>',
    ],
    [
      'typed scalars',
      { n: 6, ok: true, at: new Date('2024-05-02T10:15:30Z'), bin: Buffer.from('hi') },
      '<m:GetEmployees><m:n>6</m:n><m:ok>true</m:ok><m:at>2024-05-02T10:15:30.000Z</m:at><m:bin>aGk=</m:bin></m:GetEmployees>',
    ],
    ['an empty request', {}, '<m:GetEmployees/>'],
  ])('builds %s', (_title, value, body) => {
    const xml = buildEnvelope({ version, body: { name: 'GetEmployees', namespace: NS, value } })
    expect(xml).toBe(
      `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${ENV[version]}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:m="${NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`,
    )
    // What we build, we read back.
    expect(parseEnvelope(xml).version).toBe(version)
  })

  it('declares header namespaces once on the Envelope and adds WS-Addressing', () => {
    const xml = buildEnvelope({
      version,
      body: { name: 'GetEmployees', namespace: NS, value: {} },
      headers: [{ name: 'Tenant', namespace: 'urn:tenant', value: { id: '7' }, mustUnderstand: true }],
      addressing: { action: `${NS}/GetEmployees`, to: 'https://erp.example/soap', messageId: 'urn:uuid:1' },
    })
    expect(xml.match(/xmlns:h0="http:\/\/www.w3.org\/2005\/08\/addressing"/g)).toHaveLength(1)
    expect(xml).toContain(
      `<h1:Tenant soap:mustUnderstand="${version === '1.1' ? '1' : 'true'}"><h1:id>7</h1:id></h1:Tenant>`,
    )
    const { headers } = parseEnvelope(xml)
    const mu = version === '1.1' ? '1' : 'true'
    expect(headers).toMatchObject({
      Action: { '#text': `${NS}/GetEmployees`, '@mustUnderstand': mu },
      MessageID: 'urn:uuid:1',
      To: { '#text': 'https://erp.example/soap', '@mustUnderstand': mu },
      Tenant: { id: '7', '@mustUnderstand': mu },
    })
  })

  it.each([
    [
      'different prefixes and a default namespace are one key',
      `<a:R xmlns:a="${NS}"><a:Employee>1</a:Employee><b:Employee xmlns:b="${NS}">2</b:Employee><Employee xmlns="${NS}">3</Employee></a:R>`,
      {},
      { R: { Employee: ['1', '2', '3'] } },
    ],
    ['text stays text', `<R><Id>006</Id><Flag>true</Flag></R>`, {}, { R: { Id: '006', Flag: 'true' } }],
    [
      'xsi:nil becomes null, with any prefix',
      `<R><A i:nil="true"/><B xmlns:q="http://www.w3.org/2001/XMLSchema-instance" q:nil="1">x</B></R>`,
      {},
      { R: { A: null, B: null } },
    ],
    ['one element is an array when listed', `<R><E>1</E></R>`, { arrays: ['R/E'] }, { R: { E: ['1'] } }],
    [
      'a listed element absent stays absent without a shape of its parent',
      `<R><X>1</X></R>`,
      { arrays: ['R/E'] },
      { R: { X: '1' } },
    ],
    [
      "namespaces mapped to the caller's prefixes",
      `<a:R xmlns:a="${NS}" xmlns:z="urn:other"><a:E>1</a:E><z:E>2</z:E></a:R>`,
      { namespaces: { [NS]: 'hr', 'urn:other': 'o' } },
      { 'hr:R': { 'hr:E': '1', 'o:E': '2' } },
    ],
    [
      'attributes resolved, xmlns dropped',
      `<R xmlns:p="urn:p" p:id="7" plain="y">t</R>`,
      {},
      { R: { '@id': '7', '@plain': 'y', '#text': 't' } },
    ],
    [
      'CDATA and entities decode to the same text',
      `<R><A><![CDATA[<b> & "x"]]></A><B>&lt;b&gt; &amp; &quot;x&quot;</B></R>`,
      {},
      { R: { A: '<b> & "x"', B: '<b> & "x"' } },
    ],
  ])('parses: %s', (_title, body, options, expected) => {
    const out = parseEnvelope(envelope(version, body), options)
    expect(out.body).toEqual(expected)
    expect(Object.getPrototypeOf(out.body)).toBe(Object.prototype)
  })

  it('keeps an element named __proto__ as data, never polluting a prototype', () => {
    const out = parseEnvelope(envelope(version, '<R><__proto__><polluted>1</polluted></__proto__></R>')).body as {
      R: Record<string, unknown>
    }
    expect(Object.hasOwn(out.R, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(out.R)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('types values from a shape (as a WSDL gives it)', () => {
    const shape = {
      children: {
        R: {
          complex: true,
          children: {
            I: { type: 'int' },
            L: { type: 'long' },
            D: { type: 'decimal' },
            B: { type: 'boolean' },
            T: { type: 'dateTime' },
            X: { type: 'base64Binary' },
            S: { type: 'string' },
            E: { array: true, type: 'int' },
          },
        },
      },
    }
    const body =
      '<R><I>006</I><L>9007199254740993</L><D>12.50</D><B>1</B><T>2024-05-02T10:15:30Z</T><X>aGk=</X><S>006</S></R>'
    const out = parseEnvelope(envelope(version, body), { shape }).body as { R: Record<string, unknown> }
    expect(out.R).toEqual({
      I: 6,
      L: 9007199254740993n,
      D: '12.50',
      B: true,
      T: new Date('2024-05-02T10:15:30Z'),
      X: Buffer.from('hi'),
      S: '006',
      E: [],
    })
    expect(
      (parseEnvelope(envelope(version, body), { shape, decimal: 'number' }).body as { R: { D: number } }).R.D,
    ).toBe(12.5)
    expect(() => parseEnvelope(envelope(version, '<R><I>six</I></R>'), { shape })).toThrow(
      expect.objectContaining({
        code: 'FK_SOAP_VALUE',
        details: expect.objectContaining({ path: 'Body/R/I', type: 'int' }),
      }),
    )
  })
})

describe('faults', () => {
  const fault11 = `<s:Fault xmlns:f="urn:faults"><faultcode>f:Throttled</faultcode><faultstring>Too many</faultstring><faultactor>urn:gw</faultactor><detail><q:Retry xmlns:q="${NS}"><q:After>30</q:After></q:Retry></detail></s:Fault>`
  const fault12 = `<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:f="urn:faults">f:Throttled</s:Value><s:Subcode><s:Value xmlns:g="urn:g">g:Burst</s:Value></s:Subcode></s:Subcode></s:Code><s:Reason><s:Text xml:lang="fr">Trop</s:Text><s:Text xml:lang="en-GB">Too many</s:Text></s:Reason><s:Node>urn:node</s:Node><s:Role>urn:gw</s:Role><s:Detail><Retry xmlns="${NS}"><After>30</After></Retry></s:Detail></s:Fault>`
  it.each([
    [
      '1.1',
      fault11,
      {
        version: '1.1',
        code: { namespace: 'urn:faults', local: 'Throttled' },
        subcodes: [],
        reason: 'Too many',
        actor: 'urn:gw',
      },
    ],
    [
      '1.2',
      fault12,
      {
        version: '1.2',
        code: { namespace: ENV['1.2'], local: 'Sender' },
        subcodes: [
          { namespace: 'urn:faults', local: 'Throttled' },
          { namespace: 'urn:g', local: 'Burst' },
        ],
        reason: 'Too many',
        actor: 'urn:gw',
        node: 'urn:node',
      },
    ],
  ] as const)(
    'SOAP %s fault → SoapFaultError with code, subcodes, reason and resolved detail',
    (version, body, expected) => {
      let error: SoapFaultError | undefined
      try {
        parseEnvelope(envelope(version, body), { source: 'GetEmployees at https://erp.example' })
      } catch (e) {
        error = e as SoapFaultError
      }
      expect(error?.code).toBe('FK_SOAP_FAULT')
      expect(error?.name).toBe('SoapFaultError')
      expect(error?.fault).toMatchObject(expected)
      expect(error?.fault.detail).toEqual({ Retry: { After: '30' } })
      expect(error?.message).toContain('GetEmployees at https://erp.example answered a SOAP')
      expect(parseEnvelope(envelope(version, body), { throwOnFault: false }).fault?.reason).toBe('Too many')
    },
  )

  it('refuses a document that is XML but not an envelope', () => {
    expect(() => parseEnvelope('<html><body>Gateway</body></html>')).toThrow(
      expect.objectContaining({ code: 'FK_SOAP_NOT_ENVELOPE' }),
    )
  })
})
