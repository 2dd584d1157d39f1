import { interceptors } from '@fieldkit/http'
import type { Guard } from '@fieldkit/residency'
import { Agent, type Dispatcher } from 'undici'

/**
 * The one line that changes in the integration: every fetch in the process goes through a residency check, a quota
 * shared by all callers and retries with Retry-After. First listed is nearest the connection; retry is outermost, so
 * each retry waits for quota and is checked again.
 */
export function resilientDispatcher(guard: Guard, perSecond: number): Dispatcher {
  return new Agent().compose(
    guard.interceptor('pii'),
    interceptors.rateLimit({ perSecond }),
    interceptors.retry({ retries: 4 }),
  )
}
