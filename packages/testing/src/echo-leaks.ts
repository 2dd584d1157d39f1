import { inspect } from 'node:util'
import { type EchoPlace, echo, serve } from '@fieldkit/mocks'
import { errorTexts, expectNoLeak, leakForms } from './leaks'

/**
 * Known secrets to plant in a request: each looks like nothing else in a test's output, so finding one (or its
 * base64 or percent form) anywhere is a leak. `basic` is `user:password` as Basic sends it.
 */
export const PLANTED = {
  user: 'planted-user',
  password: 'Pl4nted-Passw0rd&=/+',
  bearer: 'pl4nted-bearer-7f3a91c0',
  apiKey: 'pl4nted-api-key-52be1d',
  cookie: 'pl4nted-session-c0ffee',
  queryToken: 'pl4nted-query-token-9d2e',
} as const

/** Every planted value, the Basic pair included: what {@link expectNoEchoLeak} looks for. */
export const PLANTED_SECRETS: readonly string[] = [...Object.values(PLANTED), `${PLANTED.user}:${PLANTED.password}`]

/** Request headers carrying every planted secret, as a client with credentials sends them. */
export function plantedHeaders(): Record<string, string> {
  return {
    authorization: `Basic ${Buffer.from(`${PLANTED.user}:${PLANTED.password}`).toString('base64')}`,
    'x-api-key': PLANTED.apiKey,
    cookie: `session=${PLANTED.cookie}; theme=dark`,
  }
}

/** Every place a hostile server echoes a request: bodies, JSON errors, SOAP faults, token errors and headers. */
export const ECHO_PLACES: readonly EchoPlace[] = ['body', 'json', 'soap-fault', 'token-error', 'headers']

/**
 * Runs `run` against an echo server once per place it may echo the request ({@link ECHO_PLACES}) and fails when
 * any planted secret (in any of its encodings) shows in what came back: the error it rejected with (message, hint,
 * details, cause chain, `util.inspect`, `JSON.stringify`), the value it resolved with (CLI output, say) and the
 * `texts()` the caller adds (log lines). The server must have received at least one secret in each round, or the
 * test proves nothing and fails too.
 *
 * @example
 * ```ts
 * const log = memoryLogger()
 * await expectNoEchoLeak((url) => client.request({ path: url, headers: plantedHeaders() }), { texts: () => [log.raw()] })
 * ```
 */
export async function expectNoEchoLeak(
  run: (url: string, place: EchoPlace) => Promise<unknown>,
  options: { secrets?: readonly string[]; places?: readonly EchoPlace[]; texts?: () => string[] } = {},
): Promise<void> {
  const secrets = options.secrets ?? PLANTED_SECRETS
  for (const place of options.places ?? ECHO_PLACES) {
    const mock = await serve(echo({ in: place }))
    try {
      let seen: string[]
      try {
        const value = await run(`${mock.url}/echo?token=${PLANTED.queryToken}`, place)
        seen = [typeof value === 'string' ? value : inspect(value, { depth: 8 }), JSON.stringify(value) ?? '']
      } catch (error) {
        seen = errorTexts(error)
      }
      const received = mock.requests.map((r) => `${r.path}\n${JSON.stringify(r.headers)}\n${r.body}`).join('\n')
      if (!secrets.some((s) => leakForms(s).some((form) => received.includes(form)))) {
        throw new Error(`echo in ${place}: the server received none of the planted secrets; the test proves nothing`)
      }
      try {
        expectNoLeak(secrets, [...seen, ...(options.texts?.() ?? [])])
      } catch (error) {
        throw new Error(`echo in ${place}: ${(error as Error).message}`)
      }
    } finally {
      await mock.close()
    }
  }
}
