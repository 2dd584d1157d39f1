import type { Dispatcher } from 'undici'

type Dispatch = (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => boolean
type Headers = Record<string, string | string[] | undefined>

/** What a resending interceptor does with an answer: pass it to the caller, or drain it and then run `next`. */
export type AnswerDecision = undefined | (() => void)

/**
 * The base of every interceptor that may send a request more than once (retry, auth challenges, redirects): each
 * answer is shown to {@link onAnswer} before the caller sees it; an answer that is not passed on is drained and its
 * `next` step runs at its end (wait and resend, or fail). The caller's handler sees one request start, one answer and
 * one end, and holds this handler as its controller for the whole request, across every attempt: pause, resume and
 * abort go to the attempt in flight, and an abort during a wait between attempts ends the wait. (One object per
 * request is both, rather than a handler and a controller: this is on every request's path.)
 */
export abstract class ResendingHandler implements Dispatcher.DispatchHandler, Dispatcher.DispatchController {
  /** The controller of the attempt in flight. */
  #current: Dispatcher.DispatchController | undefined
  /** Called when the caller aborts while no attempt is in flight (between attempts). */
  #onIdleAbort: ((reason: Error) => void) | undefined
  #aborted = false
  #reason: Error | null = null
  #paused = false
  #started = false
  #passing = false
  #pending: (() => void) | undefined
  #done = false

  constructor(
    protected readonly dispatch: Dispatch,
    protected readonly handler: Dispatcher.DispatchHandler,
  ) {}

  // The controller the caller holds.

  get aborted(): boolean {
    return this.#aborted
  }
  get paused(): boolean {
    return this.#paused
  }
  get reason(): Error | null {
    return this.#reason
  }
  abort(reason: Error): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#reason = reason
    const idle = this.#onIdleAbort
    if (idle !== undefined) {
      this.#onIdleAbort = undefined
      idle(reason)
    } else this.#current?.abort(reason)
  }
  pause(): void {
    this.#paused = true
    this.#current?.pause()
  }
  resume(): void {
    this.#paused = false
    this.#current?.resume()
  }

  /** Decides on an answer's status and headers: `undefined` passes it to the caller. */
  protected abstract onAnswer(status: number, headers: Headers): AnswerDecision
  /** Decides on a failure before any answer reached the caller: `undefined` passes the error on. */
  protected onFailure(_error: Error): AnswerDecision {
    return undefined
  }

  /** Sends (again) through the interceptors inside this one. */
  protected send(options: Dispatcher.DispatchOptions): void {
    this.#passing = false
    try {
      this.dispatch(options, this)
    } catch (error) {
      this.fail(error as Error)
    }
  }

  /** Waits `ms`, then runs `next`, unless the caller aborts first. */
  protected after(ms: number, next: () => void): void {
    if (this.#aborted) {
      this.fail(this.#reason ?? new Error('aborted'))
      return
    }
    const timer = setTimeout(() => {
      this.#onIdleAbort = undefined
      next()
    }, ms)
    this.#onIdleAbort = (reason) => {
      clearTimeout(timer)
      this.fail(reason)
    }
  }

  /** Ends the request with `error` (once). */
  protected fail(error: Error): void {
    if (this.#done) return
    this.#done = true
    this.handler.onResponseError?.(this, error)
  }

  // The handler the attempts report to.

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#current = controller
    if (this.#aborted) {
      controller.abort(this.#reason ?? new Error('aborted'))
      return
    }
    if (this.#paused) controller.pause()
    if (this.#started) return
    this.#started = true
    this.handler.onRequestStart?.(this, context)
  }

  onRequestUpgrade(_controller: Dispatcher.DispatchController, status: number, headers: Headers, socket: never): void {
    this.handler.onRequestUpgrade?.(this, status, headers as never, socket)
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: Headers, message: string): void {
    const next = this.onAnswer(status, headers)
    if (next === undefined) {
      this.#passing = true
      this.handler.onResponseStart?.(this, status, headers as never, message)
    } else this.#pending = next
  }

  /** Sees the body of an answer that is not passed on (drained); a subclass may keep a little of it. */
  protected onDrained(_chunk: Buffer): void {}

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#pending === undefined) this.handler.onResponseData?.(this, chunk)
    else this.onDrained(chunk)
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: Headers): void {
    const next = this.#pending
    if (next === undefined) {
      if (this.#done) return
      this.#done = true
      this.handler.onResponseEnd?.(this, trailers as never)
      return
    }
    this.#pending = undefined
    this.#current = undefined
    next()
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#pending = undefined
    this.#current = undefined
    if (!this.#passing && !this.#aborted) {
      const next = this.onFailure(error)
      if (next !== undefined) {
        next()
        return
      }
    }
    this.fail(error)
  }
}

/** The value of header `name` (lower-case) in any form undici accepts: an object, a flat array or an iterable. */
export function headerOf(headers: Dispatcher.DispatchOptions['headers'], name: string): string | undefined {
  if (headers == null) return undefined
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1])
    }
    return undefined
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [key, value] of headers as Iterable<[string, string]>) if (key.toLowerCase() === name) return value
    return undefined
  }
  for (const key in headers as Record<string, unknown>) {
    if (key.toLowerCase() === name) {
      const value = (headers as Record<string, string | string[] | undefined>)[key]
      return Array.isArray(value) ? value.join(', ') : value
    }
  }
  return undefined
}

/** The headers as a plain object with lower-case names (a copy the interceptor may change). */
export function headersObject(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = Object.create(null)
  if (headers == null) return out
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1])
    return out
  }
  const entries =
    typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function'
      ? (headers as Iterable<[string, string]>)
      : Object.entries(headers as Record<string, string | string[] | undefined>)
  for (const [key, value] of entries) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return out
}

/** True for a body that can be sent again as it is: none, a string or bytes (a stream or iterable cannot). */
export function replayable(body: unknown): boolean {
  return body == null || typeof body === 'string' || body instanceof Uint8Array
}
