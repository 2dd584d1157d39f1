import { describeValue } from '@fieldkit/core'
import { xmlLimitError, xmlParseError } from './errors'

/** Safety limits on XML Fieldkit reads. DOCTYPE is never accepted and only the five predefined entities exist. */
export interface XmlLimits {
  /** Largest document in bytes (default 64 MiB for whole documents; unlimited for the streaming iterator). */
  maxBytes?: number
  /** Deepest element nesting (default 128). */
  maxDepth?: number
  /** Most attributes on one element, namespace declarations included (default 256). */
  maxAttributes?: number
  /**
   * `streamRecords` only: the longest one record may be, and the longest run of text between records, counted in
   * characters of the decoded stream (default 32 MiB). Bounds memory however the stream is shaped.
   */
  maxRecordBytes?: number
}

export interface ResolvedLimits {
  maxBytes: number
  maxDepth: number
  maxAttributes: number
  maxRecordBytes: number
}

export const DEFAULT_LIMITS: ResolvedLimits = {
  // Whole documents are held in memory; past this, use the streaming record iterator.
  maxBytes: 64 * 1024 * 1024,
  // SOAP bodies are rarely deeper than 20; 128 leaves room and stops stack-exhausting input.
  maxDepth: 128,
  // Generous for real elements, small enough that an attribute flood is refused quickly.
  maxAttributes: 256,
  // One record is held whole while it is built; real records are kilobytes, a 500 MB text node is an attack.
  maxRecordBytes: 32 * 1024 * 1024,
}

export function resolveLimits(limits: XmlLimits | undefined, where: string): ResolvedLimits {
  const out = { ...DEFAULT_LIMITS }
  for (const key of ['maxBytes', 'maxDepth', 'maxAttributes', 'maxRecordBytes'] as const) {
    const value = limits?.[key]
    if (value === undefined) continue
    if (!(value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value > 0))) {
      throw xmlOptionsError(`Expected \`${where}.${key}\` to be a positive integer, got ${describeValue(value)}`)
    }
    out[key] = value
  }
  return out
}

function xmlOptionsError(message: string) {
  return xmlLimitError(message, 'options', {})
}

const NAME_START = /[A-Za-z_\u00C0-\uFFFF]/
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/

/**
 * Checks that `xml` is well-formed enough to hand to a parser, within the limits, and without DOCTYPE: matching
 * tags, quoted attributes, known entities only, one root. Throws `FK_XML_LIMIT` or `FK_XML_PARSE` (with line and
 * column); returns nothing when the document is fine. Runs at several hundred MB/s, ahead of the real parse.
 */
// A hot loop kept as one function on purpose: the pre-scan runs over every character of every buffered response ahead
// of the parse, and its branches share the cursor and the tag stack; split, each helper would take or close over that
// state per character. A split version has not been measured yet (docs/decisions/soap-streaming.md, "The pre-scan
// stays one loop").
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the measured one-pass XML safety scan (docs/decisions/soap-streaming.md)
export function checkXml(xml: string, limits: ResolvedLimits, source: string): void {
  if (xml.length > limits.maxBytes || (xml.length * 3 > limits.maxBytes && Buffer.byteLength(xml) > limits.maxBytes)) {
    throw xmlLimitError(`larger than ${limits.maxBytes} bytes`, source, { maxBytes: limits.maxBytes })
  }
  const stack: string[] = []
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0
  let sawRoot = false
  const n = xml.length
  // Next positions of "&" and "]]>", cached so that a document without either is not rescanned per text node.
  let nextAmp = -2
  let nextCdEnd = -2
  const checkEntities = (from: number, to: number) => {
    if (nextAmp !== -1 && nextAmp < from) nextAmp = xml.indexOf('&', from)
    while (nextAmp !== -1 && nextAmp < to) {
      if (!ENTITY.test(xml.slice(nextAmp, nextAmp + 12))) {
        throw xmlParseError(
          xml,
          nextAmp,
          'an entity reference other than the predefined ones or a character reference',
          source,
        )
      }
      nextAmp = xml.indexOf('&', nextAmp + 1)
    }
  }
  while (i < n) {
    const lt = xml.indexOf('<', i)
    const textEnd = lt === -1 ? n : lt
    if (textEnd > i) {
      if (stack.length === 0) {
        if (xml.slice(i, textEnd).trim() !== '') throw xmlParseError(xml, i, 'text outside the root element', source)
      } else {
        if (nextCdEnd !== -1 && nextCdEnd < i) nextCdEnd = xml.indexOf(']]>', i)
        if (nextCdEnd !== -1 && nextCdEnd < textEnd) throw xmlParseError(xml, nextCdEnd, '"]]>" in text', source)
        checkEntities(i, textEnd)
      }
    }
    if (lt === -1) break
    const c = xml.charCodeAt(lt + 1)
    if (c === 63 /* ? */) {
      const end = xml.indexOf('?>', lt + 2)
      if (end === -1) throw xmlParseError(xml, lt, 'unterminated processing instruction', source)
      i = end + 2
      continue
    }
    if (c === 33 /* ! */) {
      if (xml.startsWith('!--', lt + 1)) {
        const end = xml.indexOf('-->', lt + 4)
        if (end === -1) throw xmlParseError(xml, lt, 'unterminated comment', source)
        i = end + 3
        continue
      }
      if (xml.startsWith('![CDATA[', lt + 1)) {
        if (stack.length === 0) throw xmlParseError(xml, lt, 'CDATA outside the root element', source)
        const end = xml.indexOf(']]>', lt + 9)
        if (end === -1) throw xmlParseError(xml, lt, 'unterminated CDATA section', source)
        i = end + 3
        continue
      }
      if (/^!DOCTYPE/i.test(xml.slice(lt + 1, lt + 9)) || /^!ENTITY/i.test(xml.slice(lt + 1, lt + 8))) {
        const { line, column } = lineOf(xml, lt)
        throw xmlLimitError(`a DOCTYPE declaration at line ${line}, column ${column} (never accepted)`, source, {
          line,
          column,
        })
      }
      throw xmlParseError(xml, lt, 'unexpected "<!"', source)
    }
    if (c === 47 /* / */) {
      const end = xml.indexOf('>', lt + 2)
      if (end === -1) throw xmlParseError(xml, lt, 'unterminated end tag', source)
      const name = xml.slice(lt + 2, end).trimEnd()
      const open = stack.pop()
      if (open === undefined) throw xmlParseError(xml, lt, `end tag </${name}> without a start tag`, source)
      if (open !== name) throw xmlParseError(xml, lt, `end tag </${name}> does not match <${open}>`, source)
      i = end + 1
      continue
    }
    // Start tag.
    if (stack.length === 0 && sawRoot) throw xmlParseError(xml, lt, 'a second root element', source)
    let j = lt + 1
    if (!NAME_START.test(xml[j] ?? '')) throw xmlParseError(xml, lt, 'a "<" that does not start a tag', source)
    while (j < n) {
      const cc = xml.charCodeAt(j)
      if (cc === 32 || cc === 9 || cc === 10 || cc === 13 || cc === 62 || cc === 47) break
      if (cc === 60 || cc === 34 || cc === 39 || cc === 61)
        throw xmlParseError(xml, j, 'an invalid character in a tag name', source)
      j++
    }
    const name = xml.slice(lt + 1, j)
    let attributes = 0
    let selfClosing = false
    let closed = false
    let expectName = true
    while (j < n) {
      const cc = xml.charCodeAt(j)
      if (cc === 62 /* > */) {
        closed = true
        break
      }
      if (cc === 47 /* / */) {
        if (xml.charCodeAt(j + 1) !== 62) throw xmlParseError(xml, j, 'a "/" inside a tag', source)
        selfClosing = true
        closed = true
        j++
        break
      }
      if (cc === 60) throw xmlParseError(xml, j, 'a "<" inside a tag', source)
      if (cc === 34 || cc === 39) throw xmlParseError(xml, j, 'an attribute value without a name', source)
      if (cc === 61 /* = */) {
        if (expectName) throw xmlParseError(xml, j, 'an "=" without an attribute name', source)
        j++
        while (
          j < n &&
          (xml.charCodeAt(j) === 32 || xml.charCodeAt(j) === 9 || xml.charCodeAt(j) === 10 || xml.charCodeAt(j) === 13)
        )
          j++
        const q = xml.charCodeAt(j)
        if (q !== 34 && q !== 39) throw xmlParseError(xml, j, 'an attribute value without quotes', source)
        const end = xml.indexOf(q === 34 ? '"' : "'", j + 1)
        if (end === -1) throw xmlParseError(xml, j, 'an unterminated attribute value', source)
        const lt2 = xml.indexOf('<', j + 1)
        if (lt2 !== -1 && lt2 < end) throw xmlParseError(xml, lt2, 'a "<" inside an attribute value', source)
        checkEntities(j + 1, end)
        attributes++
        if (attributes > limits.maxAttributes) {
          throw xmlLimitError(`more than ${limits.maxAttributes} attributes on <${name}>`, source, {
            maxAttributes: limits.maxAttributes,
          })
        }
        j = end + 1
        expectName = true
        const after = xml.charCodeAt(j)
        if (!(after === 32 || after === 9 || after === 10 || after === 13 || after === 62 || after === 47)) {
          throw xmlParseError(xml, j, 'no space between attributes', source)
        }
        continue
      }
      if (cc === 32 || cc === 9 || cc === 10 || cc === 13) {
        j++
        continue
      }
      // An attribute name.
      if (!expectName) throw xmlParseError(xml, j, 'an attribute without a value', source)
      while (j < n) {
        const ac = xml.charCodeAt(j)
        if (ac === 61 || ac === 32 || ac === 9 || ac === 10 || ac === 13 || ac === 62 || ac === 47 || ac === 60) break
        j++
      }
      expectName = false
      while (
        j < n &&
        (xml.charCodeAt(j) === 32 || xml.charCodeAt(j) === 9 || xml.charCodeAt(j) === 10 || xml.charCodeAt(j) === 13)
      )
        j++
      if (xml.charCodeAt(j) !== 61) throw xmlParseError(xml, j, 'an attribute without a value', source)
    }
    if (!closed) throw xmlParseError(xml, lt, 'an unterminated start tag', source)
    if (!expectName) throw xmlParseError(xml, j, 'an attribute without a value', source)
    sawRoot = true
    if (!selfClosing) {
      stack.push(name)
      if (stack.length > limits.maxDepth) {
        throw xmlLimitError(`elements nested deeper than ${limits.maxDepth}`, source, { maxDepth: limits.maxDepth })
      }
    }
    i = j + 1
  }
  if (stack.length > 0) throw xmlParseError(xml, n, `the document ends inside <${stack[stack.length - 1]}>`, source)
  if (!sawRoot) throw xmlParseError(xml, 0, 'no root element', source)
}

function lineOf(xml: string, offset: number) {
  let line = 1
  let start = 0
  for (let k = xml.indexOf('\n'); k !== -1 && k < offset; k = xml.indexOf('\n', k + 1)) {
    line++
    start = k + 1
  }
  return { line, column: offset - start + 1 }
}
