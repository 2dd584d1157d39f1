import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { getResponse, type RequestHandler } from 'msw'
import { MOCK_ACTION_HEADER } from './actions'
import { MockError } from './errors'

/** Header added to the Request a handler sees: which TCP connection carried it (for connection-bound auth). */
export const CONNECTION_HEADER = 'x-fieldkit-connection'
/** Header added to the Request a handler sees on a TLS server: the client certificate's subject CN, if any. */
export const CLIENT_CERT_HEADER = 'x-fieldkit-client-cert'

/** One request as the mock saw it, for assertions. */
export interface RecordedRequest {
  method: string
  /** Path with query, as sent. */
  path: string
  url: string
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>
  body: string
  /** Which connection carried it: the same number means the same socket. */
  connection: number
  /** Milliseconds since the server started. */
  at: number
}

/** What {@link serve} returns. */
export interface MockServer {
  /** `http://127.0.0.1:PORT` (or `https://…` with `tls`), no trailing slash. */
  url: string
  port: number
  /** Every request the mock saw, in arrival order. */
  requests: RecordedRequest[]
  /** Number of TCP connections accepted so far. */
  connections(): number
  /** Replaces the handlers (a test can change the scenario without a new port). */
  use(...handlers: RequestHandler[]): void
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>
}

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number
  /** Address to bind; loopback by default. */
  host?: string
  /** Serve HTTPS with this key and certificate (PEM); `requestCert` asks for a client certificate checked against `ca`. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer; requestCert?: boolean }
  /** Largest request body accepted, in bytes (default 64 MiB); larger ones get 413. */
  maxBodyBytes?: number
}

/**
 * Serves MSW request handlers on a real loopback socket, so that undici (whose sockets MSW's in-process
 * interception does not see) and any other client, curl included, can talk to them. Handlers match with a
 * leading `*` (`http.get('*\/api/orders', …)`), since the origin is only known once the port is.
 *
 * @example
 * ```ts
 * const mock = await serve([http.get('*\/ping', () => HttpResponse.json({ ok: true }))])
 * const res = await fetch(`${mock.url}/ping`)
 * await mock.close()
 * ```
 */
export async function serve(handlers: RequestHandler[], options: ServeOptions = {}): Promise<MockServer> {
  let active = [...handlers]
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const connectionIds = new WeakMap<Socket, number>()
  const started = performance.now()
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024
  let connectionCount = 0
  const scheme = options.tls ? 'https' : 'http'

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: 'mock handler threw', message: String((error as Error)?.message ?? error) }))
      } else {
        res.destroy()
      }
    })
  }

  const server: Server = options.tls
    ? createHttpsServer(
        { ...options.tls, rejectUnauthorized: options.tls.requestCert === true, requestCert: options.tls.requestCert },
        onRequest,
      )
    : createHttpServer(onRequest)
  server.keepAliveTimeout = 30_000

  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    connectionCount += 1
    connectionIds.set(socket, connectionCount)
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, maxBodyBytes)
    if (body === undefined) {
      res.writeHead(413, { connection: 'close' }).end()
      return
    }
    const socket = req.socket
    const connection = connectionIds.get(socket) ?? 0
    const path = req.url ?? '/'
    const url = `${scheme}://${req.headers.host ?? `127.0.0.1:${port}`}${path}`
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
    }
    requests.push({
      method: req.method ?? 'GET',
      path,
      url,
      headers,
      body: body.toString('utf8'),
      connection,
      at: performance.now() - started,
    })

    const abort = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) abort.abort()
    })
    const method = req.method ?? 'GET'
    const peer = options.tls ? (socket as TLSSocket).getPeerCertificate?.() : undefined
    const request = handlerRequest({ url, method, headers, body, connection, clientCn: peer?.subject?.CN, abort })

    const response = await getResponse(active, request)
    if (response === undefined) {
      // The path without its query: a query string may carry a token, and a mock never echoes a credential.
      const message = { error: 'no mock handler', method, path: path.split('?')[0] }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(message))
      return
    }
    if (response.type === 'error') {
      socket.resetAndDestroy()
      return
    }
    await writeResponse(response, res, socket)
  }

  const host = options.host ?? '127.0.0.1'
  const port = await listen(server, host, options.port ?? 0)

  return {
    url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests,
    connections: () => connectionCount,
    use(...next) {
      active = [...next]
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
        server.closeAllConnections?.()
      })
    },
  }
}

async function writeResponse(response: Response, res: ServerResponse, socket: Socket): Promise<void> {
  const action = response.headers.get(MOCK_ACTION_HEADER)
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== MOCK_ACTION_HEADER && name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies

  if (action?.startsWith('close-mid-body:')) {
    headers['content-length'] = action.slice('close-mid-body:'.length)
    res.writeHead(response.status, headers)
    res.write(Buffer.from(await response.arrayBuffer()), () => socket.destroy())
    return
  }

  res.writeHead(response.status, response.statusText || undefined, headers)
  if (response.body === null) {
    res.end()
    return
  }
  const reader = response.body.getReader()
  res.on('close', () => {
    if (!res.writableFinished) reader.cancel().catch(() => {})
  })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!res.write(value)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve))
      if (res.destroyed) return
    }
    res.end()
  } catch {
    res.destroy()
  }
}

/** The request body, or undefined once it grows past `max` bytes (the caller answers 413). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > max) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** The fetch Request a handler sees: the recorded headers plus which connection (and client certificate) carried it. */
function handlerRequest(parts: {
  url: string
  method: string
  headers: Record<string, string>
  body: Buffer
  connection: number
  clientCn: unknown
  abort: AbortController
}): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(parts.headers)) headers.set(name, value)
  headers.set(CONNECTION_HEADER, String(parts.connection))
  if (parts.clientCn) headers.set(CLIENT_CERT_HEADER, String(parts.clientCn))
  return new Request(parts.url, {
    method: parts.method,
    headers,
    body: parts.method === 'GET' || parts.method === 'HEAD' ? undefined : parts.body,
    signal: parts.abort.signal,
  })
}

/** Starts listening; the port actually bound (0 picks a free one), or FK_MOCK_LISTEN. */
async function listen(server: Server, host: string, port: number): Promise<number> {
  server.listen(port, host)
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', (error) =>
      reject(
        new MockError({
          code: 'FK_MOCK_LISTEN',
          message: `[fieldkit/mocks] could not listen on ${host}:${port}`,
          hint: 'Pick another port (0 picks a free one) or stop the process that holds it',
          cause: error,
        }),
      ),
    )
  })
  const address = server.address()
  return typeof address === 'object' && address !== null ? address.port : 0
}
