import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type AuditRecord, createModelGuard } from '@fieldkit/ai'
import { isFieldkitError, type Logger } from '@fieldkit/core'
import { type ModelServer, startModelServer } from '@fieldkit/mocks'
import { createRedactor } from '@fieldkit/redact'
import { createGuard, definePolicy } from '@fieldkit/residency'

/** An HR record as the summary step reads it. */
export interface SummaryEmployee {
  FirstName: string
  LastName: string
  Email: string | null
  Department: string
}

/** What the model step did: where the summary went, what came back restored, what was refused, the audit trail. */
export interface ModelSummaryResult {
  endpoint: string
  /** HR records in the prompt, and the names and e-mails among them. */
  records: number
  values: number
  /** Names and e-mails found in the restored summary, and planted values the model server received verbatim (0). */
  restoredValues: number
  leakedToModel: number
  refused: { host: string; region: string; code: string }[]
  audit: AuditRecord[]
  file: string
}

const EU_HOST = 'model.eu.demo'
const US_HOST = 'model.us.demo'
const RECORDS = 8

/** Routes every model host to the loopback model server, telling it which host was meant. */
function toModelServer(model: ModelServer): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const headers = new Headers(init?.headers)
    headers.set('x-forwarded-host', url.hostname)
    return fetch(`${model.origin}${url.pathname}`, { ...init, headers })
  }
}

/**
 * The demo's model step: summarises HR records through the model server on the EU endpoint with names and e-mails
 * replaced by placeholders, restores them in the summary (written to `ai-summary.md`), and shows that the US endpoint
 * is refused before anything is sent.
 */
export async function summariseWithModel(
  employees: readonly SummaryEmployee[],
  options: { outDir: string; logger?: Logger; closers: (() => Promise<void>)[] },
): Promise<ModelSummaryResult> {
  const model = await startModelServer({ regions: { [EU_HOST]: 'eu', [US_HOST]: 'us' }, chunkSize: 8 })
  options.closers.push(() => model.close())
  const chosen = employees.filter((e) => e.Email).slice(0, RECORDS)
  const planted = chosen.flatMap((e) => [`${e.FirstName} ${e.LastName}`, e.Email as string])
  const audit: AuditRecord[] = []
  const policy = definePolicy({
    dataClasses: { pii: ['eu'], pseudonymised: ['eu'] },
    hosts: { [EU_HOST]: 'eu', [US_HOST]: 'us' },
    allowSpecial: [EU_HOST, US_HOST],
  })
  const guard = createModelGuard({
    redactor: createRedactor({ deny: chosen.map((e) => `${e.FirstName} ${e.LastName}`) }),
    residency: {
      guard: createGuard(policy, { resolver: async () => ['127.0.0.1'], logger: options.logger }),
      dataClass: 'pii',
      pseudonymised: 'pseudonymised',
    },
    audit: (record) => audit.push(record),
    fetch: toModelServer(model),
  })
  const prompt = [
    'Summarise these HR records, one line each:',
    ...chosen.map((e) => `- ${e.FirstName} ${e.LastName} <${e.Email}>, ${e.Department}`),
  ].join('\n')
  const body = JSON.stringify({ model: 'demo-model', messages: [{ role: 'user', content: prompt }] })
  const call = (host: string) =>
    guard.fetch(`http://${host}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
  const answer = (await (await call(EU_HOST)).json()) as { choices: { message: { content: string } }[] }
  const summary = answer.choices[0]?.message.content ?? ''
  const refused: ModelSummaryResult['refused'] = []
  try {
    await call(US_HOST)
  } catch (error) {
    if (!isFieldkitError(error) || error.code !== 'FK_AI_RESIDENCY_DENIED') throw error
    refused.push({ host: US_HOST, region: String(error.details.region ?? ''), code: error.code })
  }
  const file = join(options.outDir, 'ai-summary.md')
  await writeFile(file, `# HR summary (model on ${EU_HOST}, names and e-mails restored)\n\n${summary}\n`)
  const sent = model.received.map((r) => r.body).join('\n')
  return {
    endpoint: `http://${EU_HOST}/v1/chat/completions`,
    records: chosen.length,
    values: planted.length,
    restoredValues: planted.filter((v) => summary.includes(v)).length,
    leakedToModel: planted.filter((v) => sent.includes(v)).length,
    refused,
    audit,
    file,
  }
}

/** The summary.md section listing the model step's audit records (counts and decisions; never a value). */
export function renderModelSection(result: ModelSummaryResult): string[] {
  const counts = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none'
  return [
    '## Model summary (language model behind pseudonyms)',
    '',
    `- ${result.records} HR records summarised on ${result.endpoint}: ${result.values} names and e-mails sent as placeholders, ${result.leakedToModel} reached the model verbatim; ${result.restoredValues} of ${result.values} restored in \`${result.file}\`.`,
    ...result.refused.map(
      (r) => `- ${r.host} refused for this call (${r.code}, region ${r.region}); nothing was sent to it.`,
    ),
    '',
    'Audit records (one per call):',
    '',
    '| endpoint | region | data class | decision | pseudonymised | restored | tokens in/out | error |',
    '| --- | --- | --- | --- | --- | ---: | --- | --- |',
    ...result.audit.map(
      (a) =>
        `| ${a.endpoint} | ${a.region ?? '?'} | ${a.dataClass ?? '?'} | ${a.decision} | ${counts(a.pseudonymised)} | ${a.restored} | ${a.usage?.inputTokens ?? '-'}/${a.usage?.outputTokens ?? '-'} | ${a.error ?? ''} |`,
    ),
    '',
  ]
}
