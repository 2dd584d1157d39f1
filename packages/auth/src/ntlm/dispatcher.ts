import { randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { Logger } from '@fieldkit/core'
import { Client, DecoratorHandler, Dispatcher, errors } from 'undici'
import { parseChallenges } from '../challenge'
import { AuthError } from '../errors'
import { CLIENT_FLAGS, decodeChallenge, encodeAuthenticate, encodeNegotiate, Flags, setMic } from './messages'
import { computeMic, fileTimeNow, ntlmv2Responses } from './ntlmv2'

/** Who authenticates: the NT response key is computed once, the password is not kept. */
export interface NtlmIdentity {
  user: string
  domain: string
  workstation: string
  responseKey: Buffer
}

/** Options of {@link NtlmDispatcher}. */
export interface NtlmDispatcherOptions {
  /** Authenticated connections per origin (default 8); more concurrent requests wait for a free one. */
  connections: number
  connect?: Client.Options['connect']
  log: Logger
}

type Job = { opts: Dispatcher.DispatchOptions; handler: Dispatcher.DispatchHandler }
interface Slot {
  client: Client
  /** `fresh`: the connection must run the handshake before its next request. */
  state: 'fresh' | 'ready'
  busy: boolean
  id: number
}

/** Forwards everything to the caller's handler and reports the final status once the response is over. */
class Observed implements Dispatcher.DispatchHandler {
  readonly #inner: Required<Dispatcher.DispatchHandler>
  readonly #done: (status: number, headers: IncomingHttpHeaders) => void
  #status = 0
  #headers: IncomingHttpHeaders = {}
  #reported = false

  constructor(handler: Dispatcher.DispatchHandler, done: (status: number, headers: IncomingHttpHeaders) => void) {
    // DecoratorHandler turns a handler of either undici API (onHeaders/onData or onResponseStart/…) into the new one.
    this.#inner = new DecoratorHandler(handler) as unknown as Required<Dispatcher.DispatchHandler>
    this.#done = done
  }
  #report(): void {
    if (this.#reported) return
    this.#reported = true
    this.#done(this.#status, this.#headers)
  }
  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#inner.onRequestStart(controller, context)
  }
  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    socket: never,
  ): void {
    this.#inner.onRequestUpgrade(controller, status, headers, socket)
  }
  onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    message?: string,
  ): void {
    this.#status = status
    this.#headers = headers
    this.#inner.onResponseStart(controller, status, headers, message)
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#inner.onResponseData(controller, chunk)
  }
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.#report()
    this.#inner.onResponseEnd(controller, trailers)
  }
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#report()
    this.#inner.onResponseError(controller, error)
  }
}

function fail(handler: Dispatcher.DispatchHandler, error: Error): void {
  ;(new DecoratorHandler(handler) as unknown as Required<Dispatcher.DispatchHandler>).onResponseError(
    null as unknown as Dispatcher.DispatchController,
    error,
  )
}

/** Request headers as a plain record, whatever form the caller used. */
function headerRecord(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  if (headers == null) return out
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1])
    return out
  }
  const entries =
    typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function'
      ? [...(headers as Iterable<[string, string | string[] | undefined]>)]
      : Object.entries(headers as Record<string, string | string[] | undefined>)
  for (const [name, value] of entries) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return out
}

/** The NTLM (or Negotiate-wrapped NTLM) token of a 401, if the server sent one. */
function challengeToken(headers: IncomingHttpHeaders, scheme: string): Buffer | undefined {
  const found = parseChallenges(headers['www-authenticate']).find(
    (c) => c.scheme.toLowerCase() === scheme.toLowerCase() && c.token68 !== undefined,
  )
  return found?.token68 === undefined ? undefined : Buffer.from(found.token68, 'base64')
}

function offers(headers: IncomingHttpHeaders, scheme: string): boolean {
  try {
    return parseChallenges(headers['www-authenticate']).some((c) => c.scheme.toLowerCase() === scheme.toLowerCase())
  } catch {
    return false
  }
}

/**
 * An undici Dispatcher that authenticates each connection with NTLMv2 before using it: per origin, a small pool of
 * single-connection `Client`s; a connection runs the whole handshake (NEGOTIATE → CHALLENGE → AUTHENTICATE carrying
 * the real request) with nothing else on it, then serves later requests as an authenticated connection. Reached
 * as `ntlm(...).dispatcher`; compose interceptors on it for connection-bound auth.
 *
 * @example
 * ```ts
 * const auth = ntlm({ username: 'svc-erp', password, domain: 'CORP' })
 * const dispatcher = auth.dispatcher.compose(interceptors.retry({ retries: 2 }))
 * await fetch('https://erp.corp.example/api/orders', { dispatcher })
 * ```
 */
export class NtlmDispatcher extends Dispatcher {
  readonly #identity: NtlmIdentity
  readonly #options: NtlmDispatcherOptions
  readonly #pools = new Map<string, { slots: Slot[]; queue: Job[] }>()
  #closed = false
  #nextId = 0
  /** `NTLM` until a server offers only `Negotiate`. */
  #scheme = 'NTLM'
  /** Connections that lost their authentication (a 401 on a ready connection), not yet answered by challenge(). */
  resets = 0

  constructor(identity: NtlmIdentity, options: NtlmDispatcherOptions) {
    super()
    this.#identity = identity
    this.#options = options
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.#closed) {
      fail(handler, new errors.ClientClosedError())
      return false
    }
    const origin = String(opts.origin)
    let pool = this.#pools.get(origin)
    if (pool === undefined) {
      pool = { slots: [], queue: [] }
      this.#pools.set(origin, pool)
    }
    pool.queue.push({ opts, handler })
    this.#pump(origin, pool)
    return true
  }

  #pump(origin: string, pool: { slots: Slot[]; queue: Job[] }): void {
    while (pool.queue.length > 0 && !this.#closed) {
      let slot = pool.slots.find((s) => !s.busy && s.state === 'ready') ?? pool.slots.find((s) => !s.busy)
      if (slot === undefined && pool.slots.length < this.#options.connections) {
        const client = new Client(origin, { pipelining: 1, connect: this.#options.connect })
        const created: Slot = { client, state: 'fresh', busy: false, id: ++this.#nextId }
        client.on('disconnect', () => {
          created.state = 'fresh'
        })
        pool.slots.push(created)
        slot = created
      }
      if (slot === undefined) return
      const job = pool.queue.shift() as Job
      slot.busy = true
      const release = (s: Slot) => {
        s.busy = false
        this.#pump(origin, pool)
      }
      const run =
        slot.state === 'fresh'
          ? this.#handshake(slot, job, release)
          : Promise.resolve().then(() => this.#plain(slot, job, release))
      run.catch((error: unknown) => {
        fail(job.handler, error instanceof Error ? error : new Error(String(error)))
        release(slot)
      })
    }
  }

  /** Sends a request as it is; `authenticated`: on a connection that completed a handshake. */
  #plain(slot: Slot, job: Job, release: (s: Slot) => void, authenticated = true): void {
    slot.client.dispatch(
      job.opts,
      new Observed(job.handler, (status, headers) => {
        if (status === 401 && (offers(headers, 'NTLM') || offers(headers, 'Negotiate'))) {
          slot.state = 'fresh'
          if (authenticated) this.resets++
        }
        release(slot)
      }),
    )
  }

  async #roundTrip(slot: Slot, job: Job, authorization: string) {
    const headers = headerRecord(job.opts.headers)
    delete headers['content-length']
    delete headers['transfer-encoding']
    delete headers.expect
    headers.authorization = authorization
    const res = await slot.client.request({ path: job.opts.path, method: job.opts.method, headers })
    await res.body.dump()
    return res
  }

  async #handshake(slot: Slot, job: Job, release: (s: Slot) => void): Promise<void> {
    const negotiate = encodeNegotiate()
    let scheme = this.#scheme
    let res = await this.#roundTrip(slot, job, `${scheme} ${negotiate.toString('base64')}`)
    let token = res.statusCode === 401 ? challengeToken(res.headers, scheme) : undefined
    if (token === undefined && res.statusCode === 401 && scheme === 'NTLM' && offers(res.headers, 'Negotiate')) {
      scheme = 'Negotiate'
      res = await this.#roundTrip(slot, job, `${scheme} ${negotiate.toString('base64')}`)
      token = res.statusCode === 401 ? challengeToken(res.headers, scheme) : undefined
    }
    if (token === undefined) {
      // The server did not run NTLM with us: send the request as it is and let the caller see the answer.
      if (res.statusCode !== 401) slot.state = 'ready'
      this.#plain(slot, job, release, false)
      return
    }
    if (String(res.headers.connection ?? '').toLowerCase() === 'close') {
      throw new AuthError({
        code: 'FK_AUTH_NTLM_CONNECTION',
        message: `[fieldkit/auth] ${String(job.opts.origin)} closed the connection in the middle of the NTLM handshake`,
        hint: 'NTLM authenticates a connection: check that no proxy or load balancer between you and the server closes or re-balances keep-alive connections',
        details: { scheme },
      })
    }
    this.#scheme = scheme
    const challenge = decodeChallenge(token)
    const id = this.#identity
    const r = ntlmv2Responses({
      responseKey: id.responseKey,
      serverChallenge: challenge.serverChallenge,
      clientChallenge: randomBytes(8),
      time: fileTimeNow(),
      targetInfo: challenge.targetInfo,
    })
    const flags = ((challenge.flags & CLIENT_FLAGS) | Flags.NTLM | Flags.VERSION) >>> 0
    const authenticate = encodeAuthenticate({
      flags,
      lmResponse: r.lmChallengeResponse,
      ntResponse: r.ntChallengeResponse,
      domain: id.domain,
      user: id.user,
      workstation: id.workstation,
      withMic: r.micRequired,
    })
    // No KEY_EXCH: the exported session key is the session base key (MS-NLMP section 3.4.5.1 / 3.1.5.1.2).
    if (r.micRequired) setMic(authenticate, computeMic(r.sessionBaseKey, negotiate, challenge.raw, authenticate))
    this.#options.log.debug({ scheme, connection: slot.id, mic: r.micRequired }, 'ntlm handshake')
    const headers = headerRecord(job.opts.headers)
    headers.authorization = `${scheme} ${authenticate.toString('base64')}`
    slot.client.dispatch(
      { ...job.opts, headers },
      new Observed(job.handler, (status) => {
        slot.state = status === 401 ? 'fresh' : 'ready'
        release(slot)
      }),
    )
  }

  override async close(): Promise<void> {
    this.#closed = true
    const clients: Client[] = []
    for (const pool of this.#pools.values()) {
      for (const job of pool.queue.splice(0)) fail(job.handler, new errors.ClientClosedError())
      for (const slot of pool.slots) clients.push(slot.client)
    }
    this.#pools.clear()
    await Promise.all(clients.map((c) => (c.closed ? undefined : c.close())))
  }

  override async destroy(): Promise<void> {
    this.#closed = true
    const clients: Client[] = []
    for (const pool of this.#pools.values()) {
      for (const job of pool.queue.splice(0)) fail(job.handler, new errors.ClientDestroyedError())
      for (const slot of pool.slots) clients.push(slot.client)
    }
    this.#pools.clear()
    await Promise.all(clients.map((c) => (c.destroyed ? undefined : c.destroy())))
  }
}
