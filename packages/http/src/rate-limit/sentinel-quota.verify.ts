import { type RedisSentinelSet, redisAvailable, startRedisSentinel } from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QUOTA, RUN_MS, runSharedQuota } from './shared-quota.test-helper'

// A real Sentinel set on loopback: one primary, one replica, one sentinel (quorum 1, primary judged down after
// 1 s). The primary is killed (SIGKILL) 3 s into the run. Never skipped under CI=true.
const KILL_AT_MS = 3_000

describe.skipIf(!redisAvailable() && !process.env.CI)(
  'four processes sharing 20 requests/second through Sentinel',
  () => {
    let set: RedisSentinelSet
    beforeAll(async () => {
      set = await startRedisSentinel()
    })
    afterAll(async () => {
      await set.stop()
    })

    it('fails closed with typed errors for a few seconds when the primary dies, then serves on the promoted replica within the quota', async () => {
      const run = await runSharedQuota(
        { sentinels: set.sentinels, name: set.name },
        { at: KILL_AT_MS, run: () => set.primary.kill() },
      )
      const { stats, reports } = run
      // No window over the quota, before, during or after the failover.
      expect(stats.maxInWindow).toBeLessThanOrEqual(QUOTA)
      expect(stats.overQuota).toBe(0)
      expect(reports.reduce((n, r) => n + r.status429, 0)).toBe(0)
      // While the primary is gone: fail-closed errors, each typed and naming a Redis failure.
      const codes = new Set(reports.flatMap((r) => Object.keys(r.errors)))
      expect(codes.size).toBeGreaterThan(0)
      for (const code of codes) expect(code).toMatch(/^FK_HTTP_RATE_LIMIT_REDIS_(DOWN|TIMEOUT)$/)
      // The outage lasts a few seconds (the sentinel's 1 s down-after, its election, the reconnect) …
      expect(run.longestGapMs).toBeLessThanOrEqual(6_000)
      // … then the quota is used again: at least 80% of it over what is left of the run after the longest gap.
      const left = (RUN_MS - KILL_AT_MS - run.longestGapMs) / 1000
      expect(run.servedAfterEvent).toBeGreaterThanOrEqual(0.8 * QUOTA * left)
    })
  },
)
