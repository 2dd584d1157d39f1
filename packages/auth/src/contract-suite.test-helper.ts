/**
 * The contract every `@fieldkit/auth` strategy passes: credentials applied, re-signed on each
 * retry, no secret in any log line or error, correct under 50 concurrent requests, `close()` frees what it holds.
 * Imported by tests only; not exported from the package.
 *
 * Usage, in `src/<strategy>.test.ts`:
 *   authContractSuite('digest', async ({ logger }) => ({
 *     strategy: digest({ username, password, logger }),   // pass `logger` so the suite can grep the strategy's logs
 *     server: await serve([...]),                          // closed by the suite
 *     path: '/protected',
 *     secrets: [password],
 *     wrong: digest({ username, password: 'nope' }),       // optional: must be refused
 *   }))
 */
import { type AuthRequest, type AuthStrategy, isFieldkitError, type Logger } from '@fieldkit/core'
import type { MockServer } from '@fieldkit/mocks'
import { errorTexts, expectNoLeak, memoryLogger } from '@fieldkit/testing'
import { Agent, type Dispatcher, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withAuth } from './with-auth'

/** What the suite hands to `setup`: a logger writing to a buffer the suite greps for secrets. */
export interface AuthContractContext {
  logger: Logger
}

/** What `setup` returns. */
export interface AuthContractSetup {
  /** The strategy under test, configured with correct credentials for `server`. */
  strategy: AuthStrategy
  /** A server that really verifies the credentials (closed by the suite). */
  server: MockServer
  /** A path on `server` that needs authentication and answers 2xx when it succeeds. */
  path: string
  /** Every secret the strategy holds (passwords, tokens, keys): none may appear in a log line or an error. */
  secrets: string[]
  /** The same strategy with a wrong secret: must end in `FK_AUTH_REJECTED`. */
  wrong?: AuthStrategy
}

/** Header values that carry credentials on the wire: they must not be logged either. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-amz-security-token']

export function authContractSuite(
  name: string,
  setup: (context: AuthContractContext) => Promise<AuthContractSetup>,
): void {
  describe(`${name}: auth strategy contract`, () => {
    const memory = memoryLogger('trace')
    const logger = memory.logger as unknown as Logger
    const errors: unknown[] = []
    const agent = new Agent({ connections: 64 })
    let s: AuthContractSetup
    let send: ReturnType<typeof withAuth>
    let url: string

    beforeAll(async () => {
      s = await setup({ logger })
      send = withAuth(s.strategy, { dispatcher: agent, logger })
      url = `${s.server.url}${s.path}`
    })
    afterAll(async () => {
      await s?.wrong?.close?.()
      await s?.strategy.close?.()
      await s?.server.close()
      await agent.close()
    })

    it('applies the credentials: the verifying server accepts the request', async () => {
      const res = await send(url)
      await res.body.dump()
      expect(res.statusCode).toBeGreaterThanOrEqual(200)
      expect(res.statusCode).toBeLessThan(300)
    })

    it('is refused with FK_AUTH_REJECTED when the secret is wrong', async (ctx) => {
      if (s.wrong === undefined) return ctx.skip()
      const wrongSend = withAuth(s.wrong, { dispatcher: agent, logger })
      const error = await wrongSend(url).then(
        () => undefined,
        (e: unknown) => e,
      )
      errors.push(error)
      expect(isFieldkitError(error) && error.code).toBe('FK_AUTH_REJECTED')
    })

    it('re-signs on each retry: apply() again on the same request replaces the previous credentials', async () => {
      let applied = 0
      const counting: AuthStrategy = {
        scheme: s.strategy.scheme,
        apply: (r) => {
          applied++
          return s.strategy.apply(r)
        },
        challenge: s.strategy.challenge?.bind(s.strategy),
      }
      const dispatcher = (s.strategy.dispatcher as Dispatcher | undefined) ?? agent
      const req: AuthRequest = { method: 'GET', url: new URL(url), headers: { 'x-attempt': '0' } }
      const statuses: number[] = []
      // First attempt, then (like a retry after a 503) two more attempts re-using the same request object.
      for (let attempt = 0; attempt < 3; attempt++) {
        req.headers['x-attempt'] = String(attempt)
        await counting.apply(req)
        let res = await request(req.url, { method: 'GET', headers: req.headers, dispatcher })
        if (
          (res.statusCode === 401 || res.statusCode === 407) &&
          (await counting.challenge?.({ status: res.statusCode, headers: res.headers }, req))
        ) {
          await res.body.dump()
          await counting.apply(req)
          res = await request(req.url, { method: 'GET', headers: req.headers, dispatcher })
        }
        await res.body.dump()
        statuses.push(res.statusCode)
      }
      expect(statuses.every((code) => code >= 200 && code < 300)).toBe(true)
      expect(applied).toBeGreaterThanOrEqual(3)
    })

    it('stays correct under 50 concurrent requests', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const res = await send(`${url}${url.includes('?') ? '&' : '?'}n=${i}`)
          await res.body.dump()
          return res.statusCode
        }),
      )
      expect(results.filter((code) => code >= 200 && code < 300)).toHaveLength(50)
    })

    it('never writes a secret to a log line or an error', () => {
      const onWire = new Set<string>()
      for (const r of s.server.requests) {
        for (const h of CREDENTIAL_HEADERS) {
          const v = r.headers[h]
          if (v !== undefined && v.length >= 8) onWire.add(v)
        }
      }
      const forbidden = [...s.secrets.filter((x) => x.length > 0), ...onWire]
      expect(forbidden.length).toBeGreaterThan(0)
      // Every form a secret can take (raw, percent, base64, JSON) in every log line and every text of each error.
      expectNoLeak(forbidden, [memory.raw(), ...errors.flatMap((e) => errorTexts(e))])
    })

    it('close() frees what it holds and may be called twice', async () => {
      await s.strategy.close?.()
      await s.strategy.close?.()
      const dispatcher = s.strategy.dispatcher as Dispatcher | undefined
      if (dispatcher !== undefined) {
        await expect(request(url, { dispatcher })).rejects.toThrow()
      }
    })
  })
}
