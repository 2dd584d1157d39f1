import { type RedisCluster, redisAvailable, startRedisCluster } from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QUOTA, runSharedQuota } from './shared-quota.test-helper'

// A real 3-master Redis Cluster on loopback (redis-server --cluster-enabled yes on three ports, joined by
// redis-cli --cluster create … --cluster-yes). Never skipped under CI=true.
describe.skipIf(!redisAvailable() && !process.env.CI)(
  'four processes sharing 20 requests/second through a Redis Cluster',
  () => {
    let cluster: RedisCluster
    beforeAll(async () => {
      cluster = await startRedisCluster(3)
    })
    afterAll(async () => {
      await cluster.stop()
    })

    it('given every master URL: at most 20 arrivals in any 1 s window over 10 s, no 429, 90% of the quota used', async () => {
      const { stats, quotaUsed, reports } = await runSharedQuota(cluster.urls)
      expect(stats.maxInWindow).toBeLessThanOrEqual(QUOTA)
      expect(stats.overQuota).toBe(0)
      expect(reports.reduce((n, r) => n + r.status429, 0)).toBe(0)
      for (const r of reports) expect(r.errors).toEqual({})
      expect(quotaUsed).toBeGreaterThanOrEqual(0.9)
    })

    it('given one node URL each (most of them not owning the key): MOVED is followed, never reported as Redis down', async () => {
      // Each worker gets the same node; run once per node so that the nodes that do not own the slot are tried too.
      for (const url of cluster.urls) {
        const { stats, reports } = await runSharedQuota(url)
        expect(stats.maxInWindow).toBeLessThanOrEqual(QUOTA)
        expect(stats.overQuota).toBe(0)
        for (const r of reports) expect(r.errors).toEqual({})
        expect(reports.reduce((n, r) => n + r.ok, 0)).toBeGreaterThan(0.9 * QUOTA * 10)
      }
    })
  },
)
