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
 * One conversation in memory: its entries as one sealed blob, so a call opens one ciphertext rather than one per
 * value, and no index of values exists in clear between calls. The blob is a JSON array of strings, label then
 * value, in the order the values were first seen: the n-th value of a label is `LABEL_n`, so the numbers are not
 * stored, and opening it is one `JSON.parse` of a flat array.
 */
interface Conversation {
  sealed: string | undefined
  expires: number
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

  /** The opened blob: label, value, label, value … in first-seen order (empty for a new conversation). */
  const open_ = (conversation: string, c: Conversation): string[] =>
    c.sealed === undefined ? [] : (JSON.parse(openOrThrow(keys, c.sealed, conversation)) as string[])

  return {
    async assign(conversation, entries) {
      const c = get(conversation, true) as Conversation
      const list = open_(conversation, c)
      const byLabel = numbered(list)
      const before = list.length
      const cores = entries.map(({ label, value }) => {
        const values = valuesOf(byLabel, label)
        let n = values.get(value)
        if (n === undefined) {
          n = values.size + 1
          values.set(value, n)
          list.push(label, value)
        }
        return `${label}_${n}`
      })
      if (list.length !== before) c.sealed = seal(keys, JSON.stringify(list), conversation)
      return cores
    },
    async values(conversation) {
      const c = get(conversation, false)
      const out = new Map<string, string>()
      if (c === undefined) return out
      const list = open_(conversation, c)
      const counts = new Map<string, number>()
      for (let i = 0; i < list.length; i += 2) {
        const label = list[i] as string
        const n = (counts.get(label) ?? 0) + 1
        counts.set(label, n)
        out.set(`${label}_${n}`, list[i + 1] as string)
      }
      return out
    },
    async close() {
      conversations.clear()
    },
  }
}

/** Label → value → its number, from an opened blob's flat list (the n-th value of a label is number n). */
function numbered(list: readonly string[]): Map<string, Map<string, number>> {
  const byLabel = new Map<string, Map<string, number>>()
  for (let i = 0; i < list.length; i += 2) {
    const values = valuesOf(byLabel, list[i] as string)
    values.set(list[i + 1] as string, values.size + 1)
  }
  return byLabel
}

/** The value → number map of one label, created on first use. */
function valuesOf(byLabel: Map<string, Map<string, number>>, label: string): Map<string, number> {
  let values = byLabel.get(label)
  if (values === undefined) {
    values = new Map()
    byLabel.set(label, values)
  }
  return values
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
