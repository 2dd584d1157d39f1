import { createRateLimiter, type RateLimiter } from '@fieldkit/http'
import { startRedisServer } from '@fieldkit/mocks'
import Bottleneck from 'bottleneck'
import { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible'
import { compare } from './harness'

// The cost of a limit with headroom: jobs go through each limiter as fast as it lets them, 64 callers at once,
// with a limit far above the load. What is measured is the limiter's own scheduling cost per job.
const JOBS = 2_000
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
  const flexibleRedis = new RateLimiterRedis({
    storeClient: client,
    points: 1_000_000,
    duration: 1,
    keyPrefix: 'bench',
  })
  let n = 0
  try {
    await compare(
      [
        {
          name: 'rate-limiter-flexible RateLimiterRedis.consume (fixed window)',
          base: true,
          run: run(JOBS, async () => {
            await flexibleRedis.consume('bench')
            await work()
          }),
        },
        {
          name: '@fieldkit/http createRateLimiter with redis (sliding log, EVALSHA)',
          setup: () => {
            shared = createRateLimiter(
              { perSecond: 1_000_000, spread: false, redis: redisServer.url, key: `bench-${++n}` },
              { logger: silent },
            )
          },
          run: run(
            JOBS,
            viaFieldkit(() => shared as RateLimiter),
          ),
          teardown: () => shared?.close(),
        },
      ],
      {
        title: 'Quota shared through Redis (one round trip per job), limit far above the load',
        unit: 'jobs',
        rounds: 3,
        notes: [`${JOBS} jobs per run, ${CALLERS} callers at once, redis-server on loopback.`],
      },
    )
  } finally {
    client.disconnect()
    await redisServer.stop()
  }
}
