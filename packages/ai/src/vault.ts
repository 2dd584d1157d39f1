import { expected } from '@fieldkit/core'
import { AiError, invalidOption } from './errors'
import { deriveKeys, open, randomKey, seal, type VaultKeys } from './seal'

/** One value to name: its placeholder label (`EMAIL`) and the value. */
export interface VaultEntry {
  label: string
  value: string
}

/**
 * Where a conversation's placeholders live, values sealed with AES-256-GCM under the caller's key. The same value
 * gets the same placeholder for the whole conversation; different values never share one.
 */
export interface Vault {
  /** The placeholder core (`EMAIL_1`) of each entry, in order, assigning new numbers to new values. */
  assign(conversation: string, entries: readonly VaultEntry[]): Promise<string[]>
  /** Every placeholder core of a conversation → its value, opened for one call and never kept. */
  values(conversation: string): Promise<Map<string, string>>
  /** Drops every entry and closes what the vault opened. */
  close(): Promise<void>
}

/** Options of {@link memoryVault}. */
export interface MemoryVaultOptions {
  /** 32 bytes (or their base64 text) sealing the values; a random key per vault by default. */
  key?: string | Uint8Array
  /** How long a conversation is kept after its last use, in ms (default 24 h). */
  ttlMs?: number
  /** Conversations kept at most; the least recently used goes first (default 10,000). */
  maxConversations?: number
}

const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000

/**
 * One conversation in memory: its entries as one sealed blob (JSON: label and value → core, counts per label), so a call opens one
 * ciphertext rather than one per value, and no index of values exists in clear between calls.
 */
interface Conversation {
  sealed: string | undefined
  expires: number
}

/** What a conversation's blob holds once opened (JSON.parse gives plain objects: keys are data, never `__proto__` setters). */
interface Blob {
  v: Record<string, string>
  n: Record<string, number>
}

/** Checks a TTL option. */
export function checkTtl(ttlMs: unknown, option: string): number {
  if (ttlMs === undefined) return DEFAULT_TTL_MS
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs <= 0)
    throw invalidOption(expected(option, 'a positive integer of milliseconds', ttlMs))
  return ttlMs
}

/**
 * A vault in this process's memory: each conversation's values sealed (AES-256-GCM, the conversation id bound as
 * additional data) in one blob, opened for the length of one call, so a heap dump between calls shows no value;
 * each conversation expires `ttlMs` after its last use. The default vault of `createModelGuard`.
 *
 * @example
 * ```ts
 * const guard = createModelGuard({ redactor, vault: memoryVault({ key: process.env.AI_VAULT_KEY, ttlMs: 3_600_000 }) })
 * ```
 */
export function memoryVault(options: MemoryVaultOptions = {}): Vault {
  const keys: VaultKeys = deriveKeys(options.key ?? randomKey(), 'key')
  const ttlMs = checkTtl(options.ttlMs, 'ttlMs')
  const max = options.maxConversations ?? 10_000
  if (!Number.isInteger(max) || max < 1) throw invalidOption(expected('maxConversations', 'a positive integer', max))
  const conversations = new Map<string, Conversation>()

  function get(conversation: string, create: boolean): Conversation | undefined {
    const now = Date.now()
    let c = conversations.get(conversation)
    if (c !== undefined && c.expires <= now) {
      conversations.delete(conversation)
      c = undefined
    }
    if (c === undefined) {
      if (!create) return undefined
      c = { sealed: undefined, expires: 0 }
      if (conversations.size >= max) conversations.delete(conversations.keys().next().value as string)
    } else conversations.delete(conversation)
    c.expires = now + ttlMs
    conversations.set(conversation, c) // re-inserted: the Map's order is the least-recently-used order
    return c
  }

  /** The opened blob: `v` maps `label\u0000value` to its core, `n` counts cores per label. */
  const open_ = (conversation: string, c: Conversation): Blob =>
    c.sealed === undefined
      ? { v: Object.create(null), n: Object.create(null) }
      : (JSON.parse(openOrThrow(keys, c.sealed, conversation)) as Blob)

  return {
    async assign(conversation, entries) {
      const c = get(conversation, true) as Conversation
      const blob = open_(conversation, c)
      let changed = false
      const cores = entries.map(({ label, value }) => {
        const name = `${label}\u0000${value}`
        let core = Object.hasOwn(blob.v, name) ? blob.v[name] : undefined
        if (core === undefined) {
          const n = (Object.hasOwn(blob.n, label) ? (blob.n[label] as number) : 0) + 1
          blob.n[label] = n
          core = `${label}_${n}`
          blob.v[name] = core
          changed = true
        }
        return core
      })
      if (changed) c.sealed = seal(keys, JSON.stringify(blob), conversation)
      return cores
    },
    async values(conversation) {
      const c = get(conversation, false)
      const out = new Map<string, string>()
      if (c === undefined) return out
      const { v } = open_(conversation, c)
      for (const name in v) out.set(v[name] as string, name.slice(name.indexOf('\u0000') + 1))
      return out
    },
    async close() {
      conversations.clear()
    },
  }
}

/** Opens a sealed value; a value that does not open (another key, tampered bytes) is a vault error. */
export function openOrThrow(keys: VaultKeys, sealed: string, context: string): string {
  try {
    return open(keys, sealed, context)
  } catch (cause) {
    throw new AiError({
      code: 'FK_AI_VAULT',
      message: '[fieldkit/ai] a placeholder value in the vault could not be opened with this key',
      hint: 'Every process sharing the vault must use the same key; a changed key makes the stored conversations unreadable (start new conversations, or restore the old key)',
      cause,
    })
  }
}
