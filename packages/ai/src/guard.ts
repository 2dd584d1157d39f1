import { randomUUID } from 'node:crypto'
import { type EgressGuard, expected, isFieldkitError, sleep } from '@fieldkit/core'
import type { Redactor } from '@fieldkit/redact'
import { type AuditRecord, type AuditSink, auditWriter } from './audit'
import { AiError, invalidOption } from './errors'
import {
  type ApiFormat,
  formatOfPath,
  maxTokensOf,
  modelOf,
  requestSlots,
  restoreDeep,
  type Usage,
  usageOf,
} from './formats'
import { type RestoreCounts, restorePlaceholders } from './placeholders'
import { type PseudonymiseCounts, pseudonymiseSlots, slotOf } from './pseudonymise'
import { type QuotaGrant, TokenQuota, type TokenQuotaOptions } from './quota'
import { readProviderQuota } from './rate-headers'
import { restoreEventStream, SseRestorer } from './sse'
import { memoryVault, type Vault } from './vault'

/** The header naming the conversation of a call made through `guard.fetch`; it is removed before sending. */
export const CONVERSATION_HEADER = 'x-fieldkit-conversation'

/** Residency by data class: the class of a call is decided from what was found and what was left. */
export interface ModelResidencyOptions {
  /** A guard from `@fieldkit/residency` (`createGuard(policy)`), or any `EgressGuard`. */
  guard: EgressGuard
  /** The class of a call that carries raw personal data (only with `passThrough`), and the default of the others. */
  dataClass: string
  /** The class of a call whose personal data was all replaced by placeholders (default: `dataClass`). */
  pseudonymised?: string
  /** The class of a call in which nothing personal was found (default: `pseudonymised`, then `dataClass`). */
  clean?: string
}

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

interface CheckedOptions {
  retries: number
  maxRetryDelayMs: number
  paths: readonly string[]
  passThrough: boolean
  residency: ModelResidencyOptions | undefined
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

interface CallContext extends CheckedOptions {
  vault: Vault
  quota: TokenQuota
  writeAudit: (record: AuditRecord) => void
  upstream: typeof fetch
  redactor: Redactor
}

/** What one call has learned so far, for its audit record. */
interface CallState {
  record: AuditRecord
  started: number
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
  const state: CallState = {
    started: Date.now(),
    record: {
      time: new Date().toISOString(),
      endpoint: `${url.origin}${url.pathname}`,
      format: 'passthrough',
      conversation,
      decision: 'allowed',
      pseudonymised: {},
      secrets: {},
      restored: 0,
      unrestored: 0,
      stream: false,
      attempts: 0,
      durationMs: 0,
    },
  }
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
    return await restoreResponse(ctx, response, conversation, state, (usage) => {
      grant.settle(
        usage.inputTokens !== undefined || usage.outputTokens !== undefined
          ? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0)
          : undefined,
      )
    })
  } catch (error) {
    finishRecord(ctx, state, error)
    throw error
  }
}

function finishRecord(ctx: CallContext, state: CallState, error?: unknown): void {
  state.record.durationMs = Date.now() - state.started
  if (error !== undefined) state.record.error = isFieldkitError(error) ? error.code : 'ERROR'
  ctx.writeAudit(state.record)
}

/** Reads the body as its API, pseudonymises it, and estimates its tokens. */
async function prepare(
  ctx: CallContext,
  url: URL,
  rawBody: RequestInit['body'],
  conversation: string,
  state: CallState,
): Promise<{ body: RequestInit['body']; counts: PseudonymiseCounts | undefined; estimate: number }> {
  const format: ApiFormat | undefined = formatOfPath(url.pathname) ?? (ctx.paths.length > 0 ? 'json-paths' : undefined)
  let parsed: unknown
  let refusal: AiError | undefined
  if (format === undefined)
    refusal = invalidBody('the endpoint is none of the known APIs and no `paths` are configured')
  else if (typeof rawBody !== 'string') refusal = invalidBody('the body is not JSON text')
  else {
    try {
      parsed = JSON.parse(rawBody)
    } catch {
      refusal = invalidBody('the body is not valid JSON')
    }
  }
  let slots: ReturnType<typeof requestSlots> | undefined
  if (refusal === undefined) {
    try {
      slots = requestSlots(format as ApiFormat, parsed, ctx.paths)
    } catch (error) {
      refusal = error as AiError
    }
  }
  if (refusal !== undefined || slots === undefined) {
    if (!ctx.passThrough) {
      state.record.decision = 'refused'
      throw refusal
    }
    state.record.decision = 'passthrough'
    const size = typeof rawBody === 'string' ? rawBody.length : 0
    return { body: rawBody, counts: undefined, estimate: Math.ceil(size / 4) }
  }
  state.record.format = format as ApiFormat
  const model = modelOf(parsed)
  if (model !== undefined) state.record.model = model
  state.record.stream = (parsed as { stream?: unknown }).stream === true
  const counts = await pseudonymiseSlots(slots.slots, ctx.redactor, ctx.vault, conversation)
  for (const f of slots.finish) f()
  state.record.pseudonymised = counts.pseudonymised
  state.record.secrets = counts.secrets
  const body = JSON.stringify(parsed)
  return { body, counts, estimate: Math.ceil(body.length / 4) + (maxTokensOf(parsed) ?? 256) }
}

function invalidBody(what: string): AiError {
  return new AiError({
    code: 'FK_AI_INVALID_BODY',
    message: `[fieldkit/ai] the request cannot be read: ${what}; nothing was sent`,
    hint: 'Send the JSON body the API documents, configure `paths` for other JSON endpoints, or set `passThrough: true` to forward such bodies unchanged (not pseudonymised)',
  })
}

/** Decides the call's data class and checks the endpoint's region before anything is sent. */
async function checkResidency(
  ctx: CallContext,
  url: URL,
  counts: PseudonymiseCounts | undefined,
  state: CallState,
): Promise<void> {
  const r = ctx.residency
  if (r === undefined) return
  const pseudonymisedClass = r.pseudonymised ?? r.dataClass
  const dataClass =
    counts === undefined
      ? r.dataClass // passed through: raw personal data may be in it
      : Object.keys(counts.pseudonymised).length > 0
        ? pseudonymisedClass
        : (r.clean ?? pseudonymisedClass)
  state.record.dataClass = dataClass
  let decision: Awaited<ReturnType<EgressGuard['check']>>
  try {
    decision = await r.guard.check(url, dataClass)
  } catch (cause) {
    state.record.decision = 'denied'
    throw new AiError({
      code: 'FK_AI_RESIDENCY_DENIED',
      message: `[fieldkit/ai] ${dataClass} data may not go to ${url.host}: its region could not be checked; nothing was sent`,
      hint: 'Check the residency policy and that the host resolves; the cause says what the residency guard found',
      cause,
      details: { host: url.host, dataClass },
    })
  }
  if (decision.region !== undefined) state.record.region = decision.region
  if (decision.allowed) return
  if ((decision as { mode?: string }).mode === 'report') {
    state.record.decision = 'report'
    return
  }
  state.record.decision = 'denied'
  throw new AiError({
    code: 'FK_AI_RESIDENCY_DENIED',
    message: `[fieldkit/ai] ${dataClass} data may not go to ${url.host} (${decision.region ?? 'unknown region'}): ${decision.reason}; nothing was sent`,
    hint: 'Use an endpoint in a region the policy allows for this data class, or change the policy (a `pseudonymised` class may be allowed more regions than raw personal data)',
    details: { host: url.host, dataClass, region: decision.region ?? null },
  })
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
