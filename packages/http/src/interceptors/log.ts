import { type Logger, resolveLogger } from '@fieldkit/core'
import type { Dispatcher } from 'undici'
import { redactUrl } from '../redact'
import { errorCode } from '../retry-policy'
import { ForwardingHandler } from './forwarding-handler'

/** Logs one line per attempt when its answer starts or it fails. */
class LogHandler extends ForwardingHandler {
  readonly #started = performance.now()
  constructor(
    private readonly log: Logger,
    private readonly line: { method: string; origin: string; path: string },
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
    const durationMs = Math.round((performance.now() - this.#started) * 100) / 100
    if (status >= 400) this.log.warn({ ...this.line, status, durationMs }, 'http attempt')
    else this.log.debug({ ...this.line, status, durationMs }, 'http attempt')
    super.onResponseStart(controller, status, headers, message)
  }
  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    const durationMs = Math.round((performance.now() - this.#started) * 100) / 100
    this.log.warn({ ...this.line, error: errorCode(error), durationMs }, 'http attempt')
    super.onResponseError(controller, error)
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
  const logger = resolveLogger(options.logger, 'http')
  return (dispatch) =>
    function fieldkitLog(opts, handler) {
      const line = {
        method: String(opts.method),
        origin: String(opts.origin ?? ''),
        path: redactUrl(String(opts.path)),
      }
      return dispatch(opts, new LogHandler(logger, line, handler))
    }
}
