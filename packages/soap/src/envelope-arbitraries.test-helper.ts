import { isFieldkitError } from '@fieldkit/core'
import fc from 'fast-check'
import { expect } from 'vitest'
import { parseEnvelope, streamRecords } from './index'

// Generators and oracles shared by envelope.property.test.ts and stream-records.property.test.ts.
export const NS = 'urn:example:hr:employees:v1'
export const SOAP = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
}
export const XSI = 'http://www.w3.org/2001/XMLSchema-instance'
export const XOP = 'http://www.w3.org/2004/08/xop/include'

// What each reader may throw for input it cannot accept (README "Errors"); anything else is a bug.
export const PARSE_CODES = /^FK_(XML_PARSE|XML_LIMIT|SOAP_NOT_ENVELOPE|SOAP_FAULT|SOAP_MTOM|SOAP_NAMESPACE_CLASH)$/

// ---------------------------------------------------------------------------------------------------------------
// Values: any Unicode (lone surrogates included), mixed with the strings that break naive XML writers.

export const HOSTILE = [
  ']]>',
  '</',
  '</m:Name><m:Admin>true</m:Admin><m:Name>',
  '<!--',
  '-->',
  '--',
  '-',
  '<![CDATA[',
  '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY e "e">]>',
  '&',
  '&amp;',
  '&#x26;',
  '&lt;',
  '&e;',
  '<',
  '>',
  '"',
  "'",
  '"/><m:Admin a="',
  ' xmlns:m="urn:evil"',
  '\t',
  '\n',
  '\r',
  '\r\n',
  ' ',
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000B',
  '\u000C',
  '\u001F',
  '\u007F',
  '\u0085',
  '\u00A0',
  '\u2028',
  '\uFEFF',
  '\uFFFD',
  '\uFFFE',
  '\uFFFF',
  '\uD800',
  '\uDFFF',
  '\uD83D\uDE00',
]

export const text = fc
  .array(
    fc.oneof(
      fc.constantFrom(...HOSTILE),
      fc.string({ unit: 'binary', maxLength: 4 }),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''))

/** What XML 1.0 can carry of `value`: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
export const xmlChars = (value: string): string =>
  [...value]
    .filter((ch) => {
      const c = ch.codePointAt(0) as number
      return (
        c === 0x9 ||
        c === 0xa ||
        c === 0xd ||
        (c >= 0x20 && c <= 0xd7ff) ||
        (c >= 0xe000 && c <= 0xfffd) ||
        (c >= 0x10000 && c <= 0x10ffff)
      )
    })
    .join('')

// A CDATA section cannot escape a carriage return: the parser reads CR and CR LF as LF (XML 1.0 §2.11).
export const cdataChars = (value: string): string => xmlChars(value).replace(/\r\n?/g, '\n')

// Names the builder accepts, with the ones that are Object.prototype members.
export const name = fc.oneof(
  fc.stringMatching(/^[A-Za-z_][\w.-]{0,6}$/),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Envelope', 'Body', 'Fault', 'Include'),
)
// An unprefixed `xmlns` attribute is a namespace declaration, not data.
export const attributeName = name.filter((n) => n !== 'xmlns').map((n) => `@${n}`)

/** Entries to an object, `__proto__` included as an own key (as JSON.parse would give it). */
export const object = (entries: [string, unknown][]) => Object.fromEntries(entries)

export type Tree = { value: unknown; element: unknown; leaf: unknown; parent: unknown; textual: unknown }

// Elements: a text leaf, null (xsi:nil), two or more repeats, or an object with attributes and either child
// elements or text content (text, then a comment, then CDATA). Mixed content is left out: text between child
// elements is trimmed by design.
export const tree = fc.letrec<Tree>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('element'), tie('leaf')),
  leaf: fc.oneof(text, fc.constant(null)),
  element: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('textual'),
    tie('parent'),
    fc.array(fc.oneof(tie('leaf'), tie('textual'), tie('parent')), { minLength: 2, maxLength: 3 }),
  ),
  parent: fc
    .tuple(
      fc.uniqueArray(fc.tuple(attributeName, text), { selector: ([k]) => k, maxLength: 3 }),
      fc.uniqueArray(fc.tuple(name, tie('value')), { selector: ([k]) => k, minLength: 1, maxLength: 4 }),
    )
    .map(([attributes, children]) => object([...attributes, ...children])),
  textual: fc
    .tuple(
      fc.uniqueArray(fc.tuple(attributeName, text), { selector: ([k]) => k, maxLength: 3 }),
      fc.option(text, { nil: undefined }),
      fc.option(text, { nil: undefined }),
      fc.option(text, { nil: undefined }),
    )
    .map(([attributes, t, c, d]) =>
      object(
        [...attributes, ['#text', t], ['#comment', c], ['#cdata', d]].filter(
          (e): e is [string, string] => e[1] !== undefined,
        ),
      ),
    ),
}))

/** What parseEnvelope gives for `value` written by buildEnvelope; `prefix` is the key prefix of child elements. */
export function expected(value: unknown, prefix: string): unknown {
  if (value === null) return null
  if (typeof value === 'string') return xmlChars(value)
  if (Array.isArray(value)) return value.map((v) => expected(v, prefix))
  const entries = Object.entries(value as Record<string, unknown>)
  const attributes = entries
    .filter(([k]) => k.startsWith('@'))
    .map(([k, v]): [string, unknown] => [k, xmlChars(v as string)])
  const children = entries.filter(([k]) => !k.startsWith('@') && !k.startsWith('#'))
  if (children.length > 0)
    return object([...attributes, ...children.map(([k, v]): [string, unknown] => [prefix + k, expected(v, prefix)])])
  const o = value as Record<string, string | undefined>
  const content = xmlChars(o['#text'] ?? '') + cdataChars(o['#cdata'] ?? '')
  if (attributes.length === 0) return content
  return object(content === '' ? attributes : [...attributes, ['#text', content]])
}

export const envelopes = fc.record({
  version: fc.constantFrom<'1.1' | '1.2'>('1.1', '1.2'),
  elementForm: fc.constantFrom<'qualified' | 'unqualified'>('qualified', 'unqualified'),
  // The body namespace is written as an attribute value, so it is hostile too (but must not vanish entirely).
  namespace: fc.oneof(
    fc.constant(NS),
    text.map((t) => `urn:${t}`),
  ),
  body: tree.parent,
  header: tree.value,
  action: text,
  to: text,
  messageId: text,
})

export type Outcome = { ok: true; value: unknown } | { ok: false; code: string }

/** The outcome of a read that failed: only a Fieldkit error with one of the documented codes is acceptable. */
export function failed(error: unknown): Outcome {
  expect(isFieldkitError(error), String(error)).toBe(true)
  const code = (error as { code: string }).code
  expect(code).toMatch(PARSE_CODES)
  return { ok: false, code }
}

export function parseOutcome(xml: string): Outcome {
  try {
    return { ok: true, value: parseEnvelope(xml, { arrays: ['R/E'] }) }
  } catch (error) {
    return failed(error)
  }
}

export async function streamOutcome(chunks: Iterable<string | Uint8Array>): Promise<Outcome> {
  try {
    return { ok: true, value: await collect(chunks) }
  } catch (error) {
    return failed(error)
  }
}

export async function collect(chunks: Iterable<string | Uint8Array>): Promise<unknown[]> {
  const out: unknown[] = []
  for await (const r of streamRecords(chunks, { record: 'R/E' })) out.push(r)
  return out
}

/** `input` cut at the given points (sorted, deduplicated, taken modulo its length). */
export function split<T extends string | Uint8Array>(input: T, cuts: number[]): T[] {
  const at = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b)
  const out: T[] = []
  let from = 0
  for (const to of [...at, input.length]) {
    out.push(input.slice(from, to) as T)
    from = to
  }
  return out
}

// Token soup: the pieces of SOAP and XML syntax in random order, so that the readers get past the first byte.
export const soup = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '<',
        '>',
        '/',
        '</',
        '/>',
        '=',
        '"',
        "'",
        ' ',
        '\n',
        '&',
        '&amp;',
        '&#',
        '&#x',
        ';',
        'R',
        'E',
        ':',
        'soap:',
        'xmlns',
        `xmlns:soap="${SOAP['1.1']}"`,
        `xmlns:soap="${SOAP['1.2']}"`,
        '<soap:Envelope ',
        '</soap:Envelope>',
        '<soap:Body>',
        '</soap:Body>',
        '<soap:Fault>',
        '<R>',
        '</R>',
        '<E>',
        '</E>',
        '<![CDATA[',
        ']]>',
        '<!--',
        '-->',
        '<?',
        '?>',
        '<!DOCTYPE',
        '<!ENTITY',
        '\u0000',
        '\uD800',
        '\uFFFE',
        'é',
        '😀',
      ),
      fc.string({ unit: 'binary', maxLength: 3 }),
    ),
    { maxLength: 120 },
  )
  .map((parts) => parts.join(''))

// Well-formed bodies with hostile names, attributes and text: undeclared and rebound prefixes, faults in odd
// places, xsi:nil, xop:Include with broken cid: hrefs, Object.prototype member names, forbidden characters.
export const hostileName = fc.constantFrom(
  'R',
  'E',
  'R',
  'E',
  '__proto__',
  'constructor',
  'toString',
  'a:E',
  'q:E',
  'soap:Fault',
  'soap:Body',
  'soap:Envelope',
  'x:Include',
  'faultcode',
  'faultstring',
  'detail',
  'soap:Detail',
  'soap:Code',
  'soap:Value',
  'soap:Subcode',
  'soap:Reason',
  'soap:Text',
  'a:',
)
export const hostileAttribute = fc.constantFrom(
  ' xmlns:a="urn:a"',
  ' xmlns:x="urn:not-xop"',
  ` xmlns:a="${XOP}"`,
  ' xmlns:soap="urn:not-soap"',
  ' xmlns=""',
  ' xmlns="urn:d"',
  ' i:nil="true"',
  ' i:nil="1"',
  ' href="cid:%"',
  ' href="cid:%E0%A4%A"',
  ' href="cid:a%40b"',
  ' q:a="1"',
  ' a:a="&amp;&#0;"',
  ' xml:lang="en"',
  ' __proto__="x"',
  ' constructor="1"',
  ' a="1" a="2"',
)
export const hostileText = fc.constantFrom(
  '',
  'x',
  ' ',
  '006',
  '&amp;&lt;&#x1F600;',
  '&#xD800;',
  '&#x10FFFF;',
  '&#1114112;',
  '&#0;',
  '&unknown;',
  ']]>',
  '<![CDATA[<]]]]><![CDATA[>]]>',
  '<!-- c -->',
  '<?pi x?>',
  'soap:Client',
  'q:Nope',
  '\u0000',
  '\uFFFE',
  '\uD800',
  '\r\n',
  '<x:Include href="cid:%"/>',
  '<x:Include href="cid:%E0%A4%A"/>',
  '<x:Include href="cid:part%401"/>',
)
export const hostileBody = fc.letrec<{ node: string; element: string }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileText, tie('element')),
  element: fc
    .tuple(hostileName, fc.array(hostileAttribute, { maxLength: 3 }), fc.array(tie('node'), { maxLength: 4 }))
    .map(([n, attributes, children]) => `<${n}${attributes.join('')}>${children.join('')}</${n}>`),
}))
export const hostileDocuments = fc
  .tuple(fc.constantFrom<'1.1' | '1.2'>('1.1', '1.2'), fc.array(hostileBody.node, { maxLength: 3 }), fc.boolean())
  .map(([version, nodes, inRecords]) => {
    // Half of them as records, so that streamRecords at R/E has records to build.
    const body = inRecords ? `<R>${nodes.map((n) => `<E>${n}</E>`).join('')}</R>` : nodes.join('')
    return `<?xml version="1.0"?><soap:Envelope xmlns:soap="${SOAP[version]}" xmlns:i="${XSI}" xmlns:a="${NS}" xmlns:x="${XOP}"><soap:Body>${body}</soap:Body></soap:Envelope>`
  })

export const cuts = fc.array(fc.nat(), { maxLength: 12 })
