import { EMPLOYEES_NS, employeesWsdl, employeeXml } from '@fieldkit/mocks'
import { describe, expect, it } from 'vitest'
import { parseEnvelope } from './envelope-parse'
import type { SoapFaultError } from './errors'
import { keyMaker } from './namespaces'
import { streamRecords } from './stream-records'
import { outputShape, readWsdl } from './wsdl'

const SOAP = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
} as const
const response = (version: '1.1' | '1.2', records: string) =>
  `<?xml version="1.0"?><env:Envelope xmlns:env="${SOAP[version]}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><env:Body><e:GetEmployeesResponse xmlns:e="${EMPLOYEES_NS}">${records}<e:Total>9</e:Total></e:GetEmployeesResponse></env:Body></env:Envelope>`

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe.each(['1.1', '1.2'] as const)('streamRecords, SOAP %s', (version) => {
  const records = Array.from({ length: 9 }, (_, i) =>
    employeeXml(i, (['prefix', 'other-prefix', 'default'] as const)[i % 3]),
  ).join('')
  const xml = response(version, records)

  it('yields the same records as parseEnvelope, typed by the WSDL, however the bytes are split', async () => {
    const desc = await readWsdl(employeesWsdl())
    const op = desc.operations.find((o) => o.name === 'GetEmployees' && o.version === version)
    const shape = op ? outputShape(desc, op, keyMaker(undefined)) : undefined
    const whole = (
      parseEnvelope(xml, { ...(shape ? { shape } : {}) }).body.GetEmployeesResponse as { Employee: unknown[] }
    ).Employee
    expect(whole).toHaveLength(9)
    const bytes = Buffer.from(xml)
    for (const size of [1, 7, 64, 4096]) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
        bytes.subarray(i * size, (i + 1) * size),
      )
      const streamed = await collect(
        streamRecords(chunks, { record: '/Envelope/Body/GetEmployeesResponse/Employee', ...(shape ? { shape } : {}) }),
      )
      expect(streamed).toEqual(whole)
    }
    expect(whole[0]).toMatchObject({ Active: true, Skill: [], '@version': 1 })
  })

  it('throws a fault found in the stream as SoapFaultError', async () => {
    const fault =
      version === '1.1'
        ? `<env:Envelope xmlns:env="${SOAP['1.1']}"><env:Body><env:Fault><faultcode>env:Server</faultcode><faultstring>down</faultstring><detail><x:Why xmlns:x="urn:x">db</x:Why></detail></env:Fault></env:Body></env:Envelope>`
        : `<env:Envelope xmlns:env="${SOAP['1.2']}"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code><env:Reason><env:Text xml:lang="en">down</env:Text></env:Reason><env:Detail><x:Why xmlns:x="urn:x">db</x:Why></env:Detail></env:Fault></env:Body></env:Envelope>`
    const error = (await collect(streamRecords([fault], { record: 'GetEmployeesResponse/Employee' })).catch(
      (e: unknown) => e,
    )) as SoapFaultError
    expect(error.code).toBe('FK_SOAP_FAULT')
    expect(error.fault).toMatchObject({
      version,
      reason: 'down',
      detail: { Why: 'db' },
      code: { local: version === '1.1' ? 'Server' : 'Receiver' },
    })
  })
})

describe('streamRecords safety', () => {
  it('refuses a DOCTYPE', async () => {
    const xml = `<!DOCTYPE x [<!ENTITY a "b">]><env:Envelope xmlns:env="${SOAP['1.1']}"/>`
    await expect(collect(streamRecords([xml], { record: 'R/E' }))).rejects.toMatchObject({ code: 'FK_XML_LIMIT' })
  })

  it('gives FK_XML_PARSE with line and column for broken XML', async () => {
    const xml = `<env:Envelope xmlns:env="${SOAP['1.1']}">\n<env:Body>\n<R><E>1</F></R></env:Body></env:Envelope>`
    await expect(collect(streamRecords([xml], { record: 'R/E' }))).rejects.toMatchObject({
      code: 'FK_XML_PARSE',
      details: { line: 3 },
    })
  })

  it('enforces depth and byte limits', async () => {
    const deep = `<env:Envelope xmlns:env="${SOAP['1.1']}"><env:Body>${'<a>'.repeat(50)}${'</a>'.repeat(50)}</env:Body></env:Envelope>`
    await expect(collect(streamRecords([deep], { record: 'R/E', limits: { maxDepth: 20 } }))).rejects.toMatchObject({
      code: 'FK_XML_LIMIT',
    })
    await expect(collect(streamRecords([deep], { record: 'R/E', limits: { maxBytes: 100 } }))).rejects.toMatchObject({
      code: 'FK_XML_LIMIT',
    })
  })

  it('refuses a document that is not an envelope', async () => {
    await expect(collect(streamRecords(['<html><body/></html>'], { record: 'R/E' }))).rejects.toMatchObject({
      code: 'FK_SOAP_NOT_ENVELOPE',
    })
  })

  it('validates each record against a zod schema when given', async () => {
    const { z } = await import('zod')
    const xml = response('1.1', employeeXml(0))
    const out = await collect(
      streamRecords([xml], {
        record: 'GetEmployeesResponse/Employee',
        schema: z.object({ EmployeeId: z.string(), Skill: z.array(z.string()) }),
      }),
    )
    expect(out).toEqual([{ EmployeeId: '0000000001', Skill: [] }])
  })
})

describe('streamRecords per-record size limit (issue 22.8)', () => {
  const MIB = 1024 * 1024
  /** An envelope whose second record holds a text node of `mib` MiB, sent in 64 KiB chunks. */
  async function* hugeTextNode(mib: number, where: 'record' | 'between') {
    yield `<s:Envelope xmlns:s="${SOAP['1.1']}"><s:Body><R><E><id>1</id></E>`
    yield where === 'record' ? '<E><id>' : ''
    const chunk = 'a'.repeat(64 * 1024)
    for (let i = 0; i < mib * 16; i++) yield chunk
    yield where === 'record' ? '</id></E>' : ''
    yield '<E><id>3</id></E></R></s:Body></s:Envelope>'
  }

  it('streamRecords needs a per-record size limit: a record over maxRecordBytes is FK_XML_LIMIT, after the records before it', async () => {
    const out: unknown[] = []
    let error: unknown
    try {
      for await (const r of streamRecords(hugeTextNode(8, 'record'), {
        record: 'R/E',
        limits: { maxRecordBytes: MIB },
      }))
        out.push(r)
    } catch (e) {
      error = e
    }
    expect(out).toEqual([{ id: '1' }])
    expect(error).toMatchObject({ code: 'FK_XML_LIMIT', details: { maxRecordBytes: MIB } })
    expect((error as Error).message).toContain('a record longer than 1048576 characters')
  })

  it('text between records counts against the same limit (the tokenizer holds it too)', async () => {
    const run = collect(streamRecords(hugeTextNode(8, 'between'), { record: 'R/E', limits: { maxRecordBytes: MIB } }))
    await expect(run).rejects.toMatchObject({ code: 'FK_XML_LIMIT' })
  })

  it('a record under the limit reads whole, and the default limit is in the tens of MiB', async () => {
    const out = await collect(streamRecords(hugeTextNode(2, 'record'), { record: 'R/E' }))
    expect(out).toHaveLength(3)
    expect((out[1] as { id: string }).id).toHaveLength(2 * MIB)
    await expect(collect(streamRecords([], { record: 'R/E', limits: { maxRecordBytes: 0 } }))).rejects.toMatchObject({
      code: 'FK_XML_LIMIT',
    })
  })
})
