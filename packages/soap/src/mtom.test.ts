import { describe, expect, it } from 'vitest'
import { parseEnvelope } from './envelope-parse'
import { parseMultipartRelated } from './mtom'

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/'
const xml = `<s:Envelope xmlns:s="${SOAP}"><s:Body><R><Doc><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:doc%401"/></Doc><Name>a.bin</Name></R></s:Body></s:Envelope>`
const binary = Buffer.from([0, 1, 2, 13, 10, 45, 45, 255, 254])

function multipart(parts: { id: string; body: Buffer; encoding?: string }[], boundary = 'b1') {
  return Buffer.concat([
    ...parts.flatMap((p) => [
      Buffer.from(
        `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-ID: <${p.id}>\r\n${p.encoding ? `Content-Transfer-Encoding: ${p.encoding}\r\n` : ''}\r\n`,
      ),
      p.body,
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${boundary}--\r\n`),
  ])
}

describe('MTOM/XOP', () => {
  it('resolves xop:Include to the attachment bytes (binary and base64 parts)', () => {
    for (const encoding of [undefined, 'base64']) {
      const body = multipart([
        { id: 'root', body: Buffer.from(xml) },
        {
          id: 'doc@1',
          body: encoding ? Buffer.from(binary.toString('base64')) : binary,
          ...(encoding ? { encoding } : {}),
        },
      ])
      const { root, attachments } = parseMultipartRelated(
        body,
        'multipart/related; type="application/xop+xml"; boundary="b1"; start="<root>"',
      )
      const out = parseEnvelope(root, { attachments }).body as { R: { Doc: Buffer; Name: string } }
      expect(out.R.Doc.equals(binary)).toBe(true)
      expect(out.R.Name).toBe('a.bin')
    }
  })

  it('reports a missing attachment and a broken multipart body with typed errors', () => {
    const body = multipart([{ id: 'root', body: Buffer.from(xml) }])
    const { root, attachments } = parseMultipartRelated(body, 'multipart/related; boundary=b1')
    expect(() => parseEnvelope(root, { attachments })).toThrow(expect.objectContaining({ code: 'FK_SOAP_MTOM' }))
    expect(() => parseMultipartRelated(body, 'multipart/related')).toThrow(
      expect.objectContaining({ code: 'FK_SOAP_MTOM' }),
    )
    expect(() => parseMultipartRelated(body.subarray(0, 40), 'multipart/related; boundary=b1')).toThrow(
      expect.objectContaining({ code: 'FK_SOAP_MTOM' }),
    )
  })
})
