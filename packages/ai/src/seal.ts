import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import { describeValue } from '@fieldkit/core'
import { invalidOption } from './errors'

/** The two keys a vault derives from the caller's key: one seals values, one names them. */
export interface VaultKeys {
  readonly seal: Buffer
  readonly name: Buffer
}

/**
 * Checks the caller's key (32 bytes, or a base64 text of 32 bytes) and derives the sealing and naming keys by HKDF,
 * so the same key never serves two purposes.
 */
export function deriveKeys(key: string | Uint8Array, option: string): VaultKeys {
  const raw =
    typeof key === 'string' ? Buffer.from(key, 'base64') : key instanceof Uint8Array ? Buffer.from(key) : undefined
  if (raw === undefined || raw.length !== 32) {
    throw invalidOption(
      `Expected \`${option}\` to be 32 bytes or their base64 text, got ${raw === undefined ? describeValue(key, true) : `${raw.length} bytes`}`,
    )
  }
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', raw, Buffer.alloc(0), info, 32))
  return { seal: derive('fieldkit/ai vault seal'), name: derive('fieldkit/ai vault name') }
}

/** A random key for a vault that lives in memory only. */
export function randomKey(): Buffer {
  return randomBytes(32)
}

/** A keyed name (HMAC-SHA-256, base64url) for a value or a conversation: stable, and says nothing of the value. */
export function keyedName(keys: VaultKeys, ...parts: string[]): string {
  const mac = createHmac('sha256', keys.name)
  for (const p of parts) mac.update(p).update('\u0000')
  return mac.digest('base64url')
}

/** AES-256-GCM with a random 96-bit IV; `context` is bound as additional data (the conversation and label). */
export function seal(keys: VaultKeys, value: string, context: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keys.seal, iv)
  cipher.setAAD(Buffer.from(context))
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')
}

/** Opens what {@link seal} made; throws when the key, the context or the bytes do not match. */
export function open(keys: VaultKeys, sealed: string, context: string): string {
  const bytes = Buffer.from(sealed, 'base64')
  const decipher = createDecipheriv('aes-256-gcm', keys.seal, bytes.subarray(0, 12))
  decipher.setAAD(Buffer.from(context))
  decipher.setAuthTag(bytes.subarray(12, 28))
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')
}
