import type { Dispatcher } from 'undici'

/**
 * A handler that passes every callback to the caller's handler unchanged (undici's `DecoratorHandler`): an
 * interceptor's handler extends it and overrides only the callbacks it watches, calling `super` to pass them on.
 */
export class ForwardingHandler implements Dispatcher.DispatchHandler {
  constructor(protected readonly handler: Dispatcher.DispatchHandler) {}
  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onRequestStart?.(controller, context)
  }
  onRequestUpgrade(controller: Dispatcher.DispatchController, status: number, headers: never, socket: never): void {
    this.handler.onRequestUpgrade?.(controller, status, headers, socket)
  }
  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: never, message: string): void {
    this.handler.onResponseStart?.(controller, status, headers, message)
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk)
  }
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: never): void {
    this.handler.onResponseEnd?.(controller, trailers)
  }
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.handler.onResponseError?.(controller, error)
  }
}
