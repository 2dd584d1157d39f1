import { type EgressGuard, isFieldkitError } from '@fieldkit/core'
import type { Redactor } from '@fieldkit/redact'
import type { AuditRecord } from './audit'
import { AiError } from './errors'
import { type ApiFormat, formatOfPath, maxTokensOf, modelOf, requestSlots, type Usage } from './formats'
import { type PseudonymiseCounts, pseudonymiseSlots } from './pseudonymise'
import type { TokenQuota } from './quota'
import type { Vault } from './vault'

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

/** Options checked once, at construction. */
export interface CheckedOptions {
  retries: number
  maxRetryDelayMs: number
  paths: readonly string[]
  passThrough: boolean
  residency: ModelResidencyOptions | undefined
}

/** What every call of one guard shares. */
export interface CallContext extends CheckedOptions {
  vault: Vault
  quota: TokenQuota
  writeAudit: (record: AuditRecord) => void
  upstream: typeof fetch
  redactor: Redactor
}

/** What one call has learned so far, for its audit record. */
export interface CallState {
  record: AuditRecord
  started: number
}

/** A fresh call state: the audit record as far as the request tells. */
export function newCallState(url: URL, conversation: string): CallState {
  return {
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
}

/** The tokens to settle a reservation with: the reported usage, when the answer reported any. */
export function usedTokens(usage: Usage): number | undefined {
  return usage.inputTokens !== undefined || usage.outputTokens !== undefined
    ? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0)
    : undefined
}

/** Writes the call's audit record, with the code of the error it ended with. */
export function finishRecord(ctx: CallContext, state: CallState, error?: unknown): void {
  state.record.durationMs = Date.now() - state.started
  if (error !== undefined) state.record.error = isFieldkitError(error) ? error.code : 'ERROR'
  ctx.writeAudit(state.record)
}

/** Reads the body as its API, pseudonymises it, and estimates its tokens. */
export async function prepare(
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
export async function checkResidency(
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
