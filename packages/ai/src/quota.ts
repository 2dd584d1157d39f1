import { abortReason, describeValue } from '@fieldkit/core'
import { AiError, invalidOption } from './errors'
import type { ProviderQuota } from './rate-headers'

/** Token and request quotas of one model provider account, shared by every caller of a guard. */
export interface TokenQuotaOptions {
  /** Tokens (prompt estimate + `max_tokens`) allowed in any sliding minute. */
  tokensPerMinute?: number
  /** Requests allowed in any sliding minute. */
  requestsPerMinute?: number
  /** Longest a call waits for quota before failing with `FK_AI_QUOTA`, in ms (default 60,000). */
  maxWaitMs?: number
}

/** A granted reservation: `settle(actual)` replaces the estimate by the usage the answer reported. */
export interface QuotaGrant {
  settle(actualTokens: number | undefined): void
}

interface Entry {
  at: number
  tokens: number
}

const WINDOW_MS = 60_000

/**
 * A weighted sliding-window quota: a call acquires its estimated tokens before it is sent, and the estimate is
 * replaced by the reported usage when the answer ends. The provider's own headers hold calls back when it says its
 * quota is spent, and a 429 pauses every caller until its `retry-after`.
 */
export class TokenQuota {
  private readonly tokensPerMinute: number
  private readonly requestsPerMinute: number
  private readonly maxWaitMs: number
  private readonly log: Entry[] = []
  private pausedUntil = 0
  private serverTokens = Number.POSITIVE_INFINITY
  private serverTokensResetAt = 0
  private serverRequests = Number.POSITIVE_INFINITY
  private serverRequestsResetAt = 0
  /** Calls waiting, in arrival order, so a large call is not starved by small ones. */
  private queue: Promise<void> = Promise.resolve()

  constructor(options: TokenQuotaOptions = {}) {
    const check = (name: keyof TokenQuotaOptions) => {
      const v = options[name]
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0))
        throw invalidOption(`Expected \`rateLimit.${name}\` to be a positive number, got ${describeValue(v)}`)
    }
    check('tokensPerMinute')
    check('requestsPerMinute')
    check('maxWaitMs')
    this.tokensPerMinute = options.tokensPerMinute ?? Number.POSITIVE_INFINITY
    this.requestsPerMinute = options.requestsPerMinute ?? Number.POSITIVE_INFINITY
    this.maxWaitMs = options.maxWaitMs ?? 60_000
  }

  /** Milliseconds until `tokens` fit every quota (0: now). */
  private waitFor(tokens: number, now: number): number {
    while (this.log.length > 0 && (this.log[0] as Entry).at <= now - WINDOW_MS) this.log.shift()
    let wait = Math.max(0, this.pausedUntil - now)
    if (this.serverTokensResetAt > now && this.serverTokens < tokens)
      wait = Math.max(wait, this.serverTokensResetAt - now)
    if (this.serverRequestsResetAt > now && this.serverRequests < 1)
      wait = Math.max(wait, this.serverRequestsResetAt - now)
    if (tokens > this.tokensPerMinute) return Number.POSITIVE_INFINITY
    let used = 0
    for (const e of this.log) used += e.tokens
    // Oldest entries leave the window first: find when enough of them have left.
    for (let i = 0; used + tokens > this.tokensPerMinute && i < this.log.length; i++) {
      used -= (this.log[i] as Entry).tokens
      wait = Math.max(wait, (this.log[i] as Entry).at + WINDOW_MS - now + 1)
    }
    if (this.log.length + 1 > this.requestsPerMinute) {
      const oldest = this.log[this.log.length - this.requestsPerMinute] as Entry
      wait = Math.max(wait, oldest.at + WINDOW_MS - now + 1)
    }
    return wait
  }

  /** Waits until `tokens` fit, then records them; callers are served in arrival order. */
  acquire(tokens: number, signal?: AbortSignal): Promise<QuotaGrant> {
    const turn = this.queue.then(() => this.wait(tokens, signal))
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    )
    return turn
  }

  private async wait(tokens: number, signal: AbortSignal | undefined): Promise<QuotaGrant> {
    const started = Date.now()
    for (;;) {
      if (signal?.aborted) throw abortReason(signal)
      const now = Date.now()
      const wait = this.waitFor(tokens, now)
      if (wait === 0) break
      if (now + wait - started > this.maxWaitMs) {
        throw new AiError({
          code: 'FK_AI_QUOTA',
          message: `[fieldkit/ai] a call of about ${tokens} tokens would wait ${Number.isFinite(wait) ? `${Math.ceil(wait)} ms` : 'forever'} for the token quota (maxWaitMs ${this.maxWaitMs})`,
          hint: 'Lower max_tokens or the prompt size, raise rateLimit.tokensPerMinute if the provider allows it, or raise rateLimit.maxWaitMs',
          details: { tokens, waitMs: Number.isFinite(wait) ? Math.ceil(wait) : null },
        })
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(wait, 1_000))
        signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer)
            resolve()
          },
          { once: true },
        )
      })
    }
    const entry: Entry = { at: Date.now(), tokens }
    this.log.push(entry)
    if (this.serverTokens !== Number.POSITIVE_INFINITY) this.serverTokens -= tokens
    if (this.serverRequests !== Number.POSITIVE_INFINITY) this.serverRequests -= 1
    return {
      settle: (actual) => {
        if (actual !== undefined && Number.isFinite(actual) && actual >= 0) entry.tokens = actual
      },
    }
  }

  /** What the provider said in an answer's headers; a 429 or 529 pauses every caller. */
  observe(status: number, quota: ProviderQuota): void {
    const now = Date.now()
    if (quota.remainingTokens !== undefined && quota.tokensResetAt !== undefined) {
      this.serverTokens = quota.remainingTokens
      this.serverTokensResetAt = quota.tokensResetAt
    }
    if (quota.remainingRequests !== undefined && quota.requestsResetAt !== undefined) {
      this.serverRequests = quota.remainingRequests
      this.serverRequestsResetAt = quota.requestsResetAt
    }
    if ((status === 429 || status === 529 || status === 503) && quota.retryAfterMs !== undefined)
      this.pausedUntil = Math.max(this.pausedUntil, now + quota.retryAfterMs)
  }
}
