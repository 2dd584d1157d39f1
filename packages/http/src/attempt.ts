import type { Dispatcher } from 'undici'
import { HttpError } from './errors'

/** One answer, its body read in full. */
export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

const EMPTY = Buffer.alloc(0)

/**
 * An undici dispatch handler that reads one response into memory, refusing bodies above `maxBytes`, and calls
 * `onHeaders` as soon as the headers are in (the rate limiter's slot is released there). Aborting before undici
 * started the request is remembered and applied when it does.
 */
export class AttemptHandler implements Dispatcher.DispatchHandler {
  status = 0
  headers: Record<string, string | string[] | undefined> = {}
  private controller: Dispatcher.DispatchController | undefined
  private chunks: Buffer[] | undefined
  private first: Buffer | undefined
  private size = 0
  private settled = false
  private pendingAbort: Error | undefined

  constructor(
    private readonly resolve: (value: RawResponse) => void,
    private readonly reject: (error: Error) => void,
    private readonly maxBytes: number,
    private readonly describe: () => string,
    private onHeadersIn: (() => void) | undefined,
  ) {}

  /** Stops the attempt now (caller abort, total deadline): rejects at once, aborts the request when undici can. */
  abort(reason: Error): void {
    if (this.settled) return
    this.released()
    if (this.controller === undefined) this.pendingAbort = reason
    else this.controller.abort(reason)
    this.fail(reason)
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.pendingAbort !== undefined) controller.abort(this.pendingAbort)
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    this.status = statusCode
    this.headers = headers
    this.released()
    const length = headers['content-length']
    if (typeof length === 'string' && Number(length) > this.maxBytes) controller.abort(this.tooLarge(Number(length)))
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.size += chunk.length
    if (this.size > this.maxBytes) {
      controller.abort(this.tooLarge(this.size))
      return
    }
    if (this.first === undefined) this.first = chunk
    else if (this.chunks === undefined) this.chunks = [this.first, chunk]
    else this.chunks.push(chunk)
  }

  onResponseEnd(): void {
    if (this.settled) return
    this.settled = true
    const body = this.chunks !== undefined ? Buffer.concat(this.chunks, this.size) : (this.first ?? EMPTY)
    this.resolve({ status: this.status, headers: this.headers, body })
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.released()
    this.fail(error)
  }

  private released(): void {
    const onHeaders = this.onHeadersIn
    this.onHeadersIn = undefined
    onHeaders?.()
  }

  private fail(error: Error): void {
    if (this.settled) return
    this.settled = true
    this.reject(error)
  }

  private tooLarge(bytes: number): HttpError {
    return new HttpError({
      code: 'FK_HTTP_RESPONSE_TOO_LARGE',
      message: `[fieldkit/http] ${this.describe()} answered a body of at least ${bytes} bytes, above maxResponseBytes (${this.maxBytes})`,
      hint: 'Ask the API for less (filters, paging) or raise maxResponseBytes if this size is expected',
      status: this.status,
      details: { bytes, maxResponseBytes: this.maxBytes },
    })
  }
}
