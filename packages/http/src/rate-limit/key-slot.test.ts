import { describe, expect, it } from 'vitest'
import { crc16, keySlot } from './redis-connection'

// The Redis Cluster specification (redis.io, "Redis cluster specification", key distribution model and its
// reference CRC16 implementation): CRC16-XMODEM, whose check value for "123456789" is 0x31C3; the slot is the CRC
// modulo 16384, of the hash tag only when the key holds a non-empty `{…}`. The slots below are what
// `redis-cli CLUSTER KEYSLOT` answers (Redis 7.0.15); cluster-quota.verify.ts compares 300 random keys with a live
// cluster.
describe('keySlot, as Redis Cluster hashes keys', () => {
  it('uses CRC16-XMODEM (the specification’s check value for 123456789 is 0x31C3)', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3)
  })

  it('gives the slots Redis gives', () => {
    expect(keySlot('somekey')).toBe(11058)
    expect(keySlot('foo{hash_tag}')).toBe(2515)
    expect(keySlot('foo')).toBe(12182)
    expect(keySlot('ключ')).toBe(10303)
  })

  it('hashes only the first non-empty hash tag, as the specification’s examples say', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'))
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'))
    expect(keySlot('foo{}{bar}')).toBe(8363) // an empty tag: the whole key is hashed
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'))
  })
})
