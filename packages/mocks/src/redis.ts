import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FieldkitError } from '@fieldkit/core'

/** A `redis-server` child on a loopback port, for tests of shared state. */
export interface RedisServer {
  url: string
  port: number
  /** Stops the server (SIGTERM), as a maintenance restart would; with persistence, what was written is kept. */
  stop(): Promise<void>
  /** Kills the server (SIGKILL), as a crash would: nothing is saved on the way out. */
  kill(): Promise<void>
  /** Starts it again on the same port: with an empty data set, or what its append-only file kept. */
  start(): Promise<void>
  /** Stops and starts it again. */
  restart(): Promise<void>
}

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /**
   * `'none'` (default): no RDB, no AOF, a restart loses everything. `'aof'`: an append-only file fsynced on every
   * write (`appendfsync always`) in a private temporary folder, so a restart keeps every acknowledged write.
   */
  persistence?: 'none' | 'aof'
  /** Extra `redis-server` arguments (`['--replicaof', '127.0.0.1', '6379']`). */
  args?: readonly string[]
}

/**
 * True when a `redis-server` binary is on the PATH. Tests that need Redis skip without it locally, and fail
 * under `CI=true`, where a missing Redis is an installation error rather than a reason to skip.
 *
 * @example
 * ```ts
 * describe.skipIf(!redisAvailable() && !process.env.CI)('shared quota', () => { … })
 * ```
 */
export function redisAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

function missing(): FieldkitError {
  return new FieldkitError({
    code: 'FK_MOCK_REDIS_MISSING',
    message: '[fieldkit/mocks] redis-server is not installed on this machine',
    hint: 'Install it (apt-get install redis-server redis-tools); .ci/run does this on a fresh machine',
  })
}

/** Every child started here, killed when the test process exits even if `stop()` is never called. */
const children = new Set<ChildProcess>()
let exitHook = false
function track(child: ChildProcess): void {
  children.add(child)
  child.once('exit', () => children.delete(child))
  if (exitHook) return
  exitHook = true
  process.once('exit', () => {
    for (const c of children) c.kill('SIGKILL')
  })
}

/** One `redis-server` (or sentinel) process on a fixed port, started and stopped at will. */
function redisProcess(port: number, argv: () => string[]): Omit<RedisServer, 'url' | 'port' | 'restart'> {
  let child: ChildProcess | undefined
  const end = async (signal: NodeJS.Signals) => {
    const current = child
    child = undefined
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve())
      current.kill(signal)
    })
  }
  return {
    async start() {
      child = spawn('redis-server', argv(), { stdio: ['ignore', 'pipe', 'pipe'] })
      track(child)
      await waitForPort(port, child)
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  }
}

/**
 * Starts a private `redis-server` on a free loopback port and waits until it answers. By default nothing is
 * persisted; `{ persistence: 'aof' }` keeps every acknowledged write across `restart()`, as production should.
 * The process is killed when the test process exits, even if `stop()` is never called.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer({ persistence: 'aof' })
 * const client = new Redis(redis.url)
 * await redis.restart()
 * await redis.stop()
 * ```
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!redisAvailable()) throw missing()
  const port = await freePort()
  const aof = options.persistence === 'aof'
  // Its own folder always: a primary writes an RDB file for a replica's first sync even with `save ""`.
  const dir = mkdtempSync(join(tmpdir(), 'fk-redis-'))
  const persistence = aof
    ? ['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '']
    : ['--dir', dir, '--save', '', '--appendonly', 'no']
  const proc = redisProcess(port, () => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    ...persistence,
    '--loglevel',
    'warning',
    ...(options.args ?? []),
  ])
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    ...proc,
    async restart() {
      await proc.stop()
      await proc.start()
    },
  }
  await server.start()
  return server
}

/** A Redis Cluster of masters on loopback, started by {@link startRedisCluster}. */
export interface RedisCluster {
  /** `redis://127.0.0.1:port` of every master. */
  urls: string[]
  nodes: RedisServer[]
  /** Stops every node and removes their folders. */
  stop(): Promise<void>
}

/**
 * Starts `masters` (default 3) `redis-server --cluster-enabled yes` nodes on free loopback ports, joins them with
 * `redis-cli --cluster create … --cluster-yes` (no replicas) and waits until every node reports `cluster_state:ok`.
 * `{ persistence: 'aof' }` keeps each node's acknowledged writes across its `restart()`, which keeps its place
 * (node id, slots) in the cluster.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster()
 * createRateLimiter({ perSecond: 20, redis: cluster.urls }, { logger })
 * await cluster.stop()
 * ```
 */
export async function startRedisCluster(
  masters = 3,
  options: Pick<RedisServerOptions, 'persistence'> = {},
): Promise<RedisCluster> {
  if (!redisAvailable()) throw missing()
  const dir = mkdtempSync(join(tmpdir(), 'fk-redis-cluster-'))
  const nodes: RedisServer[] = []
  try {
    for (let i = 0; i < masters; i++) {
      nodes.push(
        await startRedisServer({
          persistence: options.persistence,
          // Each node its own append-only folder: they share `dir`, where their cluster configs live.
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${i}.conf`),
            '--dir',
            dir,
            '--appenddirname',
            `appendonly-${i}`,
          ],
        }),
      )
    }
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    )
    if (create.status !== 0) {
      throw new FieldkitError({
        code: 'FK_MOCK_REDIS_START',
        message: `[fieldkit/mocks] redis-cli --cluster create failed: ${(create.stderr || create.stdout || '').slice(-300)}`,
        hint: 'Run the same redis-cli --cluster create by hand to see why (redis-tools installed? ports free?)',
      })
    }
    for (const node of nodes) await waitFor(node.port, 'CLUSTER INFO', /cluster_state:ok/)
  } catch (error) {
    await Promise.all(nodes.map((n) => n.kill()))
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return {
    urls: nodes.map((n) => n.url),
    nodes,
    async stop() {
      await Promise.all(nodes.map((n) => n.kill()))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A primary, a replica and a sentinel on loopback, started by {@link startRedisSentinel}. */
export interface RedisSentinelSet {
  /** What `rateLimit.redis` takes: the sentinel's address and the primary's name. */
  sentinels: { host: string; port: number }[]
  name: string
  primary: RedisServer
  replica: RedisServer
  /** Stops everything. */
  stop(): Promise<void>
}

/**
 * Starts a Sentinel set on loopback: a primary, one replica of it, and one sentinel watching them (quorum 1,
 * the primary judged down after `downAfterMs`, default 1 000 ms). Kill `primary` to see a failover: the sentinel
 * promotes the replica within a few seconds.
 *
 * @example
 * ```ts
 * const set = await startRedisSentinel()
 * createRateLimiter({ perSecond: 20, redis: { sentinels: set.sentinels, name: set.name } }, { logger })
 * await set.primary.kill()
 * ```
 */
export async function startRedisSentinel(options: { downAfterMs?: number } = {}): Promise<RedisSentinelSet> {
  if (!redisAvailable()) throw missing()
  const name = 'fieldkit'
  const primary = await startRedisServer()
  const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(primary.port)] })
  await waitFor(replica.port, 'INFO replication', /master_link_status:up/)
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'fk-sentinel-'))
  const config = join(dir, 'sentinel.conf')
  // The sentinel rewrites its config file as it learns the topology: it must be its own, writable file.
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primary.port} 1`,
      `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1_000}`,
      `sentinel failover-timeout ${name} 10000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'),
  )
  const sentinel = redisProcess(port, () => [config, '--sentinel', '--loglevel', 'warning'])
  await sentinel.start()
  await waitFor(port, `SENTINEL get-master-addr-by-name ${name}`, new RegExp(String(primary.port)))
  // A failover needs the sentinel to know the replica (learnt from the primary's INFO): wait until it does.
  await waitFor(port, `SENTINEL replicas ${name}`, new RegExp(String(replica.port)))
  return {
    sentinels: [{ host: '127.0.0.1', port }],
    name,
    primary,
    replica,
    async stop() {
      await Promise.all([sentinel.kill(), primary.kill(), replica.kill()])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** Sends one inline command and returns whatever the server answers first (empty on a refused connection). */
function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    const done = () => {
      socket.destroy()
      resolve(text)
    }
    socket.setTimeout(1_000, done)
    socket.on('data', (data: Buffer) => {
      text += data.toString()
      // A bulk or multi-bulk answer may come in pieces: wait a moment for the rest.
      setTimeout(done, 20)
    })
    socket.once('connect', () => socket.write(`${command}\r\n`))
    socket.once('error', done)
  })
}

/** Waits (up to 20 s) until `command` on `port` answers something that matches `expected`. */
async function waitFor(port: number, command: string, expected: RegExp): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (expected.test(await ask(port, command))) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new FieldkitError({
    code: 'FK_MOCK_REDIS_START',
    message: `[fieldkit/mocks] Redis on 127.0.0.1:${port} did not reach the expected state (${command}) within 20 s`,
    hint: 'Run the same redis-server / redis-cli commands by hand to see why (a bad version, or no permission to bind)',
  })
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break
    if ((await ask(port, 'PING')).startsWith('+PONG')) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new FieldkitError({
    code: 'FK_MOCK_REDIS_START',
    message: `[fieldkit/mocks] redis-server did not answer on 127.0.0.1:${port} within 10 s`,
    hint: 'Run redis-server by hand to see why it exits (a bad version, or no permission to bind)',
  })
}
