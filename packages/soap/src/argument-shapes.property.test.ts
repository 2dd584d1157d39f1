import { isFieldkitError } from '@fieldkit/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSoapClient } from './client'
import { buildEnvelope } from './envelope-build'
import { parseEnvelope } from './envelope-parse'
import { envelope11 } from './loopback.test-helper'
import { streamRecords } from './stream-records'

/** Runs `fn`; only a result or a Fieldkit error is acceptable, never a TypeError from deep inside. */
async function outcome(fn: () => unknown): Promise<string> {
  try {
    const value = fn()
    if (value !== null && typeof value === 'object' && Symbol.asyncIterator in value) {
      for await (const _ of value as AsyncIterable<unknown>) {
        // drain
      }
    } else await value
    return 'ok'
  } catch (error) {
    expect(isFieldkitError(error), String(error)).toBe(true)
    return (error as { code: string }).code
  }
}

// Any JavaScript value, and objects shaped almost right.
const hostile = fc.anything({
  withNullPrototype: true,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
  withBigInt: true,
})
const anything = fc.oneof(
  hostile,
  fc.record({ name: hostile, namespace: hostile, value: hostile }, { requiredKeys: [] }),
)
const XML = envelope11('<R xmlns="urn:r"><E>1</E></R>')

describe('JavaScript callers passing the wrong shape get FK_SOAP_INPUT / FK_SOAP_OPTIONS, never a TypeError (issue 16)', () => {
  it('buildEnvelope({ body: { Echo: {} } }) without name is FK_SOAP_INPUT, not "Cannot read properties of undefined"', () => {
    const call = () => buildEnvelope({ version: '1.1', body: { Echo: {} } } as never)
    expect(call).toThrow(expect.objectContaining({ code: 'FK_SOAP_INPUT' }))
    expect(call).toThrow('Expected `body.name` to be an element name, got undefined')
  })

  it('property: buildEnvelope with any options, body, headers and addressing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('1.1', '1.2', undefined, 2),
        anything,
        anything,
        anything,
        anything,
        async (version, body, headers, addressing, namespaces) => {
          const code = await outcome(() => buildEnvelope({ version, body, headers, addressing, namespaces } as never))
          expect(code).toMatch(/^(ok|FK_SOAP_INPUT|FK_SOAP_OPTIONS)$/)
        },
      ),
      { numRuns: 300 },
    )
    expect(await outcome(() => buildEnvelope(undefined as never))).toBe('FK_SOAP_OPTIONS')
  })

  it('property: parseEnvelope and streamRecords with any input and any options', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constant(XML), hostile),
        fc.record(
          {
            namespaces: anything,
            arrays: anything,
            decimal: anything,
            schema: anything,
            limits: anything,
            record: anything,
          },
          { requiredKeys: [] },
        ),
        async (input, options) => {
          const parsed = await outcome(() => parseEnvelope(input as never, options as never))
          expect(parsed).toMatch(/^(ok|FK_SOAP_INPUT|FK_SOAP_OPTIONS|FK_XML_LIMIT|FK_XML_PARSE|FK_SOAP_NOT_ENVELOPE)$/)
          const streamed = await outcome(() =>
            streamRecords((typeof input === 'string' ? [input] : input) as never, options as never),
          )
          expect(streamed).toMatch(
            /^(ok|FK_SOAP_INPUT|FK_SOAP_OPTIONS|FK_XML_LIMIT|FK_XML_PARSE|FK_SOAP_NOT_ENVELOPE)$/,
          )
        },
      ),
      { numRuns: 300 },
    )
  })

  it('property: createSoapClient, call and stream with any options, operation and input', async () => {
    const transport = {
      send: async () => ({ status: 200, headers: { 'content-type': 'text/xml' }, body: Buffer.from(XML) }),
      stream: async () => ({
        status: 200,
        headers: {},
        body: [Buffer.from(XML)] as unknown as AsyncIterable<Uint8Array>,
      }),
      close: async () => {},
    }
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { arrays: anything, namespaces: anything, schema: anything, limits: anything, decimal: anything },
          { requiredKeys: [] },
        ),
        fc.oneof(fc.constant('Op'), hostile),
        anything,
        fc.oneof(fc.constant({ record: 'R/E' }), anything),
        async (options, operation, input, callOptions) => {
          const code = await outcome(async () => {
            const svc = createSoapClient({
              endpoint: 'http://127.0.0.1:9/s',
              namespace: 'urn:r',
              transport,
              ...options,
            } as never)
            try {
              await svc.call(operation as never, input, callOptions as never)
              for await (const _ of svc.stream(operation as never, input, callOptions as never)) {
                // drain
              }
            } finally {
              await svc.close()
            }
          })
          expect(code).toMatch(/^(ok|FK_SOAP_INPUT|FK_SOAP_OPTIONS|FK_XML_LIMIT|FK_SOAP_SCHEMA)$/)
        },
      ),
      { numRuns: 300 },
    )
  })
})
