import { redisAvailable, startRedisServer } from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QUOTA, runSharedQuota } from './shared-quota.test-helper'

// Never skipped under CI=true: a missing redis-server is an installation error there.
describe.skipIf(!redisAvailable() && !process.env.CI)('four processes sharing 20 requests/second through Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>
  beforeAll(async () => {
    redis = await startRedisServer()
  })
  afterAll(async () => {
    await redis.stop()
  })

  it('gets no 429 and uses at least 90% of the quota over 10 s', async () => {
    const { stats, quotaUsed, reports } = await runSharedQuota(redis.url)
    expect(stats.overQuota).toBe(0)
    expect(reports.reduce((n, r) => n + r.status429, 0)).toBe(0)
    expect(quotaUsed).toBeGreaterThanOrEqual(0.9)
    expect(stats.maxInWindow).toBeLessThanOrEqual(QUOTA)
  })

  it('gets no 429 and uses at least 90% of the quota when redis-server restarts mid-run', async () => {
    const { stats, quotaUsed, reports } = await runSharedQuota(redis.url, { at: 5_000, run: () => redis.restart() })
    expect(stats.overQuota).toBe(0)
    expect(reports.reduce((n, r) => n + r.status429, 0)).toBe(0)
    expect(quotaUsed).toBeGreaterThanOrEqual(0.9)
    // Only typed errors while Redis was away: fail-closed, never a hang or an untyped crash.
    for (const r of reports) for (const code of Object.keys(r.errors)) expect(code).toMatch(/^FK_HTTP_/)
  })
})
