import type { Dispatcher } from 'undici'
import { HttpError } from '../errors'
import { watchOf } from '../interceptors/request-watch'
import type { HookRequest } from '../options'
import type { Call } from './call'
import type { ClientContext } from './context'
import { WholeAnswer } from './whole-answer'

type Dispatch = Parameters<Dispatcher.DispatcherComposeInterceptor>[0]

/**
 * The client's own innermost layer, under auth, quota, breaker, retry and redirect: it numbers and counts every send
 * (challenge re-sends included), checks egress for a strategy's own connection, runs the `beforeRequest` hooks on the
 * signed request, notes the credentials it carries, reads the whole answer (so a connection lost mid-body is a
 * failure the retry layer sees) and runs the `afterResponse` hooks before passing it on. Requests without the
 * client's {@link Call} pass untouched.
 *
 * @example
 * ```ts
 * const dispatcher = router.compose(attemptLayer(context), interceptors.retry())
 * ```
 */
export function attemptLayer(context: ClientContext): Dispatcher.DispatcherComposeInterceptor {
  const hooks = context.config.hooks.beforeRequest
  return (dispatch) =>
    function fieldkitClientAttempt(opts, handler) {
      const call = watchOf(opts) as Call | undefined
      if (call === undefined) return dispatch(opts, handler)
      call.sends += 1
      context.counters.attempts += 1
      if (needsEgressCheck(context, call) || hooks.length > 0) {
        prepare(context, call, opts).then(
          (ready) => send(context, call, dispatch, ready, handler),
          (error: Error) => handler.onResponseError?.(null as never, error),
        )
        return true
      }
      return send(context, call, dispatch, opts, handler)
    }
}

function send(
  context: ClientContext,
  call: Call,
  dispatch: Dispatch,
  opts: Dispatcher.DispatchOptions,
  handler: Dispatcher.DispatchHandler,
): boolean {
  const headers = opts.headers as Record<string, string>
  call.secrets.noteSent(headers)
  call.sentPath = opts.path
  const answer = new WholeAnswer(context, call, handler)
  if (call.stopped !== undefined) {
    answer.onResponseError(null as never, call.stopped)
    return true
  }
  return dispatch(opts, answer)
}

function needsEgressCheck(context: ClientContext, call: Call): boolean {
  return (
    context.authDispatcher !== undefined &&
    context.residency !== undefined &&
    call.hop.useAuth &&
    call.checkedOrigin !== call.hop.origin
  )
}

/** The asynchronous part of a send: the egress check of a strategy's own connection, the `beforeRequest` hooks. */
async function prepare(
  context: ClientContext,
  call: Call,
  opts: Dispatcher.DispatchOptions,
): Promise<Dispatcher.DispatchOptions> {
  if (needsEgressCheck(context, call)) await checkEgress(context, call)
  const hooks = context.config.hooks.beforeRequest
  if (hooks.length === 0) return opts
  const hookRequest: HookRequest = {
    method: call.hop.method,
    url: `${opts.origin}${opts.path}`,
    headers: { ...(opts.headers as Record<string, string>) },
    attempt: call.sends,
  }
  try {
    for (const hook of hooks) await hook(hookRequest)
  } catch (error) {
    throw call.stepFailed(error)
  }
  if (call.stopped !== undefined) throw call.stopped
  return { ...opts, headers: hookRequest.headers }
}

/** A strategy with its own connection (NTLM) skips the guard's connector: its destination is checked by name first. */
async function checkEgress(context: ClientContext, call: Call): Promise<void> {
  const { guard, dataClass } = context.residency as NonNullable<ClientContext['residency']>
  const hop = call.hop
  const decision = await guard.check(hop.origin, dataClass)
  if (decision.allowed) {
    call.checkedOrigin = hop.origin
    return
  }
  throw new HttpError({
    code: 'FK_HTTP_EGRESS_DENIED',
    message: `[fieldkit/http] ${hop.method} ${hop.url()} refused by the residency policy for ${dataClass}: ${decision.reason}`,
    hint: 'The auth strategy brings its own connection (NTLM, client certificates), so the destination was checked by name before connecting (and, where the strategy allows it, each connection again on the address it connects to); change the destination or the policy',
    method: hop.method,
    url: hop.url(),
    details: { dataClass, reason: decision.reason, region: decision.region ?? null },
  })
}
