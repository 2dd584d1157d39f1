import { SoapError } from './errors'

/** A `multipart/related` (MTOM/XOP) body taken apart. */
export interface MultipartRelated {
  /** The root part (the SOAP envelope), decoded as UTF-8. */
  root: string
  /** Every other part by Content-ID (without the angle brackets). */
  attachments: Map<string, Buffer>
}

function mtomError(what: string): SoapError {
  return new SoapError({
    code: 'FK_SOAP_MTOM',
    message: `[fieldkit/soap] the multipart/related (MTOM) response is malformed: ${what}`,
    hint: 'Check the Content-Type boundary against the body, and that the service really sends MTOM (or turn MTOM off on the service)',
  })
}

/** Reads a parameter from a Content-Type value (`boundary`, `start`, …), quoted or not. */
export function contentTypeParam(contentType: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(contentType)
  return match ? (match[1] ?? match[2]) : undefined
}

/**
 * Splits an MTOM/XOP `multipart/related` response into the root envelope and its attachments by Content-ID, so
 * that `xop:Include href="cid:…"` elements resolve to Buffers.
 *
 * @example
 * ```ts
 * const { root, attachments } = parseMultipartRelated(body, response.headers['content-type'])
 * const { body: out } = parseEnvelope(root, { attachments })
 * ```
 */
export function parseMultipartRelated(body: Buffer, contentType: string): MultipartRelated {
  const boundary = contentTypeParam(contentType, 'boundary')
  if (!boundary) throw mtomError('no boundary in the Content-Type')
  const start = contentTypeParam(contentType, 'start')?.replace(/^<|>$/g, '')
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: { headers: Map<string, string>; content: Buffer }[] = []
  let at = body.indexOf(delimiter)
  if (at === -1) throw mtomError('the boundary never appears in the body')
  for (let guard = 0; guard < 10_000; guard++) {
    const afterDelimiter = at + delimiter.length
    if (body[afterDelimiter] === 0x2d && body[afterDelimiter + 1] === 0x2d) break // closing --boundary--
    const headerStart = body.indexOf('\r\n', afterDelimiter)
    if (headerStart === -1) throw mtomError('a part without headers')
    const headerEnd = body.indexOf('\r\n\r\n', headerStart)
    if (headerEnd === -1) throw mtomError('a part whose headers never end')
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4)
    if (next === -1) throw mtomError('the last part is not closed by the boundary')
    const headers = new Map<string, string>()
    for (const line of body
      .subarray(headerStart + 2, headerEnd)
      .toString('latin1')
      .split('\r\n')) {
      const colon = line.indexOf(':')
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
    }
    let content = body.subarray(headerEnd + 4, next)
    if ((headers.get('content-transfer-encoding') ?? '').toLowerCase() === 'base64') {
      content = Buffer.from(content.toString('latin1'), 'base64')
    }
    parts.push({ headers, content })
    at = next + 2
  }
  if (parts.length === 0) throw mtomError('no parts')
  const idOf = (p: { headers: Map<string, string> }) => (p.headers.get('content-id') ?? '').replace(/^<|>$/g, '')
  const rootPart = (start === undefined ? undefined : parts.find((p) => idOf(p) === start)) ?? parts[0]
  if (rootPart === undefined) throw mtomError('no root part')
  const attachments = new Map<string, Buffer>()
  for (const part of parts) if (part !== rootPart) attachments.set(idOf(part), Buffer.from(part.content))
  return { root: rootPart.content.toString('utf8'), attachments }
}
