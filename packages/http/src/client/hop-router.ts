import { Dispatcher } from 'undici'
import { watchOf } from '../interceptors/request-watch'

/**
 * The dispatcher under the client's interceptors: a hop the auth strategy serves goes through the strategy's own
 * dispatcher when it has one (NTLM and client certificates are bound to their connection), every other request
 * through the client's Agent. Closing it closes neither: the client closes both itself.
 *
 * @example
 * ```ts
 * const dispatcher = new HopRouter(agent, ntlmDispatcher).compose(attemptLayer(context), interceptors.retry())
 * ```
 */
export class HopRouter extends Dispatcher {
  constructor(
    private readonly agent: Dispatcher,
    private readonly strategy: Dispatcher | undefined,
  ) {
    super()
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const strategy = this.strategy
    if (strategy !== undefined && watchOf(options)?.authServes(options) === true) {
      return strategy.dispatch(options, handler)
    }
    return this.agent.dispatch(options, handler)
  }

  override close(): Promise<void> {
    return Promise.resolve()
  }

  override destroy(): Promise<void> {
    return Promise.resolve()
  }
}
