import type { AuthChallengeResponse, AuthError, AuthRequest, AuthStrategy } from '@fieldkit/core'
import { authRefused, MAX_CHALLENGES } from './auth-refusal'

/**
 * The auth side of one request (of one hop, in the client), as the client and `interceptors.auth` both run it: sign
 * every send (fresh nonces and signatures, so a retry is signed again), tell a refusal (401, 407, or the strategy's
 * own signal), answer its challenges up to {@link MAX_CHALLENGES}, and the `FK_AUTH_REJECTED` that ends it.
 *
 * @example
 * ```ts
 * const auth = new AuthAttempts(digest({ username, password }))
 * const signed = await auth.sign({ method: 'GET', url: new URL(url), headers: {} })
 * // … send signed.headers; on the answer:
 * if (auth.refuses(answer) && !(await auth.answer(answer))) throw auth.refusal(answer, 'GET', url)
 * ```
 */
export class AuthAttempts {
  /** Challenges answered so far. */
  challenges = 0
  /** The request as last signed (its headers carry the credentials; a challenge answer reads it). */
  signed: AuthRequest | undefined

  constructor(readonly strategy: AuthStrategy) {}

  /** Applies the strategy to `request` (its headers and URL may change) and remembers it for a challenge. */
  async sign(request: AuthRequest): Promise<AuthRequest> {
    await this.strategy.apply(request)
    this.signed = request
    return request
  }

  /** Whether `answer` refuses the credentials: 401, 407, or what the strategy calls a refusal. */
  refuses(answer: AuthChallengeResponse): boolean {
    return answer.status === 401 || answer.status === 407 || this.strategy.isRefused?.(answer) === true
  }

  /**
   * Answers a refusal's challenge: true when the strategy learnt something new (a stale nonce, a new realm) and the
   * request should be signed and sent again; false when the refusal is final (no challenge support, the strategy
   * has nothing new, or {@link MAX_CHALLENGES} already answered).
   */
  async answer(answer: AuthChallengeResponse): Promise<boolean> {
    const { strategy, signed } = this
    if (this.challenges >= MAX_CHALLENGES || strategy.challenge === undefined || signed === undefined) return false
    if (!(await strategy.challenge(answer, signed))) return false
    this.challenges += 1
    return true
  }

  /** `FK_AUTH_REJECTED` for the final refusal `answer` of `method url` (the URL already redacted). */
  refusal(answer: AuthChallengeResponse, method: string, url: string): AuthError {
    return authRefused(this.strategy, answer, { method, url, challenges: this.challenges })
  }
}
