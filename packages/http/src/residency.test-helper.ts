import type { EgressDecision, EgressGuard } from '@fieldkit/core'
import { FieldkitError } from '@fieldkit/core'
import { buildConnector } from 'undici'

/** A guard that refuses the host `localhost` for every data class and lets 127.0.0.1 through. */
export function fakeGuard(): EgressGuard & { connects: string[] } {
  const connects: string[] = []
  const decide = (host: string, dataClass: string): EgressDecision => ({
    allowed: host !== 'localhost',
    reason: host === 'localhost' ? 'host localhost is outside the eu region' : 'loopback allowed in tests',
    dataClass,
    host,
  })
  return {
    connects,
    async check(url, dataClass) {
      return decide(new URL(url).hostname, dataClass)
    },
    connector(dataClass) {
      const connect = buildConnector({})
      return ((options: buildConnector.Options, callback: buildConnector.Callback) => {
        connects.push(options.hostname)
        const decision = decide(options.hostname, dataClass)
        if (!decision.allowed) {
          callback(
            new FieldkitError({
              code: 'FK_RESIDENCY_DENIED',
              message: `[test guard] ${dataClass} may not go to ${options.hostname}`,
              hint: 'test',
            }),
            null,
          )
          return
        }
        connect(options, callback)
      }) as buildConnector.connector
    },
  }
}
