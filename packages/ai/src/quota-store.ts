import type { ProviderQuota } from './rate-headers'

/** The limits a store enforces. */
export interface QuotaLimits {
  tokens: number
  requests: number
  windowMs: number
  /** Added to the window so the provider's clock, a little behind ours, never sees one call too many. */
  marginMs: number
}

/** Where the quota's state lives: this process, or Redis. */
export interface QuotaStore {
  /** Reserves `tokens` now and returns its id, or says how long to wait. */
  reserve(tokens: number, id: string): Promise<number>
  /** Moves a reservation to now: the provider counted the call on arrival, which is before its answer, after its grant. */
  touch(id: string): Promise<void>
  /** Replaces a reservation's estimate by the actual usage. */
  settle(id: string, tokens: number): void
  /** Records what the provider said: remaining tokens and requests until their reset, a pause after a 429. */
  observe(quota: ProviderQuota, pauseMs: number): Promise<void>
  close(): Promise<void>
}
