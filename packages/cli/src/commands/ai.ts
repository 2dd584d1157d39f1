import { readFile } from 'node:fs/promises'
import { type AuditRecord, createModelGuard } from '@fieldkit/ai'
import { isFieldkitError } from '@fieldkit/core'
import { createRedactor } from '@fieldkit/redact'
import { createGuard, definePolicy, type PolicyInput } from '@fieldkit/residency'
import type { Command } from 'commander'
import { EXIT, type Output } from '../output'

/** What `fieldkit ai inspect` found: the body that would leave, the kinds replaced, and the endpoint's verdict. */
export interface InspectReport {
  endpoint: string
  /** The API the body was read as (`openai-chat`, `openai-responses`, `anthropic`, …). */
  format: string
  /** The body as it would be sent: placeholders instead of personal values, `[SECRET]` instead of secrets. */
  body: unknown
  /** Values that would be replaced by placeholders, and secrets removed for good, by kind (counts only). */
  pseudonymised: Record<string, number>
  secrets: Record<string, number>
  /** `allowed`, `denied` or `unchecked` (no residency policy given). */
  decision: 'allowed' | 'denied' | 'unchecked'
  dataClass?: string
  region?: string
  /** Why the endpoint may not receive it (denied only). */
  reason?: string
}

/** Options of {@link inspectRequest}. */
export interface InspectOptions {
  /** The model endpoint the request is meant for. */
  endpoint: string
  /** A residency policy (`@fieldkit/residency`'s `definePolicy` input); the endpoint is not checked without one. */
  policy?: PolicyInput
  /** The data class of raw personal data (default `pii`) and of fully pseudonymised data (default the same). */
  dataClass?: string
  pseudonymisedClass?: string
  /** Values the redactor must treat as personal data (names it cannot find by shape). */
  deny?: string[]
  /** Fixed addresses for hosts (`host` → IPs), as curl's `--resolve`; other hosts go to DNS. */
  resolve?: Map<string, string[]>
}

/**
 * Runs a model request body through a model guard without sending it: the body that would leave, what was found
 * and whether the endpoint may receive it. Nothing is sent; a body that is not the API's JSON throws
 * `FK_AI_INVALID_BODY`.
 *
 * @example
 * ```ts
 * const report = await inspectRequest(readFileSync('request.json', 'utf8'), { endpoint: 'https://api.openai.com/v1/chat/completions' })
 * report.pseudonymised // { email: 2 }
 * ```
 */
export async function inspectRequest(body: string, options: InspectOptions): Promise<InspectReport> {
  let sent: string | undefined
  const records: AuditRecord[] = []
  const dataClass = options.dataClass ?? 'pii'
  const residency = options.policy
    ? {
        guard: createGuard(definePolicy({ ...options.policy, cacheTtlMs: 0 }), {
          resolver: async (host: string) => options.resolve?.get(host) ?? (await dnsLookup(host)),
        }),
        dataClass,
        pseudonymised: options.pseudonymisedClass ?? dataClass,
      }
    : undefined
  const guard = createModelGuard({
    redactor: createRedactor(options.deny?.length ? { deny: options.deny } : {}),
    ...(residency ? { residency } : {}),
    audit: (record) => records.push(record),
    retries: 0,
    // Nothing leaves: the body is kept and an empty answer comes back.
    fetch: async (_input, init) => {
      sent = typeof init?.body === 'string' ? init.body : new TextDecoder().decode(init?.body as Uint8Array)
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })
    },
  })
  let denied: unknown
  try {
    await guard.fetch(options.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  } catch (error) {
    if (!isFieldkitError(error) || error.code !== 'FK_AI_RESIDENCY_DENIED') throw error
    denied = error
  }
  const record = records[0] as AuditRecord
  return {
    endpoint: record.endpoint,
    format: record.format,
    // A refused call sent nothing: the body it would have sent comes from the same guard without the policy.
    body: sent === undefined ? (await inspectRequest(body, { ...options, policy: undefined })).body : JSON.parse(sent),
    pseudonymised: record.pseudonymised,
    secrets: record.secrets,
    decision: residency === undefined ? 'unchecked' : denied ? 'denied' : 'allowed',
    ...(record.dataClass !== undefined ? { dataClass: record.dataClass } : {}),
    ...(record.region !== undefined ? { region: record.region } : {}),
    ...(denied ? { reason: reasonOf(denied as Error) } : {}),
  }
}

function reasonOf(error: Error): string {
  const text = error.message.replace(/^\[fieldkit\/ai\] /, '')
  return text.replace(/; nothing was sent$/, '')
}

async function dnsLookup(host: string): Promise<string[]> {
  const { lookup } = await import('node:dns/promises')
  return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address)
}

/** `fieldkit ai inspect request.json`: what a model call would send, and whether the endpoint may receive it. */
export function registerAi(program: Command, output: () => Output): void {
  const ai = program.command('ai').description('language-model calls behind pseudonyms and residency')
  ai.command('inspect')
    .description(
      'show what a model request would send (with placeholders), what was found, and whether the endpoint may receive it; nothing is sent',
    )
    .argument('<request>', 'the request body (OpenAI chat completions or responses, Anthropic messages) as a JSON file')
    .option('--endpoint <url>', 'the model endpoint the request is for', 'https://api.openai.com/v1/chat/completions')
    .option(
      '--policy <file>',
      'a residency policy as JSON (dataClasses, hosts, …); without it the endpoint is not checked',
    )
    .option('--data-class <class>', 'the data class of raw personal data', 'pii')
    .option('--pseudonymised-class <class>', 'the data class once every personal value is a placeholder')
    .option('--deny <value...>', 'values to treat as personal data (names the redactor cannot find by shape)')
    .option('--resolve <host:address...>', 'fixed addresses for hosts, as curl --resolve (no DNS for them)')
    .addHelpText(
      'after',
      `
Examples:
  $ fieldkit ai inspect request.json
  $ fieldkit ai inspect request.json --endpoint https://eu.api.example/v1/messages --policy residency.json
  $ fieldkit --json ai inspect request.json --deny "Ann Lee"

Exit code 3 when the policy refuses the endpoint for this request.`,
    )
    .action(async (file: string, flags: Record<string, string | string[] | undefined>) => {
      const out = output()
      const options: InspectOptions = { endpoint: String(flags.endpoint), dataClass: String(flags.dataClass) }
      if (flags.pseudonymisedClass) options.pseudonymisedClass = String(flags.pseudonymisedClass)
      if (Array.isArray(flags.deny)) options.deny = flags.deny
      if (flags.policy) options.policy = JSON.parse(await readFile(String(flags.policy), 'utf8')) as PolicyInput
      if (Array.isArray(flags.resolve)) options.resolve = resolveFlags(flags.resolve)
      const report = await inspectRequest(await readFile(file, 'utf8'), options)
      out.result(report)
      printReport(out, report)
      if (report.decision === 'denied') process.exitCode = EXIT.findings
    })
}

function resolveFlags(values: string[]): Map<string, string[]> {
  const map = new Map<string, string[]>()
  for (const value of values) {
    const at = value.indexOf(':')
    const host = value.slice(0, at)
    if (at > 0) map.set(host, [...(map.get(host) ?? []), value.slice(at + 1)])
  }
  return map
}

function printReport(out: Output, report: InspectReport): void {
  const counts = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none'
  out.line(out.bold(`Would send to ${report.endpoint} (${report.format}):`))
  out.line(JSON.stringify(report.body, null, 2))
  out.line()
  out.line(`Placeholders: ${counts(report.pseudonymised)}`)
  out.line(`Secrets removed: ${counts(report.secrets)}`)
  if (report.decision === 'unchecked') out.line(out.dim('Endpoint: not checked (no --policy)'))
  else if (report.decision === 'allowed')
    out.line(out.green(`Endpoint: allowed for ${report.dataClass} data (region ${report.region ?? 'unknown'})`))
  else out.line(out.red(`Endpoint: refused — ${report.reason}`))
}
