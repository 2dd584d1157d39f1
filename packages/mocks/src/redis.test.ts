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
