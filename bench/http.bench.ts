import { type ChildProcess, spawn } from 'node:child_process'
import http from 'node:http'
import { createHttpClient } from '@fieldkit/http'
import { createGuard, definePolicy } from '@fieldkit/residency'
import axios from 'axios'
import got from 'got'
import pRetry from 'p-retry'
import { Agent, request } from 'undici'
import { type Contender, compare } from './harness'

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

/** HTTP client: Fieldkit (retries and breaker on) beside raw undici with the same Agent settings, and the peers. */
export default async function main(): Promise<void> {
  const { child, url } = await startServer()
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
