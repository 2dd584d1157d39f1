import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { redisAvailable, startRedisServer } from './redis'

function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
    socket.once('data', (data) => {
      socket.destroy()
      resolve(data.toString().trim())
    })
    socket.once('error', reject)
  })
}

describe.skipIf(!redisAvailable() && !process.env.CI)('startRedisServer', () => {
  it('starts a private redis-server, restarts it on the same port and stops it', async () => {
    const redis = await startRedisServer()
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`)
    expect(await ping(redis.port)).toBe('+PONG')
    await redis.restart()
    expect(await ping(redis.port)).toBe('+PONG')
    await redis.stop()
    await expect(ping(redis.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })
})

describe.skipIf(!redisAvailable() && !process.env.CI)('startRedisServer with persistence', () => {
  it("keeps an acknowledged write across a crash with persistence: 'aof', and loses it without", async () => {
    const set = async (port: number) => {
      const socket = connect(port, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      const reply = await new Promise<string>((resolve) => {
        socket.once('data', (d) => resolve(d.toString()))
        socket.write('SET k kept\r\n')
      })
      socket.destroy()
      return reply.trim()
    }
    const get = (port: number) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write('GET k\r\n'))
        socket.once('data', (d) => {
          socket.destroy()
          resolve(d.toString())
        })
      })
    for (const [persistence, expected] of [
      ['aof', '$4\r\nkept\r\n'],
      ['none', '$-1\r\n'],
    ] as const) {
      const redis = await startRedisServer({ persistence })
      expect(await set(redis.port)).toBe('+OK')
      await redis.kill()
      await redis.start()
      expect(await get(redis.port)).toBe(expected)
      await redis.stop()
    }
  })
})
