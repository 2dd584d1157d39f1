import { type Logger, resolveLogger } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import { redactUrl } from '../redact'
import { errorCode } from '../retry-policy'
import { ForwardingHandler } from './forwarding-handler'
import { type RequestWatch, watchOf } from './request-watch'

/**
 * Logs one line per attempt when its answer starts or it fails — or, for a request the client sent, tells its
 * {@link RequestWatch}, which writes the line once it knows what follows (a retry and its wait, a challenge, the end).
 */
class LogHandler extends ForwardingHandler {
  readonly #started = performance.now()
  constructor(
    private readonly log: Logger,
    private readonly opts: Dispatcher.DispatchOptions,
    private readonly watch: RequestWatch | undefined,
    handler: Dispatcher.DispatchHandler,
  ) {
    super(handler)
  }
  override onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: never,
    message: string,
  ): void {
    if (this.watch !== undefined) this.watch.attempted(this.#started, status, undefined)
    else {
      const line = { ...this.#line(), status, durationMs: this.#duration() }
      if (status >= 400) this.log.warn(line, 'http attempt')
      else this.log.debug(line, 'http attempt')
    }
    super.onResponseStart(controller, status, headers, message)
  }
  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    const watch = this.watch
    if (watch === undefined) {
      this.log.warn({ ...this.#line(), error: errorCode(error), durationMs: this.#duration() }, 'http attempt')
    } else if (watch.stopped === undefined) watch.attempted(this.#started, undefined, errorCode(error))
    super.onResponseError(controller, error)
  }
  #line(): { method: string; origin: string; path: string } {
    const { method, origin, path } = this.opts
    return { method: String(method), origin: String(origin ?? ''), path: redactUrl(String(path)) }
  }
  #duration(): number {
    return Math.round((performance.now() - this.#started) * 100) / 100
  }
}

/**
 * One log line per attempt, as the client logs: method, origin, redacted path, status or error code, duration —
 * never a header, a body or a secret query value. Listed inside `retry`, it logs every attempt; outside, every request.
 *
 * @example
 * ```ts
 * const dispatcher = new Agent().compose(interceptors.log({ logger: pino() }), interceptors.retry())
 * ```
 */
export function log(options: { logger?: Logger } = {}): Dispatcher.DispatcherComposeInterceptor {
  return lines(resolveLogger(options.logger, 'http'))
}

/**
 * The log layer over a resolved logger (`log` resolves its option; `createHttpClient`'s requests carry a watch that
 * writes the client's lines).
 *
 * @example
 * ```ts
 * const layer = lines(resolveLogger(undefined, 'http'))
 * ```
 */
export function lines(logger: Logger): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) =>
    function fieldkitLog(opts, handler) {
      return dispatch(opts, new LogHandler(logger, opts, watchOf(opts), handler))
    }
}
