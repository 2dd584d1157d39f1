import { isFieldkitError } from '@fieldkit/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildEnvelope } from './envelope-build'
import { parseEnvelope } from './envelope-parse'
import { streamRecords } from './stream-records'
import { cdata, comment, escapeAttribute, escapeText } from './xml-escape'

const NS = 'urn:example:hr:employees:v1'
const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/'
const env = (body: string) => `<soap:Envelope xmlns:soap="${SOAP}"><soap:Body>${body}</soap:Body></soap:Envelope>`

describe('escaping (CVE-2026-41650: no value can close an element, CDATA or comment)', () => {
  const hostile = [
    '</m:Name><m:Admin>true</m:Admin><m:Name>',
    ']]><m:Admin>true</m:Admin><![CDATA[',
    '--><m:Admin>true</m:Admin><!--',
    '"/><m:Admin a="',
    "' onload='x",
    '&amp;&lt;&#x26;',
    'tab\tnew\nline\rreturn',
    'ctrl\u0001\u0008\uFFFEchars',
  ]

  it.each(hostile)('round-trips %j as text, attribute, CDATA and comment without adding an element', (value) => {
    const xml = buildEnvelope({
      version: '1.1',
      body: {
        name: 'Set',
        namespace: NS,
        value: {
          Name: value,
          Attr: { '@v': value },
          Raw: { '#cdata': value },
          Note: { '#comment': value, '#text': 'n' },
        },
      },
    })
    const { body } = parseEnvelope(xml)
    const set = body.Set as Record<string, unknown>
    expect(Object.keys(set).sort()).toEqual(['Attr', 'Name', 'Note', 'Raw'])
    const clean = value.replace(/[\u0001\u0008\uFFFE]/g, '')
    expect(set.Name).toBe(clean)
    expect((set.Attr as Record<string, string>)['@v']).toBe(clean)
    // XML turns a raw carriage return into a line feed; CDATA cannot escape it.
    expect(set.Raw).toBe(clean.replace(/\r\n?/g, '\n'))
    expect(set.Note).toBe('n')
  })

  it('escapes each context by its own rules', () => {
    expect(escapeText('a]]>b<c&')).toBe('a]]&gt;b&lt;c&amp;')
    expect(escapeAttribute(`"'<\n`)).toBe('&quot;&apos;&lt;&#10;')
    expect(cdata('x]]>y')).toBe('<![CDATA[x]]]]><![CDATA[>y]]>')
    expect(comment('a--b-')).toBe('<!--a- -b- -->')
  })

  it('refuses element names that are not XML names', () => {
    expect(() => buildEnvelope({ version: '1.1', body: { name: 'Set', namespace: NS, value: { 'a><b': 1 } } })).toThrow(
      expect.objectContaining({ code: 'FK_SOAP_INPUT' }),
    )
  })

  it('refuses an attribute whose prefix no namespace declares, on the operation element and below it', () => {
    for (const value of [{ '@zz:a': 'v' }, { Item: { '@zz:a': 'v' } }]) {
      expect(() => buildEnvelope({ version: '1.1', body: { name: 'Set', namespace: NS, value } })).toThrow(
        expect.objectContaining({ code: 'FK_SOAP_INPUT', details: { prefix: 'zz' } }),
      )
    }
  })

  it('writes attributes with a declared prefix, xml: or xmlns:', () => {
    const xml = buildEnvelope({
      version: '1.1',
      namespaces: { q: 'urn:q' },
      body: { name: 'Set', namespace: NS, value: { Item: { '@q:a': '1', '@xml:lang': 'de', '#text': 'x' } } },
    })
    expect(xml).toContain('<m:Item q:a="1" xml:lang="de">x</m:Item>')
  })

  it('property: any string comes back unchanged as text and attribute (bar characters XML forbids)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite' }), (value) => {
        const xml = buildEnvelope({
          version: '1.2',
          body: { name: 'Set', namespace: NS, value: { A: { '@v': value, '#text': value }, C: { '#cdata': value } } },
        })
        const set = parseEnvelope(xml).body.Set as Record<string, unknown>
        const clean = value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
        expect((set.A as Record<string, string>)['@v']).toBe(clean)
        if (clean !== '') expect((set.A as Record<string, string>)['#text']).toBe(clean)
        expect(set.C).toBe(clean.replace(/\r\n?/g, '\n'))
      }),
      { numRuns: 300 },
    )
  })
})

describe('safe XML limits', () => {
  it('refuses a DOCTYPE (entity expansion, XXE) with FK_XML_LIMIT', () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>${env('<R>&b;</R>')}`
    expect(() => parseEnvelope(xml)).toThrow(
      expect.objectContaining({ code: 'FK_XML_LIMIT', details: { line: 1, column: 22 } }),
    )
  })

  it('refuses unknown entities with FK_XML_PARSE', () => {
    expect(() => parseEnvelope(env('<R>&xxe;</R>'))).toThrow(expect.objectContaining({ code: 'FK_XML_PARSE' }))
  })

  it.each([
    ['bytes', env('<R>x</R>'), { maxBytes: 50 }, 'larger than 50 bytes'],
    ['depth', env(`${'<a>'.repeat(40)}${'</a>'.repeat(40)}`), { maxDepth: 32 }, 'deeper than 32'],
    [
      'attributes',
      env(`<R ${Array.from({ length: 20 }, (_, i) => `a${i}="1"`).join(' ')}/>`),
      { maxAttributes: 16 },
      'more than 16 attributes',
    ],
  ])('FK_XML_LIMIT on %s', (_what, xml, limits, message) => {
    expect(() => parseEnvelope(xml, { limits })).toThrow(
      expect.objectContaining({ code: 'FK_XML_LIMIT', message: expect.stringContaining(message) }),
    )
  })

  it('gives FK_XML_PARSE with line, column and a redacted excerpt', () => {
    const xml = `<soap:Envelope xmlns:soap="${SOAP}">\n<soap:Body>\n  <R><Name>Jane Secret</Nme></R>\n</soap:Body></soap:Envelope>`
    let error: unknown
    try {
      parseEnvelope(xml)
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({ code: 'FK_XML_PARSE', details: { line: 3, column: 23 } })
    const details = (error as { details: { excerpt: string } }).details
    expect(details.excerpt).not.toContain('Jane')
    expect(details.excerpt).toContain('</Nme>')
    expect((error as Error).message).toContain('line 3, column 23')
  })

  it.each([
    ['an unclosed element', env('<R>')],
    ['a stray end tag', `${env('<R/>')}</x>`],
    ['text outside the root', `${env('<R/>')}junk`],
    ['an unquoted attribute', env('<R a=1/>')],
    ['a second root', `${env('<R/>')}${env('<R/>')}`],
    ['an undeclared prefix', env('<q:R/>')],
    ['an empty document', ''],
  ])('FK_XML_PARSE for %s', (_what, xml) => {
    expect(() => parseEnvelope(xml)).toThrow(expect.objectContaining({ code: 'FK_XML_PARSE' }))
  })
})

describe('fuzzing parseEnvelope with mutated envelopes', () => {
  const seed = buildEnvelope({
    version: '1.1',
    body: {
      name: 'GetEmployeesResponse',
      namespace: NS,
      value: {
        Employee: [
          { '@v': '1', Id: '006', Notes: { '#cdata': 'a<b' } },
          { Id: '7', Manager: null },
        ],
        Total: 2,
      },
    },
  })
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.oneof(
        fc.string(),
        fc.constantFrom(
          '<',
          '>',
          '&',
          ']]>',
          '<!DOCTYPE x>',
          '<a:',
          'xmlns:a=""',
          '"',
          '<![CDATA[',
          '<!--',
          '&#0;',
          '&#x110000;',
        ),
      ),
    }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  )
  const apply = (xml: string, mutations: { kind: string; at: number; length?: number; text?: string }[]) => {
    let out = xml
    for (const m of mutations) {
      const at = m.at % (out.length + 1)
      if (m.kind === 'delete') out = out.slice(0, at) + out.slice(at + (m.length ?? 1))
      else if (m.kind === 'insert') out = out.slice(0, at) + (m.text ?? '') + out.slice(at)
      else out = out.slice(0, at) + out.slice(at, at + (m.length ?? 1)) + out.slice(at)
    }
    return out
  }

  it('parseEnvelope: a result or a typed Fieldkit error, never anything else, never a hang', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const xml = apply(seed, mutations)
        const started = performance.now()
        try {
          parseEnvelope(xml, { arrays: ['GetEmployeesResponse/Employee'] })
        } catch (error) {
          expect(isFieldkitError(error)).toBe(true)
          expect((error as { code: string }).code).toMatch(
            /^FK_(XML_PARSE|XML_LIMIT|SOAP_NOT_ENVELOPE|SOAP_FAULT|SOAP_VALUE)$/,
          )
        }
        expect(performance.now() - started).toBeLessThan(1000)
      }),
      { numRuns: 1500 },
    )
  })

  it('streamRecords: the same, fed in small chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 64 }),
        async (mutations, size) => {
          const xml = apply(seed, mutations)
          const chunks = Array.from({ length: Math.ceil(xml.length / size) }, (_, i) =>
            xml.slice(i * size, (i + 1) * size),
          )
          try {
            for await (const _ of streamRecords(chunks, { record: 'GetEmployeesResponse/Employee' })) {
              // drain
            }
          } catch (error) {
            expect(isFieldkitError(error)).toBe(true)
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})
