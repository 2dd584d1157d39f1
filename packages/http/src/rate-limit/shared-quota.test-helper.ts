import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

// Four processes share one 20 requests/second quota through Redis, against the rate-limited mock served by the
// parent on loopback. This file is also the child: run with FK_QUOTA_WORKER set, it sends requests through
// createHttpClient until the deadline and prints what it saw as one JSON line. FK_REDIS holds `rateLimit.redis`
// as JSON (a URL, a list of cluster node URLs, or { sentinels, name }).

export const QUOTA = 20
export const RUN_MS = 10_000
const WORKERS = 4
const IN_FLIGHT_PER_WORKER = 4

export interface WorkerReport {
  ok: number
  status429: number
  otherStatus: number
  errors: Record<string, number>
}

async function worker(): Promise<void> {
  const { createHttpClient } = await import('@fieldkit/http')
  const { pino } = await import('pino')
  const client = createHttpClient({
    ...(process.env.FK_DEBUG ? { logger: pino({ level: 'info' }, pino.destination(2)) } : {}),
    baseUrl: process.env.FK_MOCK_URL as string,
    rateLimit: {
      perSecond: QUOTA,
      redis: JSON.parse(process.env.FK_REDIS as string),
      key: process.env.FK_KEY as string,
      // 60 ms per window instead of the default 20: on a shared two-core machine under load, the mock's event loop
      // stalls for tens of ms, stamping a request late and squeezing it into the next window as the server counts.
      marginMs: Number(process.env.FK_MARGIN ?? 60),
    },
    retry: { retries: 0 },
  })
  const report: WorkerReport = { ok: 0, status429: 0, otherStatus: 0, errors: {} }
  const path = `/rate-limited/${process.env.FK_FAMILY}`
  // Open the connections and warm the code paths before the clock starts (not counted against the quota).
  for (let round = 0; round < 3; round++) {
    await Promise.all(
      Array.from({ length: IN_FLIGHT_PER_WORKER }, () =>
        client.request({ method: 'GET', path: '/warmup' }).then((r) => r.text()),
      ),
    )
  }
  // Ready: wait for the parent's start time on stdin, so that every worker starts at the same instant.
  process.stdout.write('ready\n')
  const startAt = await new Promise<number>((resolve) =>
    process.stdin.once('data', (line) => resolve(Number(String(line).trim()))),
  )
  const endAt = startAt + RUN_MS
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())))
  const loop = async () => {
    while (Date.now() < endAt) {
      try {
        const res = await client.request({ method: 'GET', path, throwOnStatus: false })
        await res.text()
        if (res.status === 200) report.ok += 1
        else if (res.status === 429) report.status429 += 1
        else report.otherStatus += 1
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'unknown'
        report.errors[code] = (report.errors[code] ?? 0) + 1
        // Redis down and failing closed: try again shortly, as a job queue would.
        if (Date.now() < endAt) await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT_PER_WORKER }, loop))
  await client.close()
  process.stdout.write(`${JSON.stringify(report)}\n`)
}

/** Starts the workers; once all are warm, gives them one start time and calls `started` with it. */
function runWorkers(env: Record<string, string>, started: (startAt: number) => void): Promise<WorkerReport[]> {
  const file = fileURLToPath(import.meta.url)
  const families = ['x-ratelimit', 'ietf', 'sforce', 'x-ratelimit']
  let ready = 0
  const children = Array.from({ length: WORKERS }, (_, i) =>
    spawn(process.execPath, ['--conditions=@fieldkit/source', '--import', 'tsx', file], {
      env: { ...process.env, ...env, FK_QUOTA_WORKER: '1', FK_FAMILY: families[i] as string },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  )
  return Promise.all(
    children.map((child, i) => {
      let out = ''
      let err = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk
        if (String(chunk).includes('ready') && ++ready === WORKERS) {
          const startAt = Date.now() + 300
          for (const c of children) c.stdin.end(`${startAt}\n`)
          started(startAt)
        }
      })
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk
      })
      return new Promise<WorkerReport>((resolve, reject) => {
        child.on('exit', (code) => {
          const line = out.trim().split('\n').at(-1) ?? ''
          if (process.env.FK_DEBUG) {
            for (const l of err.split('\n')) if (l.includes('rate limit')) console.log(`worker ${i}:`, l.slice(0, 300))
          }
          if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as WorkerReport)
          else reject(new Error(`worker ${i} exited with ${code}: ${err.slice(-2000)}`))
        })
      })
    }),
  )
}

/** What one shared-quota run saw: the mock's counts, each worker's report, and the longest gap in service. */
export interface SharedQuotaRun {
  served: number
  quotaUsed: number
  stats: { overQuota: number; maxInWindow: number }
  reports: WorkerReport[]
  /** Longest time between two requests the mock received during the run, in ms (an outage shows here). */
  longestGapMs: number
  /** Requests served after the event (`at`) until the end. */
  servedAfterEvent: number
  eventTookMs: number | undefined
  /** Arrivals that were one over the quota in the second before them, in ms from the event (or the run's start). */
  crowdedMs: number[]
}

/**
 * Runs four worker processes sharing 20 requests/second for 10 s through `redis`, against a rate-limited mock on
 * loopback that counts arrivals in every sliding second; `event` runs `at` ms into the run (a restart, a kill).
 */
export async function runSharedQuota(
  redis: unknown,
  event?: { at: number; run: () => Promise<void> },
): Promise<SharedQuotaRun> {
  const { rateLimited, serve } = await import('@fieldkit/mocks')
  const { HttpResponse, http } = await import('msw')
  const quota = rateLimited({ limit: QUOTA, windowMs: 1_000 })
  const mock = await serve([...quota.handlers, http.get('*/warmup', () => HttpResponse.text('ok'))])
  const servedAt = performance.now()
  let eventAt: number | undefined
  const key = `verify-${Date.now()}`
  const marks = new Map<string, number>()
  const timers: ReturnType<typeof setTimeout>[] = []
  let eventTookMs: number | undefined
  let startedAt = 0
  const started = (startAt: number) => {
    startedAt = startAt
    const at = (ms: number, label: string, then?: () => Promise<void>) =>
      timers.push(
        setTimeout(
          () => {
            marks.set(label, quota.stats().ok)
            void then?.()
          },
          startAt + ms - Date.now(),
        ),
      )
    at(0, 'start')
    at(RUN_MS, 'end')
    if (event !== undefined) {
      at(event.at, 'event', async () => {
        const t = performance.now()
        eventAt = t - servedAt
        await event.run()
        eventTookMs = Math.round(performance.now() - t)
      })
    }
  }
  try {
    const reports = await runWorkers({ FK_MOCK_URL: mock.url, FK_REDIS: JSON.stringify(redis), FK_KEY: key }, started)
    const start = marks.get('start') ?? 0
    const end = marks.get('end') ?? quota.stats().ok
    const served = end - start
    const at = mock.requests
      .filter((r) => r.path.startsWith('/rate-limited'))
      .map((r) => r.at)
      .sort((a, b) => a - b)
    let longestGapMs = 0
    for (let i = 1; i < at.length; i++) longestGapMs = Math.max(longestGapMs, (at[i] as number) - (at[i - 1] as number))
    // Arrivals that were one too many for their second (as received, before the mock's own stamping), in ms from
    // the event (or the start): where in the run the quota was crowded, to tell a failover from a stalled mock.
    const crowdedMs: number[] = []
    for (let i = QUOTA; i < at.length; i++) {
      if ((at[i] as number) - (at[i - QUOTA] as number) < 1_000)
        crowdedMs.push(Math.round((at[i] as number) - (eventAt ?? 0)))
    }
    const stats = quota.stats()
    const summary: SharedQuotaRun = {
      served,
      quotaUsed: served / ((QUOTA * RUN_MS) / 1000),
      stats,
      reports,
      longestGapMs: Math.round(longestGapMs),
      servedAfterEvent: end - (marks.get('event') ?? end),
      eventTookMs,
      crowdedMs,
    }
    console.log(JSON.stringify({ ...summary, startedAt }))
    return summary
  } finally {
    for (const t of timers) clearTimeout(t)
    await mock.close()
  }
}

if (process.env.FK_QUOTA_WORKER) await worker()
