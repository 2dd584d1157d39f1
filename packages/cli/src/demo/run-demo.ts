import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { clientCredentials, ntlm, wsSecurityUsernameToken } from '@fieldkit/auth'
import { isFieldkitError, type Logger } from '@fieldkit/core'
import { type CsvReport, normalizeCsv, writeCsv } from '@fieldkit/csv'
import { createHttpClient } from '@fieldkit/http'
import { EMPLOYEES_NS } from '@fieldkit/mocks'
import { createRedactor } from '@fieldkit/redact'
import { createGuard, definePolicy } from '@fieldkit/residency'
import { createSoapClient } from '@fieldkit/soap'
import { z } from 'zod'
import { type DemoAccount, demoData } from './data'
import { type ModelSummaryResult, renderModelSection, summariseWithModel } from './model-summary'
import { DEMO_CREDENTIALS, type DemoWorld, startWorld } from './world'

/** What one demo run did, stage by stage: the counts `out/summary.md` is written from. */
export interface DemoSummary {
  employees: { fetched: number; withoutEmail: number }
  accounts: { fetched: number; pages: number; retries: number; waitedOut429: number; tokenRequests: number }
  payroll: {
    read: number
    emitted: number
    quarantined: number
    skipped: { preamble: number; blank: number; summary: number }
    encoding: string
    delimiter: string
    quarantine: { line: number; reason: string }[]
  }
  joined: { records: number; unmatchedPayroll: number; withoutAccounts: number }
  redacted: { findings: Record<string, number> }
  delivered: { lake: string; records: number }[]
  refused: { host: string; region?: string; dataClass: string; code: string }[]
  /** The model step: summary on the EU endpoint with pseudonyms, the US endpoint refused, the audit records. */
  model?: ModelSummaryResult
  files: string[]
  seconds: number
}

/** Reports progress of a stage: a title, and counts as they grow. */
export type Progress = (stage: string, detail: string) => void

const PayrollRow = z.object({
  personalnr: z.string().regex(/^\d{6}$/, 'a six-digit personnel number'),
  name: z.string().min(1),
  bruttogehalt: z.number().positive(),
  iban: z.string().refine(validIban, 'the IBAN checksum (mod 97) is wrong'),
  auszahlung: z.date(),
})

/** What the stages share while the demo runs. */
interface DemoContext {
  outDir: string
  logger?: Logger
  started: number
  data: ReturnType<typeof demoData>
  world?: DemoWorld
  closers: (() => Promise<void>)[]
  employees: HrEmployee[]
  accounts: DemoAccount[]
  crm: { retries: number }
  payrollRows: z.infer<typeof PayrollRow>[]
  report?: CsvReport
  safe: Record<string, unknown>[]
  joined: { unmatchedPayroll: number; withoutAccounts: number }
  findings: Record<string, number>
  refused: DemoSummary['refused']
  model?: ModelSummaryResult
  summary?: DemoSummary
}

interface HrEmployee {
  EmployeeId: string
  FirstName: string
  LastName: string
  Email: string | null
  Department: string
}

/** One step of the demo: a title for the progress display and the work, reporting counts as it goes. */
export interface DemoStage {
  title: string
  run(ctx: DemoContext, report: (detail: string) => void): Promise<void>
}

/** The demo's steps, in order: the CLI shows them as progress; {@link runDemo} runs them plainly. */
export const demoStages: readonly DemoStage[] = [
  {
    title: 'Start the simulated client systems',
    async run(ctx, report) {
      ctx.world = await startWorld(ctx.data)
      ctx.closers.push(() => (ctx.world as DemoWorld).close())
      await mkdir(join(ctx.outDir, 'input'), { recursive: true })
      report(`HR ${ctx.world.hr}, CRM ${ctx.world.crm}, lakes on 127.0.0.2 and 127.0.0.3`)
    },
  },
  {
    title: 'HR employees over SOAP (NTLM + WS-Security)',
    async run(ctx, report) {
      // NTLM authenticates the connection; a WS-Security UsernameToken goes in the envelope.
      const world = ctx.world as DemoWorld
      const hrHttp = createHttpClient({ auth: ntlm({ ...DEMO_CREDENTIALS.ntlm }), logger: ctx.logger })
      ctx.closers.push(() => hrHttp.close())
      const hr = createSoapClient({
        endpoint: world.hr,
        version: '1.1',
        namespace: EMPLOYEES_NS,
        http: hrHttp,
        security: wsSecurityUsernameToken({ ...DEMO_CREDENTIALS.wsse, digest: true }),
        arrays: ['GetEmployeesResponse.Employee'],
      })
      const answer = await hr.call<{ Employee: HrEmployee[] }>('GetEmployees', { departmentId: '*' })
      ctx.employees = answer.Employee
      report(`${ctx.employees.length} employees`)
    },
  },
  {
    title: 'CRM accounts (OAuth 2.0, cursor pages, quota, transient failures)',
    async run(ctx, report) {
      const world = ctx.world as DemoWorld
      const crm = createHttpClient({
        baseUrl: world.crm,
        auth: clientCredentials({
          tokenUrl: world.tokenUrl,
          ...DEMO_CREDENTIALS.crm,
          clientAuth: 'client_secret_basic',
        }),
        retry: { retries: 6, maxRetryAfterMs: 10_000 },
        rateLimit: { perSecond: 15 },
        logger: ctx.logger,
      })
      ctx.closers.push(() => crm.close())
      const started = performance.now()
      const pages = crm.paginate<DemoAccount>('/crm/accounts', {
        style: 'cursor',
        cursorPath: 'meta.next',
        itemsPath: 'data',
      })
      for await (const account of pages) {
        ctx.accounts.push(account)
        if (ctx.accounts.length % 25 === 0) {
          const rate = ctx.accounts.length / ((performance.now() - started) / 1000)
          report(`${ctx.accounts.length} accounts, ${rate.toFixed(0)}/s, ${crm.stats().retries} retries`)
        }
      }
      ctx.crm.retries = crm.stats().retries
      report(`${ctx.accounts.length} accounts, ${ctx.crm.retries} retries`)
    },
  },
  {
    title: 'Payroll CSV (Windows-1252, semicolons, decimal commas)',
    async run(ctx, report) {
      const payrollFile = join(ctx.outDir, 'input', 'payroll-export.csv')
      await writeFile(payrollFile, ctx.data.payrollCsv)
      const payroll = normalizeCsv(
        { path: payrollFile },
        { schema: PayrollRow, headers: { case: 'camel' }, values: { decimal: ',', dateFormats: ['DD.MM.YYYY'] } },
      )
      for await (const row of payroll.rows) {
        ctx.payrollRows.push(row as z.infer<typeof PayrollRow>)
        if (ctx.payrollRows.length % 40 === 0) report(`${ctx.payrollRows.length} rows`)
      }
      ctx.report = await payroll.report
      report(
        `${ctx.report.records.emitted} rows, ${ctx.report.records.quarantined} quarantined, ${ctx.report.dialect.encoding}`,
      )
    },
  },
  {
    title: 'Join and redact (emails hashed, IBANs masked)',
    async run(ctx, report) {
      const byId = new Map(ctx.employees.map((e) => [e.EmployeeId, e]))
      const accountsByOwner = new Map<string, DemoAccount[]>()
      for (const account of ctx.accounts) {
        accountsByOwner.set(account.ownerEmail, [...(accountsByOwner.get(account.ownerEmail) ?? []), account])
      }
      const redactor = createRedactor({
        detectors: ['email', 'iban', 'phone', 'card'],
        actions: { email: 'hash', iban: 'mask', default: 'redact' },
        secret: process.env.FIELDKIT_DEMO_SECRET ?? 'demo-only-secret-rotate-in-production',
      })
      for (const row of ctx.payrollRows) {
        const employee = byId.get(row.personalnr)
        if (employee === undefined) {
          ctx.joined.unmatchedPayroll += 1
          continue
        }
        const owned = employee.Email ? (accountsByOwner.get(employee.Email) ?? []) : []
        if (owned.length === 0) ctx.joined.withoutAccounts += 1
        const { value, findings } = redactor.redactObject({
          employeeId: employee.EmployeeId,
          name: `${employee.FirstName} ${employee.LastName}`,
          email: employee.Email,
          department: employee.Department,
          grossSalary: row.bruttogehalt,
          iban: row.iban,
          payDate: row.auszahlung.toISOString().slice(0, 10),
          accounts: owned.map((a) => a.id),
          accountRevenue: Math.round(owned.reduce((sum, a) => sum + a.annualRevenue, 0) * 100) / 100,
        })
        for (const f of findings) ctx.findings[f.kind] = (ctx.findings[f.kind] ?? 0) + 1
        ctx.safe.push(value as Record<string, unknown>)
      }
      report(`${ctx.safe.length} records, ${Object.values(ctx.findings).reduce((a, b) => a + b, 0)} values redacted`)
    },
  },
  {
    title: 'Deliver to the EU data lake (residency: pii stays in the EU)',
    async run(ctx, report) {
      const world = ctx.world as DemoWorld
      const policy = definePolicy({
        dataClasses: { pii: ['eu'] },
        hosts: { 'lake.eu.demo': 'eu', 'lake.us.demo': 'us' },
        allowSpecial: ['lake.eu.demo', 'lake.us.demo'],
      })
      const addresses: Record<string, string> = { 'lake.eu.demo': '127.0.0.2', 'lake.us.demo': '127.0.0.3' }
      const guard = createGuard(policy, {
        logger: ctx.logger,
        resolver: async (host) => [addresses[host] ?? '0.0.0.0'],
      })
      const body = `${ctx.safe.map((r) => JSON.stringify(r)).join('\n')}\n`
      const lakes = [
        ['lake.eu.demo', world.euLake.port],
        ['lake.us.demo', world.usLake.port],
      ] as const
      for (const [host, port] of lakes) {
        const lake = createHttpClient({
          baseUrl: `http://${host}:${port}`,
          residency: { guard, dataClass: 'pii' },
          logger: ctx.logger,
        })
        try {
          await lake.request({
            method: 'POST',
            path: '/ingest',
            body,
            headers: { 'content-type': 'application/x-ndjson' },
            idempotencyKey: true,
          })
          report(`${ctx.safe.length} records to ${host}`)
        } catch (error) {
          if (!isFieldkitError(error) || error.code !== 'FK_RESIDENCY_DENIED') throw error
          ctx.refused.push({ host, region: String(error.details.region ?? ''), dataClass: 'pii', code: error.code })
          report(`${host} refused (${error.code}), nothing sent`)
        } finally {
          await lake.close()
        }
      }
    },
  },
  {
    title: 'Summarise HR records with a model (EU endpoint, pseudonyms; US refused)',
    async run(ctx, report) {
      ctx.model = await summariseWithModel(ctx.employees, ctx)
      report(
        `${ctx.model.records} records, ${ctx.model.restoredValues}/${ctx.model.values} values restored, ${ctx.model.leakedToModel} leaked; ${ctx.model.refused.map((r) => `${r.host} refused`).join(', ')}`,
      )
    },
  },
  {
    title: 'Write out/ (JSONL, clean CSV, quarantine, summary)',
    async run(ctx, report) {
      const world = ctx.world as DemoWorld
      const csvReport = ctx.report as CsvReport
      const files = {
        jsonl: join(ctx.outDir, 'employees.jsonl'),
        csv: join(ctx.outDir, 'payroll-clean.csv'),
        quarantine: join(ctx.outDir, 'quarantine.jsonl'),
        summary: join(ctx.outDir, 'summary.md'),
      }
      await writeFile(files.jsonl, ctx.safe.map((r) => `${JSON.stringify(r)}\n`).join(''))
      const columns = ['employeeId', 'name', 'department', 'grossSalary', 'iban', 'payDate'] as const
      const clean = ctx.safe.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]])))
      await writeFile(files.csv, writeCsv(clean, { excel: true, delimiter: ';', decimal: ',' }))
      await writeFile(
        files.quarantine,
        csvReport.quarantine
          .map((q) => `${JSON.stringify({ line: q.line, reason: q.reason, issues: q.issues })}\n`)
          .join(''),
      )
      const crmSeen = world.crmStats()
      ctx.summary = {
        employees: { fetched: ctx.employees.length, withoutEmail: ctx.employees.filter((e) => !e.Email).length },
        accounts: {
          fetched: ctx.accounts.length,
          pages: Math.ceil(ctx.accounts.length / 25),
          retries: ctx.crm.retries,
          waitedOut429: crmSeen.injected429 + crmSeen.overQuota,
          tokenRequests: crmSeen.tokenRequests,
        },
        payroll: {
          read: csvReport.records.read,
          emitted: csvReport.records.emitted,
          quarantined: csvReport.records.quarantined,
          skipped: csvReport.records.skipped,
          encoding: String(csvReport.dialect.encoding),
          delimiter: String(csvReport.dialect.delimiter),
          quarantine: csvReport.quarantine.map((q) => ({ line: q.line, reason: q.reason })),
        },
        joined: { records: ctx.safe.length, ...ctx.joined },
        redacted: { findings: ctx.findings },
        delivered: world.received(),
        refused: ctx.refused,
        ...(ctx.model ? { model: ctx.model } : {}),
        files: [...Object.values(files), ...(ctx.model ? [ctx.model.file] : [])],
        seconds: Math.round((performance.now() - ctx.started) / 100) / 10,
      }
      await writeFile(files.summary, renderSummary(ctx.summary))
      report(`${Object.keys(files).length} files in ${ctx.outDir}`)
    },
  },
]

/** A fresh context for one run. */
export function demoContext(outDir: string, logger?: Logger): DemoContext {
  return {
    outDir,
    ...(logger ? { logger } : {}),
    started: performance.now(),
    data: demoData(),
    closers: [],
    employees: [],
    accounts: [],
    crm: { retries: 0 },
    payrollRows: [],
    safe: [],
    joined: { unmatchedPayroll: 0, withoutAccounts: 0 },
    findings: {},
    refused: [],
  }
}

/** Closes everything a run opened (servers, clients), newest first. */
export async function closeDemo(ctx: DemoContext): Promise<void> {
  for (const close of ctx.closers.reverse()) await close().catch(() => {})
  ctx.closers.length = 0
}

/**
 * Runs the end-to-end integration against the simulator through the public APIs only, and writes `outDir`:
 * `employees.jsonl`, `payroll-clean.csv`, `quarantine.jsonl` and `summary.md`.
 */
export async function runDemo(options: { outDir: string; progress?: Progress; logger?: Logger }): Promise<DemoSummary> {
  const ctx = demoContext(options.outDir, options.logger)
  try {
    for (const stage of demoStages) await stage.run(ctx, (detail) => options.progress?.(stage.title, detail))
    return ctx.summary as DemoSummary
  } finally {
    await closeDemo(ctx)
  }
}

function validIban(value: string): boolean {
  const compact = value.replace(/\s+/g, '').toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(compact)) return false
  const numeric = `${compact.slice(4)}${compact.slice(0, 4)}`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55))
  let remainder = 0
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97
  return remainder === 1
}

/** `out/summary.md`: counts that add up, so a reader can check nothing was lost. */
export function renderSummary(s: DemoSummary): string {
  const skipped = s.payroll.skipped.preamble + s.payroll.skipped.blank + s.payroll.skipped.summary
  const lines = [
    '# Fieldkit demo — summary',
    '',
    `Finished in ${s.seconds} s.`,
    '',
    '## Sources',
    '',
    '| source | records | notes |',
    '| --- | ---: | --- |',
    `| HR (SOAP 1.1, NTLM + WS-Security) | ${s.employees.fetched} employees | ${s.employees.withoutEmail} without an email (xsi:nil) |`,
    `| CRM (REST, OAuth 2.0 client credentials) | ${s.accounts.fetched} accounts | ${s.accounts.pages} pages, ${s.accounts.retries} retries, 429 waited out ${s.accounts.waitedOut429}×, token requests ${s.accounts.tokenRequests} |`,
    `| payroll export (CSV, ${s.payroll.encoding}, "${s.payroll.delimiter}") | ${s.payroll.read} records read | ${s.payroll.emitted} rows + ${s.payroll.quarantined} quarantined + ${skipped} skipped (preamble ${s.payroll.skipped.preamble}, blank ${s.payroll.skipped.blank}, totals ${s.payroll.skipped.summary}) = ${s.payroll.emitted + s.payroll.quarantined + skipped} |`,
    '',
    '## Quarantined payroll rows',
    '',
    ...(s.payroll.quarantine.length === 0
      ? ['None.']
      : [
          '| line | reason |',
          '| ---: | --- |',
          ...s.payroll.quarantine.map((q) => `| ${q.line} | ${q.reason.replaceAll('|', '\\|')} |`),
        ]),
    '',
    '## Join and redaction',
    '',
    `- ${s.payroll.emitted} payroll rows = ${s.joined.records} joined with an employee + ${s.joined.unmatchedPayroll} without a matching employee.`,
    `- ${s.joined.withoutAccounts} of the joined employees own no CRM account.`,
    `- Redacted values: ${
      Object.entries(s.redacted.findings)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    } (emails hashed with HMAC-SHA-256, IBANs masked).`,
    '',
    '## Delivery',
    '',
    ...s.delivered.map((d) => `- ${d.lake.toUpperCase()} data lake accepted ${d.records} records.`),
    ...s.refused.map(
      (r) => `- ${r.host} refused for ${r.dataClass} data (${r.code}, region ${r.region}); nothing was sent to it.`,
    ),
    '',
    ...(s.model ? renderModelSection(s.model) : []),
    '## Files',
    '',
    ...s.files.map((f) => `- \`${f}\``),
    '',
  ]
  return lines.join('\n')
}
