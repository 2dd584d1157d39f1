import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

// The client side of the soak (soak.verify.ts), run as its own process so that its heap holds the client, the
// limiter and ioredis only (the mock, which records every request, lives in the parent). Sends FK_SOAK_REQUESTS
// requests through one createHttpClient (public API only) with a Redis-shared quota, FK_SOAK_IN_FLIGHT at once,
// and prints the heap after a full gc at each tenth, then a summary, as JSON lines.

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().heapUsed
}

async function soak(): Promise<void> {
  const { createHttpClient } = await import('@fieldkit/http')
  const total = Number(process.env.FK_SOAK_REQUESTS)
  const inFlight = Number(process.env.FK_SOAK_IN_FLIGHT ?? 64)
  const client = createHttpClient({
    baseUrl: process.env.FK_MOCK_URL as string,
    rateLimit: { perSecond: 100_000, redis: process.env.FK_REDIS_URL as string, key: `soak-${process.pid}` },
    retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
  })
  const outcomes: { ok: number; typed: Record<string, number>; untyped: string[] } = { ok: 0, typed: {}, untyped: [] }
  let next = 0
  let done = 0
  const heaps: number[] = []
  const step = total / 10
  let mark = step
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
        mark += step
        heaps.push(heapAfterGc())
        process.stdout.write(`${JSON.stringify({ done, heapUsed: heaps.at(-1) })}\n`)
      }
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  await client.close()
  process.stdout.write(`${JSON.stringify({ summary: true, outcomes, heaps })}\n`)
}

if (process.env.FK_SOAK_CHILD) await soak()
