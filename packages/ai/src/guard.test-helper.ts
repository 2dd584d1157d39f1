import type { ModelServer } from '@fieldkit/mocks'
import { createRedactor } from '@fieldkit/redact'
import { createGuard, definePolicy } from '@fieldkit/residency'
import type { AuditRecord } from './audit'
import { createModelGuard, type ModelGuardOptions } from './guard'

/** Values planted in prompts; none may reach the model server in any form. */
export const PLANTED = {
  name: 'Ann Lee',
  email: 'ann.lee@example.com',
  phone: '+44 20 7946 0958',
  iban: 'DE89 3704 0044 0532 0130 00',
}
/** A secret planted in prompts: replaced by `[SECRET]`, never restored. */
export const SECRET = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'

/** A prompt with every planted value, a secret, and text the user wrote that looks like placeholders. */
export const PROMPT = `Summarise for ${PLANTED.name} (${PLANTED.email}, phone ${PLANTED.phone}, IBAN ${PLANTED.iban}); api key ${SECRET} (rotated). Template fields: <EMAIL_1>, PHONE_2 and email__1 stay literal. Again: ${PLANTED.email}.`

/** What the echoing model server's answer must read after restore: the prompt, with the secret gone for good. */
export const EXPECTED_ECHO = `Echo: ${PROMPT.replace(SECRET, '[SECRET]')}`

/** Host → region names for the residency tests; every host is served by the loopback model server. */
export const EU = 'http://eu.model.test'
export const US = 'http://us.model.test'

/** A residency guard placing the two model hosts in the EU and the US; the resolver answers loopback. */
export function egress() {
  const policy = definePolicy({
    dataClasses: { pii: ['eu'], pseudonymised: ['eu'], public: { allow: ['eu', 'us'], unknown: 'allow' } },
    hosts: { 'eu.model.test': 'eu', 'us.model.test': 'us' },
    allowSpecial: ['127.0.0.1'],
  })
  return createGuard(policy, { resolver: async () => ['127.0.0.1'] })
}

/** A fetch that sends every request to the loopback server, whatever host its URL names. */
export function loopback(server: ModelServer): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const headers = new Headers(init?.headers)
    headers.set('x-forwarded-host', url.host)
    return fetch(new URL(url.pathname + url.search, server.origin), { ...init, headers })
  }
}

/** A guard on the model server with the planted name on the deny list, and its audit records. */
export function guardFor(server: ModelServer, extra: Partial<ModelGuardOptions> = {}) {
  const records: AuditRecord[] = []
  const guard = createModelGuard({
    redactor: createRedactor({ deny: [PLANTED.name] }),
    residency: { guard: egress(), dataClass: 'pii', pseudonymised: 'pseudonymised', clean: 'public' },
    audit: (r) => records.push(r),
    fetch: loopback(server),
    ...extra,
  })
  return { guard, records }
}

/**
 * Every split of the echoed answer inside a placeholder or placeholder-shaped text: for each occurrence in `echo`
 * (what the model server streams back), each offset strictly inside it.
 */
export function placeholderSplits(echo: string): number[] {
  const offsets: number[] = []
  for (const m of echo.matchAll(/<? *[A-Za-z]+_+[0-9]+ *>?/g)) {
    for (let k = m.index + 1; k < m.index + m[0].length; k++) offsets.push(k)
  }
  return offsets
}
