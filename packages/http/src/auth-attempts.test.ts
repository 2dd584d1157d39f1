import type { AuthChallengeResponse, AuthRequest, AuthStrategy } from '@fieldkit/core'
import { describe, expect, it } from 'vitest'
import { AuthAttempts } from './auth-attempts'
import { MAX_CHALLENGES } from './auth-refusal'

/** A strategy that signs with a counter and accepts `challenges` fresh challenges, recording what it was shown. */
function counting(challenges: number, isRefused?: (answer: AuthChallengeResponse) => boolean) {
  const shown: AuthRequest[] = []
  let signed = 0
  let left = challenges
  const strategy: AuthStrategy = {
    scheme: 'Counting',
    apply(request) {
      signed += 1
      request.headers.authorization = `Counting ${signed}`
    },
    challenge(_answer, request) {
      shown.push(request)
      left -= 1
      return left >= 0
    },
    ...(isRefused === undefined ? {} : { isRefused }),
  }
  return { strategy, shown, signed: () => signed }
}

const request = (): AuthRequest => ({ method: 'GET', url: new URL('https://erp.example/api?x=1'), headers: {} })

describe('the auth side of one request (AuthAttempts), without sockets', () => {
  it('signs every send afresh and shows the challenge the request it last signed', async () => {
    const { strategy, shown } = counting(1)
    const auth = new AuthAttempts(strategy)
    await auth.sign(request())
    const second = await auth.sign(request())
    expect(second.headers.authorization).toBe('Counting 2')
    expect(await auth.answer({ status: 401, headers: {} })).toBe(true)
    expect(shown).toEqual([second])
    expect(auth.challenges).toBe(1)
  })

  it('calls 401, 407 and what the strategy says a refusal, nothing else', () => {
    const { strategy } = counting(0, (answer) => answer.status === 403 && answer.headers['x-reason'] === 'token')
    const auth = new AuthAttempts(strategy)
    expect(auth.refuses({ status: 401, headers: {} })).toBe(true)
    expect(auth.refuses({ status: 407, headers: {} })).toBe(true)
    expect(auth.refuses({ status: 403, headers: { 'x-reason': 'token' } })).toBe(true)
    expect(auth.refuses({ status: 403, headers: {} })).toBe(false)
    expect(auth.refuses({ status: 500, headers: {} })).toBe(false)
  })

  it(`answers at most ${MAX_CHALLENGES} challenges, then the refusal is final and says how many`, async () => {
    const { strategy } = counting(10)
    const auth = new AuthAttempts(strategy)
    const answers: boolean[] = []
    for (let i = 0; i <= MAX_CHALLENGES; i++) {
      await auth.sign(request())
      answers.push(await auth.answer({ status: 401, headers: {} }))
    }
    expect(answers).toEqual([...Array(MAX_CHALLENGES).fill(true), false])
    const error = auth.refusal({ status: 401, headers: {} }, 'GET', 'https://erp.example/api')
    expect(error).toMatchObject({
      code: 'FK_AUTH_REJECTED',
      details: { scheme: 'Counting', challenges: MAX_CHALLENGES },
    })
    expect(error.message).toContain(`after answering ${MAX_CHALLENGES} challenges`)
  })

  it('gives a final refusal when the strategy has nothing new, or no challenge support, or signed nothing', async () => {
    const spent = new AuthAttempts(counting(0).strategy)
    await spent.sign(request())
    expect(await spent.answer({ status: 401, headers: {} })).toBe(false)
    expect(spent.challenges).toBe(0)
    const bare = new AuthAttempts({ scheme: 'Bare', apply() {} })
    await bare.sign(request())
    expect(await bare.answer({ status: 401, headers: {} })).toBe(false)
    expect(await new AuthAttempts(counting(5).strategy).answer({ status: 401, headers: {} })).toBe(false)
  })
})
