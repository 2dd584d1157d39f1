import { createRateLimiter, type RateLimiter } from '@fieldkit/http'
import { startRedisServer } from '@fieldkit/mocks'
import Bottleneck from 'bottleneck'
import { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible'
import { compare } from './harness'

// The cost of a limit with headroom: jobs go through each limiter as fast as it lets them, 64 callers at once,
// with a limit far above the load. What is measured is the limiter's own scheduling cost per job.
const JOBS = 2_000
/** Jobs per run through Redis: enough to last a few hundred ms at 100,000/s. */
const REDIS_JOBS = 20_000
const CALLERS = 64
type Logger = Parameters<typeof createRateLimiter>[1]['logger']
const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => silent }
const work = () => Promise.resolve()

function run(jobs: number, one: () => Promise<void>): () => Promise<number> {
  return async () => {
    let next = 0
    const caller = async () => {
      while (next < jobs) {
        next += 1
        await one()
      }
    }
    await Promise.all(Array.from({ length: CALLERS }, caller))
    return jobs
  }
}

function viaFieldkit(limiter: () => RateLimiter): () => Promise<void> {
  return async () => {
    const acquired = limiter().acquire()
    const release = typeof acquired === 'function' ? acquired : await acquired
    try {
      await work()
    } finally {
      release()
    }
  }
}

/** Fieldkit's limiter beside bottleneck 2.19.5 and rate-limiter-flexible, in memory and through Redis. */
export default async function main(): Promise<void> {
  let local: RateLimiter | undefined
  let bottleneck: Bottleneck | undefined
  const flexible = new RateLimiterMemory({ points: 1_000_000, duration: 1 })
  await compare(
    [
      {
        name: 'bottleneck 2.19.5 (maxConcurrent 64, minTime 0)',
        base: true,
        setup: () => {
          bottleneck = new Bottleneck({ maxConcurrent: CALLERS, minTime: 0 })
        },
        run: run(JOBS, () => (bottleneck as Bottleneck).schedule(work)),
        teardown: () => (bottleneck as Bottleneck).disconnect(),
      },
      {
        name: '@fieldkit/http createRateLimiter (1,000,000/s, maxConcurrent 64)',
        setup: () => {
          local = createRateLimiter({ perSecond: 1_000_000, maxConcurrent: CALLERS }, { logger: silent })
        },
        run: run(
          JOBS,
          viaFieldkit(() => local as RateLimiter),
        ),
        teardown: () => local?.close(),
      },
      {
        name: 'rate-limiter-flexible RateLimiterMemory.consume',
        run: run(JOBS, async () => {
          await flexible.consume('bench')
          await work()
        }),
      },
      { name: 'no limiter', run: run(JOBS, work) },
    ],
    {
      title: 'In-process limiter, limit far above the load',
      unit: 'jobs',
      rounds: 3,
      notes: [
        `${JOBS} jobs per run, ${CALLERS} callers at once; a job is a resolved promise, so the rate is the limiter's own cost.`,
        'Shared two-core machine: other benchmarks and test suites may run at the same time; compare the paired ratios.',
      ],
    },
  )

  const redisServer = await startRedisServer()
  const client = new Redis(redisServer.url)
  let shared: RateLimiter | undefined
  let local100k: RateLimiter | undefined
  const flexibleRedis = new RateLimiterRedis({
    storeClient: client,
    points: 1_000_000,
    duration: 1,
    keyPrefix: 'bench',
  })
  let n = 0
  try {
    const rows = await compare(
      [
        {
          name: 'rate-limiter-flexible RateLimiterRedis.consume (fixed window)',
          base: true,
          run: run(REDIS_JOBS, async () => {
            await flexibleRedis.consume('bench')
            await work()
          }),
        },
        {
          name: '@fieldkit/http createRateLimiter with redis (perSecond 100,000, spread; sliding log, batched EVALSHA)',
          setup: () => {
            shared = createRateLimiter(
              { perSecond: 100_000, redis: redisServer.url, key: `bench-${++n}` },
              { logger: silent },
            )
          },
          run: run(
            REDIS_JOBS,
            viaFieldkit(() => shared as RateLimiter),
          ),
          teardown: () => shared?.close(),
        },
        {
          name: '@fieldkit/http createRateLimiter, local (perSecond 100,000, spread)',
          setup: () => {
            local100k = createRateLimiter({ perSecond: 100_000 }, { logger: silent })
          },
          run: run(
            REDIS_JOBS,
            viaFieldkit(() => local100k as RateLimiter),
          ),
          teardown: () => local100k?.close(),
        },
      ],
      {
        title: 'Quota shared through Redis, one key, perSecond 100,000',
        unit: 'jobs',
        rounds: 7,
        notes: [
          `${REDIS_JOBS} jobs per run, ${CALLERS} callers at once, redis-server on loopback; rate-limiter-flexible's fixed window allows 1,000,000/s (no wait), Fieldkit's quota is 100,000 in any sliding second.`,
          'CPU µs/job is this process only (process.cpuUsage()), not redis-server. Shared two-core machine: compare the paired ratios.',
        ],
      },
    )
    const flexibleRow = rows.find((r) => r.name.startsWith('rate-limiter-flexible'))
    const ours = rows.find((r) => r.name.includes('with redis'))
    if (flexibleRow !== undefined && ours !== undefined) {
      const rate = Math.round(ours.median)
      console.log(
        [
          `_Redis path, one key, perSecond 100,000: ${rate.toLocaleString('en-US')} jobs/s (target ≥ 20,000) ${rate >= 20_000 ? 'met' : 'NOT met'}._`,
          `_CPU per job, paired rounds: ratio ${ours.cpuRatio.toFixed(2)}× rate-limiter-flexible's (target ≤ 1.0×) ${ours.cpuRatio <= 1 ? 'met' : 'NOT met'}._`,
          '',
        ].join('\n'),
      )
    }
  } finally {
    client.disconnect()
    await redisServer.stop()
  }
}
