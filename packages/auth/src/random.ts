import { randomFillSync } from 'node:crypto'

// Nonces and cnonces are drawn from a pool refilled by the CSPRNG 4 KiB at a time: one system call per 256 nonces
// instead of one each (crypto.randomBytes has no pool of its own).
const pool = Buffer.alloc(4096)
let offset = pool.length

/** `bytes` cryptographically random bytes as lower-case hex (bytes ≤ 64). */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  const out = pool.toString('hex', offset, offset + bytes)
  offset += bytes
  return out
}
