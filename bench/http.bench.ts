import { type ChildProcess, spawn } from 'node:child_process'
import http from 'node:http'
import { createHttpClient } from '@fieldkit/http'
import { createGuard, definePolicy } from '@fieldkit/residency'
import axios from 'axios'
import got from 'got'
import pRetry from 'p-retry'
import { Agent, type Dispatcher, request } from 'undici'
import { type Contender, compare } from './harness'
import { baselineClient, baselineHttp, publishedHttp } from './http-baseline'

const SEQUENTIAL = 1_500
const CONCURRENT = 4_000
const IN_FLIGHT = 64
const MAX_SOCKETS = 64

// The server runs in a child process (a bare node:http server, like ../shared/peer-bench/scenarios/http-server.mjs),
// so that its CPU is not counted as the client's and MSW's matching cost does not cap the client.
const SERVER = `
const http = require('node:http')
const payload = { id: 'emp-0000012345', ok: true, items: Array.from({ length: 9 }, (_, i) => ({ employeeId: String(1000 + i).padStart(10, '0'), name: 'Employee ' + i, department: 'R&D', salary: 50000 + i * 1234.5, hired: '2020-0' + ((i % 9) + 1) + '-15' })), next: 'cursor-' + 'x'.repeat(20) }
const body = Buffer.from(JSON.stringify(payload))
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) }
const server = http.createServer((req, res) => { req.resume(); res.writeHead(200, headers); res.end(body) })
server.keepAliveTimeout = 60000
server.headersTimeout = 65000
const stop = () => { server.close(); server.closeAllConnections(); setTimeout(() => process.exit(0), 50).unref() }
process.on('message', (m) => { if (m === 'stop') stop() })
process.on('disconnect', stop)
setTimeout(stop, 600000).unref()
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
`

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`bench server exited early (${code})`)))
  })
  return { child, url: `http://127.0.0.1:${port}` }
}

type Get = () => Promise<unknown>

/** Runs `count` requests with `inFlight` workers; checks every body, returns the count. */
const load = (get: Get, count: number, inFlight: number) => async () => {
  let next = 0
  const worker = async () => {
    while (next < count) {
      next += 1
      const body = (await get()) as { id?: string }
      if (body.id !== 'emp-0000012345') throw new Error('unexpected body')
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return count
}

/** CPU µs per request of one run of `run` (this process's user + system time). */
async function cpuPerRequest(run: () => Promise<number>): Promise<number> {
  ;(globalThis as { gc?: () => void }).gc?.()
  const start = process.cpuUsage()
  const units = await run()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / units
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * Paired CPU rounds: each round runs the base and the contender back to back (which goes first alternates), and the
 * figure is the median of the per-round CPU ratios, so that a busy phase of the shared machine hits both alike.
 */
async function pairedCpu(
  title: string,
  base: [string, () => Promise<number>],
  other: [string, () => Promise<number>],
  target: number | undefined,
  rounds = Number(process.env.HTTP_BENCH_ROUNDS ?? 7),
): Promise<number> {
  await base[1]()
  await other[1]()
  const ratios: number[] = []
  const a: number[] = []
  const b: number[] = []
  for (let round = 0; round < rounds; round++) {
    let x: number
    let y: number
    if (round % 2 === 0) {
      x = await cpuPerRequest(base[1])
      y = await cpuPerRequest(other[1])
    } else {
      y = await cpuPerRequest(other[1])
      x = await cpuPerRequest(base[1])
    }
    a.push(x)
    b.push(y)
    ratios.push(y / x)
  }
  console.log(`\n### ${title} (paired CPU, ${rounds} rounds)\n`)
  console.log(`| contender | CPU µs/req (median) |\n| --- | --- |`)
  console.log(`| ${base[0]} (base) | ${median(a).toFixed(1)} |\n| ${other[0]} | ${median(b).toFixed(1)} |`)
  const ratio = median(ratios)
  console.log(
    `\nratio ${ratio.toFixed(3)}× (${target === undefined ? 'no target: read with the row above' : `target ≤ ${target.toFixed(2)}×`}) — median of per-round CPU ratios (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
  )
  return ratio
}

/** The interceptors issue's two CPU targets at 64 in flight: client vs agent.request, composed fetch vs plain fetch. */
async function interceptorCpu(url: string): Promise<void> {
  const { createHttpClient, interceptors } = await publishedHttp()
  const path = '/json'
  const agentOptions = { connections: MAX_SOCKETS, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 }
  const pool = { connections: MAX_SOCKETS, keepAliveTimeoutMs: 30_000, keepAliveMaxTimeoutMs: 60_000 }
  const formAgent = new Agent(agentOptions)
  const client = createHttpClient({ baseUrl: url, pool })
  const plainAgent = new Agent(agentOptions)
  const quota = interceptors.rateLimit({ perSecond: 1_000_000 })
  const composed = new Agent(agentOptions).compose(quota, interceptors.breaker(), interceptors.retry())
  const nothing: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => dispatch(opts, handler)
  const emptyAgent = new Agent(agentOptions)
  const empty = emptyAgent.compose(nothing)
  const viaFetch = (dispatcher: unknown) => async () => {
    const res = await fetch(`${url}${path}`, { dispatcher } as RequestInit)
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    return res.json()
  }
  try {
    await pairedCpu(
      `createHttpClient (retry + breaker) vs agent.request, ${IN_FLIGHT} in flight, ${CONCURRENT} requests per run`,
      [
        'agent.request({ origin, path })',
        load(
          async () => {
            const { statusCode, body } = await formAgent.request({ origin: url, path, method: 'GET' })
            if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`)
            return body.json()
          },
          CONCURRENT,
          IN_FLIGHT,
        ),
      ],
      [
        '@fieldkit/http (retries + breaker)',
        load(async () => (await client.request(path)).json(), CONCURRENT, IN_FLIGHT),
      ],
      1.15,
    )
    await pairedCpu(
      `fetch through interceptors (rateLimit 1M/s + breaker + retry) vs plain fetch, same Agent options, ${IN_FLIGHT} in flight`,
      ['fetch(url, { dispatcher: agent })', load(viaFetch(plainAgent), CONCURRENT, IN_FLIGHT)],
      ['fetch(url, { dispatcher: agent.compose(…) })', load(viaFetch(composed), CONCURRENT, IN_FLIGHT)],
      1.1,
    )
    // How much of the row above is undici's own: `compose` converts between its two handler interfaces for a
    // fetch handler (headers parsed to an object under the chain, encoded back to raw buffers above it), whatever the
    // interceptors do. Its figure is the floor the Fieldkit row above is read against.
    await pairedCpu(
      `fetch through a do-nothing interceptor vs plain fetch (undici's compose alone), ${IN_FLIGHT} in flight`,
      ['fetch(url, { dispatcher: agent })', load(viaFetch(plainAgent), CONCURRENT, IN_FLIGHT)],
      ['fetch(url, { dispatcher: agent.compose(nothing) })', load(viaFetch(empty), CONCURRENT, IN_FLIGHT)],
      undefined,
    )
  } finally {
    await Promise.allSettled([
      client.close(),
      formAgent.close(),
      plainAgent.close(),
      emptyAgent.close(),
      quota.limiter.close(),
    ])
  }
}

/** Where the client stood before issue 15's checks (the request's secret scrubber, refusal hints, repeated challenges). */
const BEFORE_CHECKS = process.env.HTTP_BENCH_BASE ?? '3065404'

/**
 * Issue 15's Must-show: the client of today against the client at {@link BEFORE_CHECKS}, extracted from git and built
 * from its own source, same options (retry + breaker on by default), 64 in flight, paired CPU rounds. The difference
 * also holds whatever else changed on the success path since (redirect checks), so it bounds the checks' cost.
 */
async function checksCpu(url: string): Promise<void> {
  const { createHttpClient } = await publishedHttp()
  const before = (await baselineClient(BEFORE_CHECKS))({
    baseUrl: url,
    pool: { connections: MAX_SOCKETS, keepAliveTimeoutMs: 30_000, keepAliveMaxTimeoutMs: 60_000 },
  })
  const now = createHttpClient({
    baseUrl: url,
    pool: { connections: MAX_SOCKETS, keepAliveTimeoutMs: 30_000, keepAliveMaxTimeoutMs: 60_000 },
  })
  try {
    await pairedCpu(
      `createHttpClient today vs at ${BEFORE_CHECKS}${process.env.HTTP_BENCH_BASE === undefined ? " (before issue 15's checks)" : ''}, ${IN_FLIGHT} in flight, ${CONCURRENT} requests per run`,
      [`client at ${BEFORE_CHECKS}`, load(async () => (await before.request('/json')).json(), CONCURRENT, IN_FLIGHT)],
      ['client today', load(async () => (await now.request('/json')).json(), CONCURRENT, IN_FLIGHT)],
      1.1,
    )
  } finally {
    await Promise.allSettled([before.close(), now.close()])
  }
}

/**
 * The interceptors of today against those of an older commit (`HTTP_BENCH_BASE`, default the commit before wave 4's
 * shared retries and breakers), each composed the same way (rateLimit 1M/s + breaker + retry) and driven by fetch,
 * paired CPU rounds: tells a regression of the composed fetch path from the machine's noise.
 */
async function interceptorChecksCpu(url: string): Promise<void> {
  const base = process.env.HTTP_BENCH_BASE ?? '830eb7d'
  const today = await publishedHttp()
  const before = await baselineHttp(base)
  const agentOptions = { connections: MAX_SOCKETS, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 }
  const chain = (http: typeof today) => {
    const quota = http.interceptors.rateLimit({ perSecond: 1_000_000 })
    const agent = new Agent(agentOptions)
    const dispatcher = agent.compose(quota, http.interceptors.breaker(), http.interceptors.retry())
    return { dispatcher, close: () => Promise.allSettled([agent.close(), quota.limiter.close()]) }
  }
  const [old, now] = [chain(before), chain(today)]
  const viaFetch = (dispatcher: unknown) => async () => {
    const res = await fetch(`${url}/json`, { dispatcher } as RequestInit)
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    return res.json()
  }
  try {
    await pairedCpu(
      `fetch through interceptors today vs at ${base} (rateLimit 1M/s + breaker + retry), ${IN_FLIGHT} in flight`,
      [`interceptors at ${base}`, load(viaFetch(old.dispatcher), CONCURRENT, IN_FLIGHT)],
      ['interceptors today', load(viaFetch(now.dispatcher), CONCURRENT, IN_FLIGHT)],
      1.05,
    )
  } finally {
    await Promise.allSettled([old.close(), now.close()])
  }
}

/** HTTP client: Fieldkit (retries and breaker on) beside raw undici with the same Agent settings, and the peers. */
export default async function main(): Promise<void> {
  const { child, url } = await startServer()
  const mode = process.env.HTTP_BENCH
  if (mode === 'interceptors' || mode === 'checks' || mode === 'interceptor-checks') {
    try {
      if (mode === 'interceptors') await interceptorCpu(url)
      else if (mode === 'interceptor-checks') await interceptorChecksCpu(url)
      else await checksCpu(url)
    } finally {
      child.send('stop')
    }
    return
  }
  const path = '/json'
  const full = `${url}${path}`
  // undici's default keepAliveTimeout is 4 s; other contenders' rounds take longer, so keep idle sockets 30 s.
  const agentOptions = { connections: MAX_SOCKETS, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 }
  const rawAgent = new Agent(agentOptions)
  const formAgent = new Agent(agentOptions)
  const pool = { connections: MAX_SOCKETS, keepAliveTimeoutMs: 30_000, keepAliveMaxTimeoutMs: 60_000 }
  const fieldkit = createHttpClient({ baseUrl: url, pool })
  const limited = createHttpClient({ baseUrl: url, pool, rateLimit: { perSecond: 1_000_000 } })
  // The residency guard on the connection (target: under 3% of req/s): the server is loopback, allowed by name.
  const guard = createGuard(
    definePolicy({
      dataClasses: { pii: ['eu'] },
      ipRanges: [{ cidr: '127.0.0.1/32', region: 'eu' }],
      allowSpecial: ['127.0.0.1'],
    }),
  )
  const guarded = createHttpClient({ baseUrl: url, pool, residency: { guard, dataClass: 'pii' } })
  const nodeAgent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS })
  const gotClient = got.extend({ agent: { http: nodeAgent } })
  const axiosClient = axios.create({ httpAgent: nodeAgent })

  const gets: { name: string; base?: boolean; get: Get }[] = [
    {
      name: 'undici.request(url, { dispatcher })',
      base: true,
      get: async () => {
        const { statusCode, body } = await request(full, { dispatcher: rawAgent })
        if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`)
        return body.json()
      },
    },
    {
      name: 'agent.request({ origin, path })',
      get: async () => {
        const { statusCode, body } = await formAgent.request({ origin: url, path, method: 'GET' })
        if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`)
        return body.json()
      },
    },
    { name: '@fieldkit/http (retries + breaker)', get: async () => (await fieldkit.request(path)).json() },
    { name: '@fieldkit/http + rateLimit (1M/s)', get: async () => (await limited.request(path)).json() },
    { name: '@fieldkit/http + residency guard', get: async () => (await guarded.request(path)).json() },
    {
      name: 'fetch (Node global)',
      get: async () => {
        const res = await fetch(full)
        if (!res.ok) throw new Error(`HTTP ${res.status}`)
        return res.json()
      },
    },
    { name: 'got 14 (keep-alive agent)', get: () => gotClient.get(full).json() },
    { name: 'axios 1 (keep-alive agent)', get: async () => (await axiosClient.get(full)).data },
  ]
  const contenders = (count: number, inFlight: number): Contender[] =>
    gets.map((g) => ({ name: g.name, base: g.base, run: load(g.get, count, inFlight) }))
  const notes = [
    'Server: bare node:http in a child process on 127.0.0.1 (~1 KiB JSON, keep-alive); its CPU is not counted.',
    'CPU µs/req is this process’s user+system CPU per request: the client’s own cost. Other engineers’ test runs may',
    'share the 2-core machine, so absolute req/s move between runs; the paired per-round ratios are the figure to read.',
  ]
  try {
    await interceptorCpu(url)
    await checksCpu(url)
    await compare(contenders(SEQUENTIAL, 1), {
      title: `HTTP GET, sequential (1 in flight), ${SEQUENTIAL} requests per run`,
      unit: 'req',
      notes,
    })
    await compare(contenders(CONCURRENT, IN_FLIGHT), {
      title: `HTTP GET, ${IN_FLIGHT} in flight, ${CONCURRENT} requests per run`,
      unit: 'req',
      notes,
    })

    // Why the retry loop is hand-written: p-retry's cost on a call that succeeds at once (docs/decisions/http-retry.md).
    const OPS = 100_000
    const op = async () => 1
    await compare(
      [
        {
          name: 'direct await',
          base: true,
          run: async () => {
            for (let i = 0; i < OPS; i++) await op()
            return OPS
          },
        },
        {
          name: 'pRetry(fn, { retries: 2 })',
          run: async () => {
            for (let i = 0; i < OPS; i++) await pRetry(op, { retries: 2 })
            return OPS
          },
        },
      ],
      { title: 'Retry wrapper cost on a first-attempt success', unit: 'op' },
    )
  } finally {
    await Promise.allSettled([fieldkit.close(), limited.close(), guarded.close(), rawAgent.close(), formAgent.close()])
    nodeAgent.destroy()
    child.send('stop')
  }
}
