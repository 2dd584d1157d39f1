import { randomUUID } from 'node:crypto'
import { expected, sleep } from '@fieldkit/core'
import type { Redactor } from '@fieldkit/redact'
import type { Dispatcher } from 'undici'
import { type AuditSink, auditWriter } from './audit'
import {
  type CallContext,
  type CallState,
  type CheckedOptions,
  CONVERSATION_HEADER,
  checkResidency,
  finishRecord,
  type ModelResidencyOptions,
  newCallState,
  prepare,
  usedTokens,
} from './call'
import { invalidOption } from './errors'
import { restoreDeep, type Usage, usageOf } from './formats'
import { modelInterceptor } from './interceptor'
import { type RestoreCounts, restorePlaceholders } from './placeholders'
import { type PseudonymiseCounts, pseudonymiseSlots, slotOf } from './pseudonymise'
import { type QuotaGrant, TokenQuota, type TokenQuotaOptions } from './quota'
import { readProviderQuota } from './rate-headers'
import { restoreEventStream, SseRestorer } from './sse'
import { memoryVault, type Vault } from './vault'

/** Options of {@link createModelGuard}. */
export interface ModelGuardOptions {
  /** A redactor from `@fieldkit/redact`: what counts as personal data (placeholders) and secrets (removed). */
  redactor: Redactor
  /** Where a call may go, by data class; no check when absent. */
  residency?: ModelResidencyOptions
  /** Where placeholders live (default: a `memoryVault()` with a random key, for this process only). */
  vault?: Vault
  /** One record per call: a function, or a JSONL file path. */
  audit?: AuditSink
  /** Token and request quotas of the provider account, shared by every caller of this guard. */
  rateLimit?: TokenQuotaOptions
  /** Retries of 429, 503 and 529 before the answer's first byte (default 3; a stream is never retried after it). */
  retries?: number
  /** Longest wait between two attempts, in ms (default 30,000). */
  maxRetryDelayMs?: number
  /** JSON paths (`inputs.*.text`) to pseudonymise in bodies of other endpoints than the three known APIs. */
  paths?: readonly string[]
  /** Forward bodies that are not the declared API's JSON as they are (not pseudonymised; audited). Default false. */
  passThrough?: boolean
  /** The fetch calls go out through (default `globalThis.fetch`). */
  fetch?: typeof fetch
}

/** Options of one pseudonymise or restore call. */
export interface ConversationOptions {
  /** The conversation whose placeholders to use; the guard's own conversation by default. */
  conversation?: string
}

/** A model guard: a fetch for any SDK, and the pseudonymise/restore pair for code that calls models itself. */
export interface ModelGuard {
  /** A drop-in `fetch` for SDKs (`new OpenAI({ fetch: guard.fetch })`). */
  readonly fetch: typeof fetch
  /** Replaces personal values by placeholders (stable in the conversation) and secrets by `[SECRET]`. */
  pseudonymise(text: string, options?: ConversationOptions): Promise<{ text: string; counts: PseudonymiseCounts }>
  /** Puts the conversation's values back; placeholders of other conversations stay as they are. */
  restore(text: string, options?: ConversationOptions): Promise<string>
  /**
   * The guard as an undici interceptor (`new Agent().compose(guard.interceptor())`), for code that sends through a
   * dispatcher; the conversation is named by the `x-fieldkit-conversation` header as with `fetch`.
   */
  interceptor(): Dispatcher.DispatcherComposeInterceptor
  /** The conversation used when a call names none: one per guard. */
  readonly conversation: string
  /** Closes the vault and the quota's Redis connection, when the guard opened them. */
  close(): Promise<void>
}

const RETRY_STATUSES = new Set([429, 503, 529])

/**
 * Puts a language model behind the guard: personal values leave as stable placeholders and come back restored
 * (in JSON answers, tool-call arguments and streamed events), secrets leave as `[SECRET]` and never come back, the
 * endpoint's region is checked for the call's data class before connecting, the provider's token quota is shared by
 * every caller, and each call leaves one audit record.
 *
 * @example
 * ```ts
 * const guard = createModelGuard({ redactor: createRedactor(), residency: { guard: egress, dataClass: 'pii' } })
 * const openai = new OpenAI({ baseURL, apiKey, fetch: guard.fetch })
 * const answer = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Mail ann@example.com' }] })
 * ```
 */
export function createModelGuard(options: ModelGuardOptions): ModelGuard {
  const o = checkOptions(options)
  const vault = options.vault ?? memoryVault()
  const quota = new TokenQuota(options.rateLimit)
  const writeAudit = auditWriter(options.audit)
  const conversation = randomUUID()
  const upstream = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const context: CallContext = { ...o, vault, quota, writeAudit, upstream, redactor: options.redactor }

  return {
    conversation,
    fetch: (input, init) => guardedFetch(context, conversation, input, init),
    interceptor: () => modelInterceptor(context, conversation),
    async pseudonymise(text, callOptions) {
      const box = [text]
      const counts = await pseudonymiseSlots(
        [slotOf(box, 0)],
        options.redactor,
        vault,
        callOptions?.conversation ?? conversation,
      )
      return { text: box[0] as string, counts }
    },
    async restore(text, callOptions) {
      const values = await vault.values(callOptions?.conversation ?? conversation)
      return restorePlaceholders(text, values, 'text', { restored: 0, unrestored: 0 })
    },
    async close() {
      await Promise.all([vault.close(), quota.close()])
    },
  }
}

function checkOptions(options: ModelGuardOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption(expected('options', 'an object', options))
  if (typeof options.redactor?.redactString !== 'function')
    throw invalidOption(expected('redactor', 'a redactor from createRedactor() of @fieldkit/redact', options.redactor))
  const retries = options.retries ?? 3
  if (!Number.isInteger(retries) || retries < 0)
    throw invalidOption(expected('retries', 'a non-negative integer', retries))
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000
  if (typeof maxRetryDelayMs !== 'number' || !(maxRetryDelayMs >= 0))
    throw invalidOption(expected('maxRetryDelayMs', 'a non-negative number', maxRetryDelayMs))
  const r = options.residency
  if (
    r !== undefined &&
    (typeof r.guard?.check !== 'function' || typeof r.dataClass !== 'string' || r.dataClass === '')
  )
    throw invalidOption(
      expected('residency', '{ guard, dataClass } with a guard from createGuard() of @fieldkit/residency', r),
    )
  return {
    retries,
    maxRetryDelayMs,
    paths: options.paths ?? [],
    passThrough: options.passThrough === true,
    residency: r,
  }
}

async function guardedFetch(
  ctx: CallContext,
  defaultConversation: string,
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<Response> {
  const request = input instanceof Request ? input : undefined
  const url = new URL(request?.url ?? String(input))
  const headers = new Headers(init?.headers ?? request?.headers)
  const conversation = headers.get(CONVERSATION_HEADER) ?? defaultConversation
  headers.delete(CONVERSATION_HEADER)
  headers.delete('content-length')
  let rawBody = init?.body ?? (request !== undefined ? await request.clone().text() : undefined)
  // Bytes are read as UTF-8 JSON text like a string body; streams and forms stay as they are (refused or passed).
  if (rawBody instanceof Uint8Array || rawBody instanceof ArrayBuffer) rawBody = new TextDecoder().decode(rawBody)
  const state = newCallState(url, conversation)
  try {
    const prepared = await prepare(ctx, url, rawBody, conversation, state)
    await checkResidency(ctx, url, prepared.counts, state)
    state.record.estimatedTokens = prepared.estimate
    const { response, grant } = await send(
      ctx,
      url,
      { ...init, headers, body: prepared.body },
      state,
      prepared.estimate,
    )
    return await restoreResponse(ctx, response, conversation, state, (usage) => grant.settle(usedTokens(usage)))
  } catch (error) {
    finishRecord(ctx, state, error)
    throw error
  }
}

/**
 * Sends, retrying 429, 503 and 529 with their delays; an answer is returned before its body is read. Every attempt
 * acquires its tokens from the quota when it leaves: the provider counts a retry when it arrives, not when the
 * first attempt did.
 */
async function send(
  ctx: CallContext,
  url: URL,
  init: RequestInit,
  state: CallState,
  estimate: number,
): Promise<{ response: Response; grant: QuotaGrant }> {
  for (let attempt = 1; ; attempt++) {
    state.record.attempts = attempt
    const grant = await ctx.quota.acquire(estimate, init.signal ?? undefined)
    const response = await ctx.upstream(url, init)
    await grant.arrived()
    state.record.status = response.status
    const provider = readProviderQuota(response.headers)
    await ctx.quota.observe(response.status, provider)
    if (!RETRY_STATUSES.has(response.status) || attempt > ctx.retries) return { response, grant }
    await response.body?.cancel().catch(() => {})
    const delay = Math.min(provider.retryAfterMs ?? 500 * 2 ** (attempt - 1), ctx.maxRetryDelayMs)
    await sleep(delay, init.signal ?? undefined)
  }
}

/** Restores the answer: whole JSON, or event by event for a stream; the audit record is written at its end. */
async function restoreResponse(
  ctx: CallContext,
  response: Response,
  conversation: string,
  state: CallState,
  settle: (usage: Usage) => void,
): Promise<Response> {
  const values = await ctx.vault.values(conversation)
  const counts: RestoreCounts = { restored: 0, unrestored: 0 }
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  headers.delete('content-encoding')
  const type = response.headers.get('content-type') ?? ''
  const init = { status: response.status, statusText: response.statusText, headers }
  if (type.includes('text/event-stream') && response.body !== null) {
    state.record.stream = true
    const restorer = new SseRestorer(values, counts)
    const body = restoreEventStream(response.body, restorer, (end) => {
      state.record.restored = counts.restored
      state.record.unrestored = counts.unrestored
      state.record.usage = end.usage
      settle(end.usage)
      finishRecord(ctx, state, end.error)
    })
    return new Response(body, init)
  }
  const text = await response.text()
  let out = text
  const usage: Usage = {}
  if (type.includes('json')) {
    try {
      const parsed: unknown = JSON.parse(text)
      usageOf(parsed, usage)
      out = JSON.stringify(restoreDeep(parsed, values, counts))
    } catch {
      out = restorePlaceholders(text, values, 'text', counts)
    }
  } else out = restorePlaceholders(text, values, 'text', counts)
  state.record.restored = counts.restored
  state.record.unrestored = counts.unrestored
  if (usage.inputTokens !== undefined || usage.outputTokens !== undefined) state.record.usage = usage
  settle(usage)
  finishRecord(ctx, state)
  return new Response(out, init)
}
