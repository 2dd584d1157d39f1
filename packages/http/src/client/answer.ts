import { isFieldkitError } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import { networkError, statusError } from '../failures'
import { REDIRECT_STATUSES } from '../redirect-policy'
import { HttpResponse } from '../response'
import { errorCode } from '../retry-policy'
import type { Call } from './call'
import type { ClientContext } from './context'

type Headers = Record<string, string | string[] | undefined>

const EMPTY = Buffer.alloc(0)

/**
 * What the client makes of the answer that comes out of its interceptors: a 2xx (or a redirect the client does not
 * follow further) as an {@link HttpResponse}, any other status as `FK_HTTP_STATUS` (or the response, with
 * `throwOnStatus: false`), a network failure the retry layer passed on as the error that names it. The request's
 * last log line is written here. `call.stop()` settles it at once.
 *
 * @example
 * ```ts
 * const response = await new Promise((resolve, reject) => dispatcher.dispatch(options, new ClientAnswer(context, call, resolve, reject)))
 * ```
 */
export class ClientAnswer implements Dispatcher.DispatchHandler {
  #status = 0
  #headers: Headers = {}
  /** The answer's body: the attempt layer passes it whole, as one chunk. */
  #body: Buffer | undefined
  #more: Buffer[] | undefined
  #settled = false

  constructor(
    private readonly context: ClientContext,
    private readonly call: Call,
    private readonly resolve: (response: HttpResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    call.onStop = (reason) => this.#fail(reason)
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.call.controller = controller
    if (this.call.stopped !== undefined) controller.abort(this.call.stopped)
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: Headers): void {
    this.#status = status
    this.#headers = headers
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#body === undefined) this.#body = chunk
    else {
      this.#more ??= [this.#body]
      this.#more.push(chunk)
    }
  }

  onResponseEnd(): void {
    if (this.#settled) return
    const { call, context } = this
    const status = this.#status
    const raw = {
      status,
      headers: this.#headers,
      body: this.#more !== undefined ? Buffer.concat(this.#more) : (this.#body ?? EMPTY),
    }
    const accepted =
      (status >= 200 && status < 300) ||
      (context.redirect !== undefined && REDIRECT_STATUSES.has(status) && typeof raw.headers.location === 'string')
    call.logLine(accepted ? 'debug' : 'warn')
    if (!accepted && call.throwsOnStatus) {
      this.#fail(statusError(call.hop, raw, call.sends, call.redactor))
      return
    }
    this.#settled = true
    const { method, origin } = call.hop
    this.resolve(new HttpResponse(raw, call.sends, method, origin, call.sentPath, call.redactor, call.secrets))
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#settled) return
    const { call, context } = this
    call.logLine('warn')
    if (call.stopped !== undefined || isFieldkitError(error)) {
      this.#fail(call.stopped ?? error)
      return
    }
    const hop = call.hop
    const outcomes = call.run?.outcomes ?? []
    this.#fail(
      networkError(hop, { code: errorCode(error), cause: error, retryable: hop.retryable, outcomes }, context.config),
    )
  }

  #fail(error: unknown): void {
    if (this.#settled) return
    this.#settled = true
    this.reject(error)
  }
}
