import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { rateLimited, redisAvailable, serve, startRedisServer } from '@fieldkit/mocks'
import { describe, expect, it } from 'vitest'

// 100,000 requests through one client whose quota is shared through a real redis-server, against a mock that
// answers 10% 503s and resets 2% of the connections; redis-server restarts twice during the run. The heap of the
// client's process after a full gc is sampled every 2,000 requests; a least-squares line through the samples from
// the first tenth to the end rises less than 1 MB over the run (when it does not, the child names what grew, by
// constructor, from two heap snapshots). Bounded: under 2 minutes.
const REQUESTS = 100_000
const HEAP_BOUND = 1024 * 1024

interface Summary {
  outcomes: { ok: number; typed: Record<string, number>; untyped: string[] }
  samples: { at: number; heap: number }[]
  trend: { slope: number; growth: number; spread: number; samples: number }
  grew: string[]
}

describe.skipIf(!redisAvailable() && !process.env.CI)('soak: 100,000 requests through one client with faults', () => {
  it('ends every request in success or a typed error, and the heap after gc stays flat within 1 MB', async () => {
    const redis = await startRedisServer()
    const quota = rateLimited({
      limit: 1_000_000,
      windowMs: 1_000,
      dailyLimit: 100_000_000,
      faults: { seed: 21, errorRate: 0.1, resetRate: 0.02 },
    })
    const mock = await serve(quota.handlers)
    const started = performance.now()
    const child = spawn(
      process.execPath,
      [
        '--conditions=@fieldkit/source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./soak.test-helper.ts', import.meta.url)),
      ],
      {
        env: {
          ...process.env,
          FK_SOAK_CHILD: '1',
          FK_SOAK_REQUESTS: String(REQUESTS),
          FK_SOAK_SAMPLE_EVERY: String(REQUESTS / 50),
          FK_SOAK_HEAP_BOUND: String(HEAP_BOUND),
          FK_MOCK_URL: mock.url,
          FK_REDIS_URL: redis.url,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let out = ''
    let err = ''
    let restarts = 0
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk
      // Redis restarts at 30% and 70% of the run: the quota fails closed (typed), then recovers on its own.
      const done = [...String(chunk).matchAll(/"done":(\d+)/g)].map((m) => Number(m[1])).at(-1) ?? 0
      if ((restarts === 0 && done >= 0.3 * REQUESTS) || (restarts === 1 && done >= 0.7 * REQUESTS)) {
        restarts += 1
        void redis.restart()
      }
    })
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk
    })
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    const seconds = (performance.now() - started) / 1000
    await mock.close()
    await redis.stop()
    const line = out.trim().split('\n').at(-1) ?? ''
    expect(code, err.slice(-2000)).toBe(0)
    const { outcomes, samples, trend, grew } = JSON.parse(line) as Summary
    const typed = Object.values(outcomes.typed).reduce((a, b) => a + b, 0)
    console.log(
      JSON.stringify({
        seconds: Math.round(seconds),
        restarts,
        outcomes,
        heapsKB: samples.map((s) => Math.round(s.heap / 1024)),
        trendKB: { growth: Math.round(trend.growth / 1024), spread: Math.round(trend.spread / 1024) },
        bytesPerRequest: Number(trend.slope.toFixed(3)),
        stats: quota.stats(),
      }),
    )
    expect(outcomes.untyped).toEqual([])
    expect(outcomes.ok + typed).toBe(REQUESTS)
    for (const c of Object.keys(outcomes.typed)) expect(c).toMatch(/^FK_HTTP_/)
    expect(outcomes.ok).toBeGreaterThan(0.8 * REQUESTS)
    expect(quota.stats().injected503).toBeGreaterThan(5_000)
    expect(restarts).toBe(2)
    expect(trend.samples).toBeGreaterThanOrEqual(40)
    expect(trend.growth, `heap grew; by constructor:\n${grew.join('\n')}`).toBeLessThan(HEAP_BOUND)
    expect(seconds).toBeLessThan(120)
  })
})
