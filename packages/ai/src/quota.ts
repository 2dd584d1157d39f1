import { randomUUID } from 'node:crypto'
import { abortReason, expected, type RedisInstance } from '@fieldkit/core'
import { AiError, invalidOption } from './errors'
import type { QuotaLimits, QuotaStore } from './quota-store'
import type { ProviderQuota } from './rate-headers'
import { RedisQuotaStore } from './redis-quota'

/** Token and request quotas of one model provider account, shared by every caller of a guard. */
export interface TokenQuotaOptions {
  /** Tokens (prompt estimate + `max_tokens`, then the reported usage) allowed in any sliding window. */
  tokensPerMinute?: number
  /** Requests allowed in any sliding window. */
  requestsPerMinute?: number
  /** The window, in ms (default 60,000: a minute, as providers count). */
  windowMs?: number
  /** Longest a call waits for quota before failing with `FK_AI_QUOTA`, in ms (default 60,000). */
  maxWaitMs?: number
  /** Share the quota (and 429 pauses, and the provider's headers) with other processes: a `redis://` URL or an ioredis client. */
  redis?: string | RedisInstance
  /** Redis key prefix of this quota; every process sharing it uses the same one (default `fieldkit:ai-quota`). */
  key?: string
}

/**
 * A granted reservation: `arrived()` when the answer's headers are in moves it to that time (the provider counted
 * the call in between, so the window is never shorter than the provider's); `settle(actual)` replaces the estimate
 * by the usage the answer reported.
 */
export interface QuotaGrant {
  arrived(): Promise<void>
  settle(actualTokens: number | undefined): void
}

interface Entry {
  at: number
  tokens: number
}

/** The quota of this process alone: a log of reservations in the window. */
class LocalQuotaStore implements QuotaStore {
  private readonly limits: QuotaLimits
  private readonly log: Entry[] = []
  private readonly byId = new Map<string, Entry>()
  private pausedUntil = 0
  private serverTokens = Number.POSITIVE_INFINITY
  private serverTokensResetAt = 0
  private serverRequests = Number.POSITIVE_INFINITY
  private serverRequestsResetAt = 0

  constructor(limits: QuotaLimits) {
    this.limits = limits
  }

  async reserve(tokens: number, id: string): Promise<number> {
    const now = Date.now()
    const span = this.limits.windowMs + this.limits.marginMs
    while (this.log.length > 0 && (this.log[0] as Entry).at <= now - span) this.log.shift()
    let wait = Math.max(0, this.pausedUntil - now)
    if (this.serverTokensResetAt > now && this.serverTokens < tokens)
      wait = Math.max(wait, this.serverTokensResetAt - now)
    if (this.serverRequestsResetAt > now && this.serverRequests < 1)
      wait = Math.max(wait, this.serverRequestsResetAt - now)
    let used = tokens
    for (const e of this.log) used += e.tokens
    // Oldest entries leave the window first: find when enough of them have left.
    for (let i = 0; used > this.limits.tokens && i < this.log.length; i++) {
      used -= (this.log[i] as Entry).tokens
      wait = Math.max(wait, (this.log[i] as Entry).at + span - now + 1)
    }
    if (this.log.length + 1 > this.limits.requests) {
      const oldest = this.log[this.log.length - this.limits.requests] as Entry
      wait = Math.max(wait, oldest.at + span - now + 1)
    }
    if (wait > 0) return wait
    const entry = { at: now, tokens }
    this.log.push(entry)
    this.byId.set(id, entry)
    if (this.byId.size > 10_000) this.byId.delete(this.byId.keys().next().value as string)
    this.serverTokens -= tokens
    this.serverRequests -= 1
    return 0
  }

  async touch(id: string): Promise<void> {
    const entry = this.byId.get(id)
    if (entry === undefined) return
    // The log stays ordered by time: move the entry to the end.
    const at = this.log.indexOf(entry)
    if (at >= 0) this.log.splice(at, 1)
    entry.at = Date.now()
    this.log.push(entry)
  }

  settle(id: string, tokens: number): void {
    const entry = this.byId.get(id)
    this.byId.delete(id)
    if (entry !== undefined) entry.tokens = tokens
  }

  async observe(quota: ProviderQuota, pauseMs: number): Promise<void> {
    const now = Date.now()
    if (quota.remainingTokens !== undefined && quota.tokensResetAt !== undefined) {
      this.serverTokens = quota.remainingTokens
      this.serverTokensResetAt = quota.tokensResetAt
    }
    if (quota.remainingRequests !== undefined && quota.requestsResetAt !== undefined) {
      this.serverRequests = quota.remainingRequests
      this.serverRequestsResetAt = quota.requestsResetAt
    }
    if (pauseMs > 0) this.pausedUntil = Math.max(this.pausedUntil, now + pauseMs)
  }

  async close(): Promise<void> {}
}

/**
 * A weighted sliding-window quota: a call acquires its estimated tokens before it is sent, and the estimate is
 * replaced by the reported usage when the answer ends. The provider's own headers hold calls back when it says its
 * quota is spent, and a 429 or 529 pauses every caller until its `retry-after` — in every process, with Redis.
 */
export class TokenQuota {
  private readonly store: QuotaStore
  private readonly maxWaitMs: number
  private readonly limits: QuotaLimits
  /** Calls waiting, in arrival order, so a large call is not starved by small ones. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(options: TokenQuotaOptions = {}) {
    for (const name of ['tokensPerMinute', 'requestsPerMinute', 'windowMs', 'maxWaitMs'] as const) {
      const v = options[name]
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0))
        throw invalidOption(expected(`rateLimit.${name}`, 'a positive number', v))
    }
    const windowMs = options.windowMs ?? 60_000
    this.limits = {
      tokens: options.tokensPerMinute ?? Number.POSITIVE_INFINITY,
      requests: options.requestsPerMinute ?? Number.POSITIVE_INFINITY,
      windowMs,
      // 2% of the window, at least 20 ms and at most 1 s: the provider counts a call when it arrives, after we do.
      marginMs: Math.min(1_000, Math.max(20, windowMs * 0.02)),
    }
    this.maxWaitMs = options.maxWaitMs ?? 60_000
    this.store =
      options.redis === undefined
        ? new LocalQuotaStore(this.limits)
        : new RedisQuotaStore(options.redis, options.key ?? 'fieldkit:ai-quota', this.limits)
  }

  /** Waits until `tokens` fit, then records them; callers of this process are served in arrival order. */
  acquire(tokens: number, signal?: AbortSignal): Promise<QuotaGrant> {
    const turn = this.queue.then(() => this.wait(tokens, signal))
    this.queue = turn.catch(() => undefined)
    return turn
  }

  private async wait(tokens: number, signal: AbortSignal | undefined): Promise<QuotaGrant> {
    if (tokens > this.limits.tokens) throw this.tooLong(tokens, Number.POSITIVE_INFINITY)
    const started = Date.now()
    const id = randomUUID()
    for (;;) {
      if (signal?.aborted) throw abortReason(signal)
      const wait = await this.store.reserve(tokens, id)
      if (wait === 0) break
      if (Date.now() + wait - started > this.maxWaitMs) throw this.tooLong(tokens, wait)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(wait, 1_000))
        const onAbort = () => {
          clearTimeout(timer)
          resolve()
        }
        signal?.addEventListener('abort', onAbort, { once: true })
      })
    }
    return {
      arrived: () => this.store.touch(id),
      settle: (actual) => {
        if (actual !== undefined && Number.isFinite(actual) && actual >= 0) this.store.settle(id, actual)
      },
    }
  }

  private tooLong(tokens: number, wait: number): AiError {
    return new AiError({
      code: 'FK_AI_QUOTA',
      message: `[fieldkit/ai] a call of about ${tokens} tokens would wait ${Number.isFinite(wait) ? `${Math.ceil(wait)} ms` : 'forever'} for the token quota (maxWaitMs ${this.maxWaitMs})`,
      hint: 'Lower max_tokens or the prompt size, raise rateLimit.tokensPerMinute if the provider allows it, or raise rateLimit.maxWaitMs',
      details: { tokens, waitMs: Number.isFinite(wait) ? Math.ceil(wait) : null },
    })
  }

  /** What the provider said in an answer's headers; a 429, 503 or 529 with a delay pauses every caller. */
  observe(status: number, quota: ProviderQuota): Promise<void> {
    const pause = status === 429 || status === 503 || status === 529 ? (quota.retryAfterMs ?? 0) : 0
    return this.store.observe(quota, pause)
  }

  close(): Promise<void> {
    return this.store.close()
  }
}
