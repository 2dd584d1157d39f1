import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { rateLimited, redisAvailable, serve, startRedisServer } from '@fieldkit/mocks'
import { describe, expect, it } from 'vitest'

// 100,000 requests through one client whose quota is shared through a real redis-server, against a mock that
// answers 10% 503s and resets 2% of the connections; redis-server restarts twice during the run. The heap of the
// client's process after a full gc, from the first tenth to the end, stays within 1 MB. Bounded: under 2 minutes.
const REQUESTS = 100_000

interface Summary {
  outcomes: { ok: number; typed: Record<string, number>; untyped: string[] }
  heaps: number[]
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
    const { outcomes, heaps } = JSON.parse(line) as Summary
    const typed = Object.values(outcomes.typed).reduce((a, b) => a + b, 0)
    const growth = Math.max(...heaps.slice(1)) - (heaps[0] as number)
    console.log(
      JSON.stringify({
        seconds: Math.round(seconds),
        restarts,
        outcomes,
        heapsKB: heaps.map((h) => Math.round(h / 1024)),
        growthKB: Math.round(growth / 1024),
        stats: quota.stats(),
      }),
    )
    expect(outcomes.untyped).toEqual([])
    expect(outcomes.ok + typed).toBe(REQUESTS)
    for (const c of Object.keys(outcomes.typed)) expect(c).toMatch(/^FK_HTTP_/)
    expect(outcomes.ok).toBeGreaterThan(0.8 * REQUESTS)
    expect(quota.stats().injected503).toBeGreaterThan(5_000)
    expect(restarts).toBe(2)
    expect(growth).toBeLessThan(1024 * 1024)
    expect(seconds).toBeLessThan(120)
  })
})
