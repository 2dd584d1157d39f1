import { describeValue, expected, type RedisInstance } from '@fieldkit/core'
import type { Redis } from 'ioredis'
import { AiError, invalidOption } from './errors'
import { loadIoredis } from './load-ioredis'
import { deriveKeys, keyedName, seal } from './seal'
import { checkTtl, openOrThrow, type Vault } from './vault'

/** Options of {@link redisVault}. */
export interface RedisVaultOptions {
  /** A `redis://` URL (the vault owns that connection) or an ioredis client (the caller closes it). */
  url?: string
  client?: RedisInstance
  /** 32 bytes (or their base64 text) sealing the values; every process sharing the vault uses the same key. */
  key: string | Uint8Array
  /** How long a conversation is kept after its last use, in ms (default 24 h). */
  ttlMs?: number
  /** Key prefix (default `fieldkit:ai-vault`). */
  prefix?: string
}

/**
 * Gets or assigns the placeholder of each value of a call, in one round trip. KEYS[1] is the conversation's hash:
 * `h:<keyed name>` → core, `p:<core>` → sealed value, `n:<label>` → counter. ARGV: ttl, then (name, label, sealed)
 * triples. Returns the cores in order.
 */
const ASSIGN = `
local out = {}
for i = 2, #ARGV, 3 do
  local core = redis.call('HGET', KEYS[1], 'h:' .. ARGV[i])
  if not core then
    local n = redis.call('HINCRBY', KEYS[1], 'n:' .. ARGV[i + 1], 1)
    core = ARGV[i + 1] .. '_' .. n
    redis.call('HSET', KEYS[1], 'h:' .. ARGV[i], core, 'p:' .. core, ARGV[i + 2])
  end
  out[#out + 1] = core
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return out
`

/**
 * A vault in Redis, shared by every process that uses the same Redis, prefix and key: values sealed with
 * AES-256-GCM (the conversation and placeholder bound as additional data), placeholders named by a keyed hash so
 * Redis never holds a value or a conversation id in clear, and a TTL refreshed on each use.
 *
 * @example
 * ```ts
 * const vault = redisVault({ url: process.env.REDIS_URL, key: process.env.AI_VAULT_KEY, ttlMs: 86_400_000 })
 * const guard = createModelGuard({ redactor, vault })
 * ```
 */
export function redisVault(options: RedisVaultOptions): Vault {
  if (typeof options !== 'object' || options === null) throw invalidOption(expected('options', 'an object', options))
  const keys = deriveKeys(options.key, 'key')
  const ttlMs = checkTtl(options.ttlMs, 'ttlMs')
  const prefix = options.prefix ?? 'fieldkit:ai-vault'
  if (options.client === undefined && (typeof options.url !== 'string' || options.url === ''))
    throw invalidOption(
      `Expected \`url\` to be a redis:// URL or \`client\` an ioredis client, got ${describeValue(options.url)}`,
    )
  const redis =
    (options.client as Redis | undefined) ?? // the caller's ioredis client, typed structurally in the options
    new (loadIoredis('redisVault({ url })').Redis)(options.url as string, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    })
  const hashOf = (conversation: string) => `${prefix}:${keyedName(keys, 'conversation', conversation)}`

  const failed = (cause: unknown) =>
    new AiError({
      code: 'FK_AI_VAULT',
      message: '[fieldkit/ai] the placeholder vault in Redis could not be reached; nothing was sent',
      hint: 'Check that Redis is up and reachable at the vault URL; without the vault no placeholder can be assigned or restored',
      cause,
    })

  return {
    async assign(conversation, entries) {
      // A new value's seal is made before knowing its number: the additional data binds the conversation and label.
      const args: string[] = [String(ttlMs)]
      for (const { label, value } of entries) {
        args.push(
          keyedName(keys, conversation, label, value),
          label,
          seal(keys, value, `${conversation}\u0000${label}`),
        )
      }
      try {
        return (await redis.eval(ASSIGN, 1, hashOf(conversation), ...args)) as string[]
      } catch (cause) {
        throw failed(cause)
      }
    },
    async values(conversation) {
      let all: Record<string, string>
      try {
        all = await redis.hgetall(hashOf(conversation))
      } catch (cause) {
        throw failed(cause)
      }
      const out = new Map<string, string>()
      for (const [field, sealed] of Object.entries(all)) {
        if (!field.startsWith('p:')) continue
        const core = field.slice(2)
        out.set(core, openOrThrow(keys, sealed, `${conversation}\u0000${core.slice(0, core.lastIndexOf('_'))}`))
      }
      return out
    },
    async close() {
      if (options.client === undefined) redis.disconnect()
    },
  }
}
