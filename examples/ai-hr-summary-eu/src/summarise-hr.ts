import { type AuditRecord, createModelGuard } from '@fieldkit/ai'
import { createRedactor } from '@fieldkit/redact'
import { createGuard, definePolicy, type GuardOptions } from '@fieldkit/residency'
import OpenAI from 'openai'

/** One HR record as the HR system exports it. */
export interface HrRecord {
  name: string
  email: string
  phone: string
  note: string
}

/** Where the model runs, and what the residency policy knows about its hosts. */
export interface SummaryOptions {
  /** The model endpoint (`https://eu.models.client.example/v1`). */
  baseURL: string
  apiKey: string
  model: string
  /** Host → region entries for the policy (`{ 'eu.models.client.example': 'eu' }`). */
  hosts: Record<string, string>
  /** Resolver and connector options for the residency guard (tests answer loopback). */
  residency?: GuardOptions & { allowSpecial?: string[] }
  /** The fetch the guard sends with (tests point it at a local model). */
  fetch?: typeof fetch
  /** The conversation: every turn of one case uses the same one, so placeholders stay the same. */
  conversation: string
}

/**
 * Summarises HR records with a language model: names, e-mails and phones leave as placeholders, the summary comes
 * back with them restored, and only an endpoint in the EU may receive the (pseudonymised) personal data.
 */
export async function summariseHr(
  records: readonly HrRecord[],
  options: SummaryOptions,
): Promise<{ summary: string; audit: AuditRecord[] }> {
  const audit: AuditRecord[] = []
  const policy = definePolicy({
    dataClasses: { pii: ['eu'], 'pii-pseudonymised': ['eu'], public: { allow: ['eu', 'us'], unknown: 'allow' } },
    hosts: options.hosts,
    allowSpecial: options.residency?.allowSpecial ?? [],
  })
  const guard = createModelGuard({
    // Names are not detectable by pattern: the HR system's own list of names goes on the deny list.
    redactor: createRedactor({ deny: records.map((r) => r.name) }),
    residency: {
      guard: createGuard(policy, options.residency),
      dataClass: 'pii',
      pseudonymised: 'pii-pseudonymised',
      clean: 'public',
    },
    audit: (record) => audit.push(record),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  const openai = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey, fetch: guard.fetch, maxRetries: 0 })
  try {
    const lines = records.map((r) => `- ${r.name} <${r.email}>, ${r.phone}: ${r.note}`).join('\n')
    const answer = await openai.chat.completions.create(
      {
        model: options.model,
        messages: [
          {
            role: 'system',
            content: 'Summarise the HR notes in two sentences. Copy placeholders such as <EMAIL_1> exactly.',
          },
          { role: 'user', content: lines },
        ],
      },
      { headers: { 'x-fieldkit-conversation': options.conversation } },
    )
    return { summary: answer.choices[0]?.message.content ?? '', audit }
  } finally {
    await guard.close()
  }
}
