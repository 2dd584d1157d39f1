import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { connect, createServer } from 'node:net'
import { FieldkitError } from '@fieldkit/core'

/** A `redis-server` child on a loopback port, for tests of shared state. */
export interface RedisServer {
  url: string
  port: number
  /** Stops the server (SIGTERM, no save), as a crash or a maintenance restart would. */
  stop(): Promise<void>
  /** Starts it again on the same port, with an empty data set. */
  start(): Promise<void>
  /** Stops and starts it again. */
  restart(): Promise<void>
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

/**
 * Starts a private `redis-server` on a free loopback port (no persistence, no config file) and waits until it
 * answers. The process is killed when the test process exits, even if `stop()` is never called.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer()
 * const client = new Redis(redis.url)
 * await redis.restart()
 * await redis.stop()
 * ```
 */
export async function startRedisServer(): Promise<RedisServer> {
  if (!redisAvailable()) {
    throw new FieldkitError({
      code: 'FK_MOCK_REDIS_MISSING',
      message: '[fieldkit/mocks] redis-server is not installed on this machine',
      hint: 'Install it (apt-get install redis-server); .ci/run does this on a fresh machine',
    })
  }
  const port = await freePort()
  let child: ChildProcess | undefined
  const kill = () => child?.kill('SIGKILL')
  process.once('exit', kill)

  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
      await waitForPort(port, child)
    },
    async stop() {
      const current = child
      child = undefined
      if (current === undefined || current.exitCode !== null) return
      await new Promise<void>((resolve) => {
        current.once('exit', () => resolve())
        current.kill('SIGTERM')
      })
    },
    async restart() {
      await server.stop()
      await server.start()
    },
  }
  await server.start()
  return server
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

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('data', (data: Buffer) => {
        socket.destroy()
        resolve(data.toString().startsWith('+PONG'))
      })
      socket.once('connect', () => socket.write('PING\r\n'))
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new FieldkitError({
    code: 'FK_MOCK_REDIS_START',
    message: `[fieldkit/mocks] redis-server did not answer on 127.0.0.1:${port} within 10 s`,
    hint: 'Run redis-server by hand to see why it exits (a bad version, or no permission to bind)',
  })
}
