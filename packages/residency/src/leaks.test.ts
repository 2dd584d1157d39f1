import { errorTexts, expectNoLeak, memoryLogger, PLANTED, rejection } from '@fieldkit/testing'
import { Agent, request } from 'undici'
import { describe, expect, it } from 'vitest'
import { createGuard } from './guard'
import { definePolicy } from './policy'

// What a caller may hand the guard: a URL with a password in it, a token in its query. Neither may reach an error,
// a decision or an audit line; the guard needs only the host.
const secrets = [PLANTED.password, PLANTED.queryToken]
const target = `https://${PLANTED.user}:${encodeURIComponent(PLANTED.password)}@erp.us.example/api?token=${PLANTED.queryToken}`

describe('residency errors and audit lines carry no secret of the URL', () => {
  const policy = definePolicy({ dataClasses: { pii: ['eu'] }, hosts: { 'erp.us.example': 'us' }, cacheTtlMs: 0 })

  it('guard.check: the decision and its audit line hold the host, never the userinfo or the query', async () => {
    const log = memoryLogger()
    const decision = await createGuard(policy, { logger: log.logger }).check(target, 'pii')
    expect(decision.allowed).toBe(false)
    expect(log.raw()).toContain('erp.us.example')
    expectNoLeak(secrets, [JSON.stringify(decision), log.raw()])
  })

  it('FK_RESIDENCY_DENIED through undici: message, details, cause, inspect and JSON hold none of them', async () => {
    const log = memoryLogger()
    const agent = new Agent({ connect: createGuard(policy, { logger: log.logger }).connector('pii') })
    const error = await rejection(request(target, { dispatcher: agent }))
    await agent.close()
    expect(error).toMatchObject({ code: 'FK_RESIDENCY_DENIED' })
    expectNoLeak(secrets, [...errorTexts(error), log.raw()])
  })

  it('FK_RESIDENCY_INVALID_URL for a broken URL with a password: no cause carries the text', async () => {
    const error = await rejection(createGuard(policy).check(`http://${PLANTED.user}:${PLANTED.password}@[::1`, 'pii'))
    expect(error).toMatchObject({ code: 'FK_RESIDENCY_INVALID_URL' })
    expectNoLeak(secrets, errorTexts(error))
  })

  it('FK_RESIDENCY_RESOLVE: the error and its cause name the host only', async () => {
    const guard = createGuard(policy, {
      resolver: async (host) => {
        throw new Error(`ENOTFOUND ${host}`)
      },
    })
    const error = await rejection(guard.check(target.replace('erp.us.example', 'nowhere.test'), 'pii'))
    expect(error).toMatchObject({ code: 'FK_RESIDENCY_RESOLVE' })
    expect(error.message).toContain('nowhere.test')
    expectNoLeak(secrets, errorTexts(error))
  })
})
