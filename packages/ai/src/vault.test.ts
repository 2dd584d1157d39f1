import { startRedisServer } from '@fieldkit/mocks'
import { rejection } from '@fieldkit/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisVault } from './redis-vault'
import { memoryVault, type Vault } from './vault'

const KEY = Buffer.alloc(32, 7)
const OTHER_KEY = Buffer.alloc(32, 9)
let redis: Awaited<ReturnType<typeof startRedisServer>>
let client: Redis
beforeAll(async () => {
  redis = await startRedisServer()
  client = new Redis(redis.url)
})
afterAll(async () => {
  client.disconnect()
  await redis.stop()
})

const makers: [string, (key?: Uint8Array, ttlMs?: number) => Vault][] = [
  ['memoryVault', (key = KEY, ttlMs) => memoryVault({ key, ttlMs })],
  ['redisVault', (key = KEY, ttlMs) => redisVault({ client, key, ttlMs, prefix: 'test:vault' })],
]

for (const [name, make] of makers) {
  describe(name, () => {
    it('gives the same value the same placeholder and different values different ones', async () => {
      const vault = make()
      const conv = `c-${name}-1`
      expect(
        await vault.assign(conv, [
          { label: 'EMAIL', value: 'a@example.com' },
          { label: 'EMAIL', value: 'b@example.com' },
          { label: 'EMAIL', value: 'a@example.com' },
          { label: 'PHONE', value: '+441234567890' },
        ]),
      ).toEqual(['EMAIL_1', 'EMAIL_2', 'EMAIL_1', 'PHONE_1'])
      expect(await vault.assign(conv, [{ label: 'EMAIL', value: 'b@example.com' }])).toEqual(['EMAIL_2'])
      expect(await vault.values(conv)).toEqual(
        new Map([
          ['EMAIL_1', 'a@example.com'],
          ['EMAIL_2', 'b@example.com'],
          ['PHONE_1', '+441234567890'],
        ]),
      )
      expect(await vault.values(`c-${name}-other`)).toEqual(new Map())
    })

    it('refuses to open values with another key, with FK_AI_VAULT', async () => {
      const conv = `c-${name}-2`
      const vault = make()
      await vault.assign(conv, [{ label: 'EMAIL', value: 'a@example.com' }])
      if (name === 'redisVault') {
        // Same prefix, other key: the keyed conversation name differs, so nothing is found, and nothing opens.
        expect(await make(OTHER_KEY).values(conv)).toEqual(new Map())
        for (const hash of await client.keys('test:vault:*')) {
          const sealed = (await client.hget(hash, 'p:EMAIL_1')) as string
          await client.hset(hash, 'p:EMAIL_1', `${sealed.slice(0, -4)}${sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`)
        }
        const error = await rejection(vault.values(conv))
        expect(error.code).toBe('FK_AI_VAULT')
        await client.flushall()
      } else {
        expect(await make(OTHER_KEY).values(conv)).toEqual(new Map())
      }
    })

    it('forgets a conversation after its TTL', async () => {
      const vault = make(KEY, 50)
      const conv = `c-${name}-3`
      await vault.assign(conv, [{ label: 'EMAIL', value: 'a@example.com' }])
      await new Promise((r) => setTimeout(r, 120))
      expect(await vault.values(conv)).toEqual(new Map())
    })
  })
}

describe('redisVault at rest', () => {
  it('holds no value and no conversation id in clear, and two processes share one mapping', async () => {
    const a = redisVault({ url: redis.url, key: KEY.toString('base64') })
    const b = redisVault({ url: redis.url, key: KEY.toString('base64') })
    const conv = 'conversation-of-ann.lee@example.com'
    expect(await a.assign(conv, [{ label: 'EMAIL', value: 'ann.lee@example.com' }])).toEqual(['EMAIL_1'])
    expect(
      await b.assign(conv, [
        { label: 'EMAIL', value: 'ann.lee@example.com' },
        { label: 'EMAIL', value: 'x@example.com' },
      ]),
    ).toEqual(['EMAIL_1', 'EMAIL_2'])
    expect((await a.values(conv)).get('EMAIL_2')).toBe('x@example.com')
    const dump: string[] = []
    for (const key of await client.keys('*')) {
      dump.push(key, JSON.stringify(await client.hgetall(key)))
      expect(await client.pttl(key)).toBeGreaterThan(0)
    }
    expect(dump.join('\n')).not.toMatch(/ann\.lee|x@example|conversation-of/)
    await a.close()
    await b.close()
  })

  it('rejects a key that is not 32 bytes, without echoing it', () => {
    expect(() => redisVault({ url: redis.url, key: 'short-secret' })).toThrow(/Expected `key` to be 32 bytes/)
    expect(() => redisVault({ url: redis.url, key: 'short-secret' })).not.toThrow(/short-secret/)
  })
})
