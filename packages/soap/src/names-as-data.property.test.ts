import { isFieldkitError } from '@fieldkit/core'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { createSoapClient } from './client'
import { buildEnvelope } from './envelope-build'
import { parseEnvelope } from './envelope-parse'
import { streamRecords } from './stream-records'

const ENV11 = 'http://schemas.xmlsoap.org/soap/envelope/'
const HOSTILE = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'] as const

/** Everything Object.prototype holds, to compare before and after. */
const snapshot = () =>
  Object.getOwnPropertyNames(Object.prototype)
    .sort()
    .map((name) => [name, Object.getOwnPropertyDescriptor(Object.prototype, name)?.value])

const before = snapshot()
const untouched = () => {
  const plain: Record<string, unknown> = {}
  expect(plain.array).toBeUndefined()
  expect(plain.children).toBeUndefined()
  expect(plain.type).toBeUndefined()
  expect(snapshot()).toEqual(before)
}
afterEach(untouched)

const name = fc.constantFrom(...HOSTILE)
const path = fc.array(name, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'))
const element = (n: string, inner: string) => `<m:${n}>${inner}</m:${n}>`
const doc = (parts: string[], leaf: string) =>
  `<s:Envelope xmlns:s="${ENV11}"><s:Body xmlns:m="urn:m">${parts.reduceRight((inner, p) => element(p, inner), leaf)}</s:Body></s:Envelope>`

describe('names as data: __proto__, constructor and prototype never reach Object.prototype', () => {
  it('prototype pollution: parseEnvelope(xml, { arrays: ["__proto__"] }) leaves ({}).array undefined', () => {
    const { body } = parseEnvelope(doc(['__proto__'], 'x'), { arrays: ['__proto__'] })
    untouched()
    expect(Object.hasOwn(body, '__proto__')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(body, '__proto__')?.value).toEqual(['x'])
  })

  it('property: arrays, namespaces and element names made of them give own keys, in parseEnvelope', () => {
    fc.assert(
      fc.property(path, path, name, (arraysPath, docPath, prefix) => {
        const parts = docPath.split('/')
        const { body } = parseEnvelope(doc(parts, 'v'), { arrays: [arraysPath], namespaces: { 'urn:m': prefix } })
        untouched()
        const first = Object.keys(body)[0] ?? ''
        expect(first).toBe(`${prefix}:${parts[0]}`)
        expect(Object.hasOwn(body, first)).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it('property: streamRecords record paths, arrays and namespaces made of them give own keys', async () => {
    await fc.assert(
      fc.asyncProperty(path, path, name, async (recordPath, arraysPath, leaf) => {
        const parts = recordPath.split('/')
        const xml = doc(parts, element(leaf, '1') + element(leaf, '2'))
        const out: unknown[] = []
        for await (const r of streamRecords([xml], { record: recordPath, arrays: [arraysPath] })) out.push(r)
        untouched()
        expect(out).toHaveLength(1)
        const record = out[0] as Record<string, unknown>
        expect(Object.hasOwn(record, leaf)).toBe(true)
        expect(record[leaf]).toEqual(['1', '2'])
      }),
      { numRuns: 100 },
    )
  })

  it('property: buildEnvelope keys, attributes, header names and namespace prefixes made of them', () => {
    fc.assert(
      fc.property(name, name, name, (key, attr, prefix) => {
        try {
          const xml = buildEnvelope({
            version: '1.1',
            body: { name: 'Op', namespace: 'urn:m', value: { [key]: { [`@${attr}`]: 'a', '#text': 't' } } },
            headers: [{ name: key, namespace: 'urn:h', value: { [key]: '1' } }],
            namespaces: { [prefix]: 'urn:p' },
          })
          expect(xml).toContain(`<m:${key} ${attr}="a">t</m:${key}>`)
        } catch (error) {
          // `prototype` and friends are valid XML names; only a typed refusal would be acceptable.
          expect(isFieldkitError(error)).toBe(true)
        }
        untouched()
      }),
      { numRuns: 100 },
    )
  })

  it('property: createSoapClient arrays and namespaces made of them, through a call', async () => {
    await fc.assert(
      fc.asyncProperty(path, name, async (arraysPath, prefix) => {
        const parts = arraysPath.split('/')
        const xml = Buffer.from(doc(['OpResponse', ...parts], 'v'))
        const client = createSoapClient({
          endpoint: 'http://127.0.0.1:9/soap',
          namespace: 'urn:m',
          arrays: [`OpResponse/${arraysPath}`],
          namespaces: { 'urn:other': prefix },
          transport: {
            send: async () => ({ status: 200, headers: { 'content-type': 'text/xml' }, body: xml }),
            stream: async () => ({ status: 200, headers: {}, body: [xml] as unknown as AsyncIterable<Uint8Array> }),
            close: async () => {},
          },
        })
        const out = await client.call<Record<string, unknown>>('Op', {})
        await client.close()
        untouched()
        expect(Object.hasOwn(out, parts[0] as string)).toBe(true)
      }),
      { numRuns: 50 },
    )
  })
})
