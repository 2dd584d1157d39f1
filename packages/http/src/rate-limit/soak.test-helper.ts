import { type HeapSample, heapAfterGc, heapBaseline, heapTrend } from '@fieldkit/testing/heap-trend'

// The client side of the soak (soak.verify.ts), run as its own process so that its heap holds the client, the
// limiter and ioredis only (the mock, which records every request, lives in the parent). Sends FK_SOAK_REQUESTS
// requests through one createHttpClient (public API only) with a Redis-shared quota, FK_SOAK_IN_FLIGHT at once.
// Every FK_SOAK_SAMPLE_EVERY requests it prints the heap after a full gc (a JSON line the parent also reads for its
// progress); at the end, the trend of the samples after the first tenth (least-squares line) and, when its growth
// is FK_SOAK_HEAP_BOUND bytes or more, what grew, by constructor, between heap snapshots at the first tenth and
// at the end.

async function soak(): Promise<void> {
  const { createHttpClient } = await import('@fieldkit/http')
  const total = Number(process.env.FK_SOAK_REQUESTS)
  const inFlight = Number(process.env.FK_SOAK_IN_FLIGHT ?? 64)
  const every = Number(process.env.FK_SOAK_SAMPLE_EVERY ?? total / 50)
  const bound = Number(process.env.FK_SOAK_HEAP_BOUND ?? 1024 * 1024)
  const client = createHttpClient({
    baseUrl: process.env.FK_MOCK_URL as string,
    rateLimit: { perSecond: 100_000, redis: process.env.FK_REDIS_URL as string, key: `soak-${process.pid}` },
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
  })
  const outcomes: { ok: number; typed: Record<string, number>; untyped: string[] } = { ok: 0, typed: {}, untyped: [] }
  let next = 0
  let done = 0
  const samples: HeapSample[] = []
  let mark = every
  let baseline: ReturnType<typeof heapBaseline> | undefined
  const worker = async () => {
    while (next < total) {
      next += 1
      try {
        const res = await client.request({ method: 'GET', path: '/rate-limited/x-ratelimit' })
        await res.text()
        outcomes.ok += 1
      } catch (error) {
        const code = (error as { code?: unknown }).code
        if (typeof code === 'string') outcomes.typed[code] = (outcomes.typed[code] ?? 0) + 1
        else if (outcomes.untyped.length < 10) outcomes.untyped.push(String(error))
        // Redis away and the quota failing closed: try again shortly, as a job queue would.
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      done += 1
      if (done >= mark) {
        mark += every
        samples.push({ at: done, heap: heapAfterGc() })
        // The baseline snapshot once warm (the first tenth), just before the fitted span (taking one settles V8's
        // own state a little); a second one at the end is taken only if the trend is over the bound.
        if (baseline === undefined && done >= total / 10) baseline = heapBaseline()
        process.stdout.write(`${JSON.stringify({ done, heapUsed: samples.at(-1)?.heap })}\n`)
      }
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  const trend = heapTrend(samples.filter((s) => s.at > total / 10))
  const grew = trend.growth >= bound ? (baseline?.diff() ?? []) : []
  baseline?.discard()
  await client.close()
  process.stdout.write(`${JSON.stringify({ summary: true, outcomes, samples, trend, grew })}\n`)
}

if (process.env.FK_SOAK_CHILD) await soak()
