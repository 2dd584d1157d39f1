import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A loopback HTTP server on port 0 that answers each request with `handler`; the bodies it received are kept. */
export interface Loopback {
  url: string
  /** Request bodies, in order. */
  bodies: string[]
  close(): Promise<void>
}

export async function loopback(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<Loopback> {
  const bodies: string[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
    })
    req.on('end', () => {
      bodies.push(body)
      handler(req, res, body)
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections()
        server.close(() => ok())
      }),
  }
}

export const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/'

/** A SOAP 1.1 envelope around `body`. */
export const envelope11 = (body: string) =>
  `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${SOAP11}"><s:Body>${body}</s:Body></s:Envelope>`
