import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  envelopes,
  expected,
  hostileDocuments,
  parseOutcome,
  SOAP,
  soup,
  text,
  tree,
  xmlChars,
} from './envelope-arbitraries.test-helper'
import { buildEnvelope, parseEnvelope } from './index'

describe('round trip: buildEnvelope then parseEnvelope', () => {
  it('gives back every value exactly (characters XML 1.0 cannot carry are dropped, never an error), with no element, attribute or namespace injected', () => {
    fc.assert(
      fc.property(envelopes, ({ version, elementForm, namespace, body, header, action, to, messageId }) => {
        const xml = buildEnvelope({
          version,
          elementForm,
          body: { name: 'Set', namespace, value: body },
          headers: [{ name: 'Audit', namespace: 'urn:audit', value: header }],
          addressing: { action, to, messageId },
        })
        const hr = xmlChars(namespace)
        const out = parseEnvelope(xml, { namespaces: { [hr]: 'hr' } })
        expect(out.version).toBe(version)
        expect(out.body).toEqual({ 'hr:Set': expected(body, elementForm === 'qualified' ? 'hr:' : '') })
        const mu = version === '1.1' ? '1' : 'true'
        const withMu = (t: string) => (t === '' ? { '@mustUnderstand': mu } : { '@mustUnderstand': mu, '#text': t })
        expect(out.headers).toEqual({
          Action: withMu(xmlChars(action)),
          MessageID: xmlChars(messageId),
          ReplyTo: { Address: 'http://www.w3.org/2005/08/addressing/anonymous' },
          To: withMu(xmlChars(to)),
          Audit: expected(header, ''),
        })
      }),
      { numRuns: 300 },
    )
  })

  it('writes a fault whose detail comes back as the data written, whatever the element names', () => {
    fc.assert(
      fc.property(fc.constantFrom<'1.1' | '1.2'>('1.1', '1.2'), text, tree.parent, (version, reason, detail) => {
        const value =
          version === '1.1'
            ? { faultcode: 'soap:Client', faultstring: reason, detail }
            : {
                Code: { Value: 'soap:Sender' },
                Reason: { Text: { '@xml:lang': 'en', '#text': reason } },
                Detail: detail,
              }
        const xml = buildEnvelope({
          version,
          elementForm: version === '1.1' ? 'unqualified' : 'qualified',
          body: { name: 'soap:Fault', namespace: SOAP[version], value },
        })
        const { fault } = parseEnvelope(xml, { throwOnFault: false })
        expect(fault).toMatchObject({
          version,
          code: { namespace: SOAP[version], local: version === '1.1' ? 'Client' : 'Sender' },
          reason: xmlChars(reason),
        })
        expect(fault?.detail).toEqual(expected(detail, ''))
      }),
      { numRuns: 200 },
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Hostile documents.

describe('parseEnvelope on hostile input', () => {
  it('gives a result or a typed FK_XML_* / FK_SOAP_* error for random bytes, in any decoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1500 }), (bytes) => {
        for (const encoding of ['utf8', 'latin1', 'utf16le'] as const)
          parseOutcome(Buffer.from(bytes).toString(encoding))
      }),
      { numRuns: 200 },
    )
  })

  it('gives a result or a typed error for SOAP token soup, the same one every time', () => {
    fc.assert(
      fc.property(soup, (xml) => {
        expect(parseOutcome(xml)).toEqual(parseOutcome(xml))
      }),
      { numRuns: 500 },
    )
  })

  it('gives a result or a typed error for well-formed envelopes with hostile names, attributes and text', () => {
    fc.assert(
      fc.property(hostileDocuments, (xml) => {
        parseOutcome(xml)
      }),
      { numRuns: 500 },
    )
  })

  it('refuses every truncation of a valid envelope with FK_XML_PARSE, cut by characters or by UTF-8 bytes', () => {
    fc.assert(
      fc.property(envelopes, fc.nat(), ({ version, namespace, body }, at) => {
        const xml = buildEnvelope({ version, body: { name: 'Set', namespace, value: body } })
        expect(parseOutcome(xml).ok).toBe(true)
        const bytes = Buffer.from(xml)
        for (const prefix of [xml.slice(0, at % xml.length), bytes.subarray(0, at % bytes.length).toString()]) {
          expect(parseOutcome(prefix)).toEqual({ ok: false, code: 'FK_XML_PARSE' })
        }
      }),
      { numRuns: 300 },
    )
  })
})
