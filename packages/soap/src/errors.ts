import { type ErrorDetail, FieldkitError } from '@fieldkit/core'

/** Every code a {@link SoapError} (or its {@link SoapFaultError}) carries. */
export type SoapErrorCode =
  | 'FK_SOAP_OPTIONS'
  | 'FK_SOAP_INPUT'
  | 'FK_SOAP_OPERATION'
  | 'FK_SOAP_WSDL'
  | 'FK_SOAP_WSDL_HOST'
  | 'FK_SOAP_TRANSPORT'
  | 'FK_SOAP_TIMEOUT'
  | 'FK_SOAP_HTTP_STATUS'
  | 'FK_SOAP_NOT_ENVELOPE'
  | 'FK_SOAP_NAMESPACE_CLASH'
  | 'FK_SOAP_SCHEMA'
  | 'FK_SOAP_VALUE'
  | 'FK_SOAP_MTOM'
  | 'FK_SOAP_FAULT'

/** The codes of {@link XmlError}. */
export type XmlErrorCode = 'FK_XML_LIMIT' | 'FK_XML_PARSE'

/**
 * Every error `@fieldkit/soap` throws about SOAP: bad options (`FK_SOAP_OPTIONS`) and input (`FK_SOAP_INPUT`),
 * unknown operations, WSDL problems, transport failures and timeouts, answers that are not SOAP, namespace clashes,
 * schema mismatches — and faults, as its subclass {@link SoapFaultError}, so catching `SoapError` catches them too.
 *
 * @example
 * ```ts
 * try { await svc.call('GetEmployees', {}) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_SOAP_NAMESPACE_CLASH') console.error(e.hint) // pass `namespaces`
 * }
 * ```
 */
export class SoapError<Code extends SoapErrorCode = SoapErrorCode> extends FieldkitError<Code> {
  override name = 'SoapError'
}

/**
 * Unsafe or malformed XML: `FK_XML_LIMIT` (a byte, depth, attribute or per-record limit was hit, or a DOCTYPE was
 * present) and `FK_XML_PARSE` (not well-formed; `details.line`, `details.column` and a redacted `details.excerpt`
 * say where).
 *
 * @example
 * ```ts
 * try { parseEnvelope(xml) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_XML_PARSE') console.error(e.details.line, e.details.column)
 * }
 * ```
 */
export class XmlError extends FieldkitError<XmlErrorCode> {
  override name = 'XmlError'
}

/** Which SOAP version a fault came in. */
export type SoapVersion = '1.1' | '1.2'

/** What a {@link SoapFaultError} carries, besides the message. */
export interface SoapFault {
  version: SoapVersion
  /** The fault code as a QName resolved to its namespace: `{ namespace, local }`, e.g. `Client` or `Sender`. */
  code: { namespace: string; local: string }
  /** SOAP 1.2 subcodes, outermost first (empty in 1.1). */
  subcodes: { namespace: string; local: string }[]
  /** `faultstring` (1.1) or the first `Reason/Text` (1.2). */
  reason: string
  /** `faultactor` (1.1) or `Role` (1.2), if present. */
  actor?: string
  /** `Node` (1.2), if present. */
  node?: string
  /** `detail` / `Detail`, normalised like any response body (namespaces resolved, nils as null), or undefined. */
  detail?: unknown
  /** HTTP status the fault came with, when it came over HTTP. */
  status?: number
}

/**
 * A SOAP fault answered by the service, 1.1 or 1.2, whatever the HTTP status (200 or 500). Never retried.
 *
 * @example
 * ```ts
 * try { await svc.call('GetEmployees', { departmentId: '9999' }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_SOAP_FAULT') console.log((e as SoapFaultError).fault.code.local)
 * }
 * ```
 */
export class SoapFaultError extends SoapError<'FK_SOAP_FAULT'> {
  override name = 'SoapFaultError'
  readonly fault: SoapFault

  constructor(fault: SoapFault, where: string) {
    const code = fault.code.local
    const sub = fault.subcodes.map((s) => s.local).join('/')
    super({
      code: 'FK_SOAP_FAULT',
      message: `[fieldkit/soap] ${where} answered a SOAP ${fault.version} fault ${code}${sub ? ` (${sub})` : ''}: ${truncate(fault.reason, 200)}`,
      hint: 'The service rejected the call; read fault.code, fault.reason and fault.detail. Faults are never retried',
      details: {
        version: fault.version,
        faultCode: code,
        faultNamespace: fault.code.namespace,
        subcodes: fault.subcodes.map((s) => s.local),
        ...(fault.status === undefined ? {} : { status: fault.status }),
      },
    })
    this.fault = fault
  }
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/** Position of `offset` in `text`, 1-based line and column. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1
    lineStart = i + 1
  }
  return { line, column: offset - lineStart + 1 }
}

/**
 * A short excerpt around `offset` with text content masked: markup is kept, letters and digits in text and
 * attribute values become `*`, so an excerpt shows the shape of the XML without a value that could be personal.
 */
export function redactedExcerpt(text: string, offset: number): string {
  const start = Math.max(0, offset - 40)
  const raw = text.slice(start, Math.min(text.length, offset + 40))
  let out = ''
  let inTag = false
  let quote = ''
  for (const ch of raw) {
    if (quote) {
      if (ch === quote) quote = ''
      out += ch === quote || !/[\p{L}\p{N}]/u.test(ch) ? ch : '*'
      continue
    }
    if (ch === '<') inTag = true
    else if (ch === '>') inTag = false
    else if (inTag && (ch === '"' || ch === "'")) quote = ch
    out += inTag || !/[\p{L}\p{N}]/u.test(ch) ? ch : '*'
  }
  return out.replace(/\s+/g, ' ')
}

export function xmlParseError(
  text: string,
  offset: number,
  what: string,
  source: string,
  cause?: unknown,
  extra: Record<string, ErrorDetail> = {},
): XmlError {
  const { line, column } = lineColumn(text, offset)
  return new XmlError({
    code: 'FK_XML_PARSE',
    message: `[fieldkit/soap] ${source} is not well-formed XML at line ${line}, column ${column}: ${what}`,
    hint: 'The service sent broken XML (often an HTML error page or a truncated body); check details.excerpt and the raw response',
    details: { line, column, offset, excerpt: redactedExcerpt(text, offset), ...extra },
    cause,
  })
}

export function xmlParseErrorAt(
  line: number,
  column: number,
  excerpt: string,
  what: string,
  source: string,
  cause?: unknown,
): XmlError {
  return new XmlError({
    code: 'FK_XML_PARSE',
    message: `[fieldkit/soap] ${source} is not well-formed XML at line ${line}, column ${column}: ${what}`,
    hint: 'The service sent broken XML (often an HTML error page or a truncated body); check details.excerpt and the raw response',
    details: { line, column, excerpt },
    cause,
  })
}

export function xmlLimitError(what: string, source: string, details: Record<string, ErrorDetail>): XmlError {
  return new XmlError({
    code: 'FK_XML_LIMIT',
    message: `[fieldkit/soap] ${source} exceeds a safety limit: ${what}`,
    hint: 'Raise limits.maxBytes / maxDepth / maxAttributes / maxRecordBytes if the document is legitimate; DOCTYPE and entity declarations are never accepted',
    details,
  })
}
