import type { Dispatcher } from 'undici'
import { HttpError } from '../errors'
import { errorCode } from '../retry-policy'
import type { Call } from './call'
import type { ClientContext } from './context'

type Headers = Record<string, string | string[] | undefined>

const EMPTY = Buffer.alloc(0)
const NO_TRAILERS: Readonly<Record<string, string>> = Object.freeze({})

/**
 * One attempt of the client, read whole before anything outside sees it: the body is collected (refused above
 * `maxResponseBytes`), the attempt's outcome is noted on the {@link Call} for its log line, the `afterResponse` hooks
 * run, and only then is the answer passed on, as one start, one chunk and one end. A connection lost mid-body is therefore a failure of the attempt, which the retry layer may retry, not
 * a broken answer.
 *
 * @example
 * ```ts
 * dispatch(options, new WholeAnswer(context, call, handler))
 * ```
 */
export class WholeAnswer implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined
  #status = 0
  #headers: Headers = {}
  #first: Buffer | undefined
  #chunks: Buffer[] | undefined
  #size = 0
  #done = false
  readonly #t0 = performance.now()

  constructor(
    private readonly context: ClientContext,
    private readonly call: Call,
    private readonly handler: Dispatcher.DispatchHandler,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#controller = controller
    this.handler.onRequestStart?.(controller, context)
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: Headers): void {
    this.#status = status
    this.#headers = headers
    const length = headers['content-length']
    const max = this.context.config.maxResponseBytes
    if (typeof length === 'string' && Number(length) > max) controller.abort(this.#tooLarge(Number(length)))
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#size += chunk.length
    if (this.#size > this.context.config.maxResponseBytes) {
      controller.abort(this.#tooLarge(this.#size))
      return
    }
    if (this.#first === undefined) this.#first = chunk
    else if (this.#chunks === undefined) this.#chunks = [this.#first, chunk]
    else this.#chunks.push(chunk)
  }

  onResponseEnd(): void {
    if (this.#done) return
    this.#done = true
    const status = this.#status
    this.call.attempted(this.#t0, status, undefined)
    if (status === 429) this.context.counters.status429 += 1
    const body = this.#chunks !== undefined ? Buffer.concat(this.#chunks, this.#size) : (this.#first ?? EMPTY)
    const hooks = this.context.config.hooks.afterResponse
    if (hooks.length === 0) {
      this.#pass(body)
      return
    }
    this.#afterResponse(hooks).then(
      () => this.#pass(body),
      (error: unknown) => this.handler.onResponseError?.(this.#controller as never, this.call.stepFailed(error)),
    )
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#done) return
    this.#done = true
    if (this.call.stopped === undefined) this.call.attempted(this.#t0, undefined, errorCode(error))
    this.handler.onResponseError?.(this.#controller as never, error)
  }

  #pass(body: Buffer): void {
    const controller = this.#controller as Dispatcher.DispatchController
    const handler = this.handler
    handler.onResponseStart?.(controller, this.#status, this.#headers as never, '')
    if (body.length > 0) handler.onResponseData?.(controller, body)
    handler.onResponseEnd?.(controller, NO_TRAILERS as never)
  }

  async #afterResponse(hooks: ClientContext['config']['hooks']['afterResponse']): Promise<void> {
    const call = this.call
    const durationMs = performance.now() - this.#t0
    for (const hook of hooks) {
      await hook({
        method: call.hop.method,
        url: `${call.hop.origin}${call.sentPath}`,
        status: this.#status,
        headers: this.#headers,
        attempt: call.sends,
        durationMs,
      })
    }
  }

  #tooLarge(bytes: number): HttpError {
    const max = this.context.config.maxResponseBytes
    return new HttpError({
      code: 'FK_HTTP_RESPONSE_TOO_LARGE',
      message: `[fieldkit/http] ${this.call.hop.method} ${this.call.hop.url()} answered a body of at least ${bytes} bytes, above maxResponseBytes (${max})`,
      hint: 'Ask the API for less (filters, paging) or raise maxResponseBytes if this size is expected',
      status: this.#status,
      details: { bytes, maxResponseBytes: max },
    })
  }
}
