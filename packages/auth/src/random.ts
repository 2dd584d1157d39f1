import { randomBytes } from 'node:crypto'

// Nonces and cnonces come from crypto.randomBytes, drawn 4 KiB at a time: one call per 256 nonces instead of one
// each (crypto.randomBytes keeps no pool of its own). Every byte is used once.
let pool = Buffer.alloc(0)
let offset = 0

/** `bytes` cryptographically random bytes as lower-case hex (bytes ≤ 64). */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(4096)
    offset = 0
  }
  const out = pool.toString('hex', offset, offset + bytes)
  offset += bytes
  return out
}
