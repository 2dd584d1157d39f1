import { lookup } from 'node:dns/promises'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import { type DetailedPeerCertificate, connect as tlsConnect } from 'node:tls'
import { createSecretScrubber, expected } from '@fieldkit/core'
import { createGuard, definePolicy } from '@fieldkit/residency'
import type { Command } from 'commander'
import { CliError } from '../errors'
import { EXIT, type Output } from '../output'
import { type Challenge, describeChallenge, readChallenges } from './challenges'

/** What `fieldkit probe` found, as printed with --json. */
export interface ProbeReport {
  url: string
  addresses: string[]
  region: { provider?: string; region?: string; rule: string }
  tls?: {
    protocol: string | null
    alpn: string | false | null
    authorized: boolean
    error?: string
    chain: { subject: string; issuer: string; validFrom: string; validTo: string; daysLeft: number }[]
  }
  redirects: { status: number; location: string }[]
  status?: number
  httpVersion?: string
  auth: Challenge[]
  rateLimit: Record<string, string>
  retryAfter?: string
  /** Every try (`--tries`), the first included: how many were sent, the statuses and network errors they met. */
  tries: {
    sent: number
    /** Tries that got no answer or a 5xx: a share of them next to answered ones is flakiness. */
    failed: number
    /** Status code → tries that ended with it. */
    statuses: Record<string, number>
    /** Network error (`connection reset`, `connection refused`, `timeout`, …) → tries that ended with it. */
    networkErrors: Record<string, number>
  }
  /** Latency of the tries that got an answer (of the last hop, after redirects). */
  latencyMs: { tries: number; min: number; median: number; p95: number; max: number }
  findings: { level: 'info' | 'warn' | 'error'; text: string }[]
}

const RATE_LIMIT_HEADER =
  /^(x-ratelimit-|x-rate-limit-|ratelimit|ratelimit-policy$|sforce-limit-info$|x-ms-ratelimit-|retry-after$)/

/** `fieldkit probe <url>`: what a field engineer runs first at a new client. */
export function registerProbe(program: Command, output: () => Output): void {
  program
    .command('probe')
    .description('inspect an endpoint: TLS, auth schemes offered, rate limits, redirects, latency, region')
    .argument('<url>', 'the endpoint to probe')
    .option('-n, --tries <n>', 'requests to time', '5')
    .option('--timeout <ms>', 'timeout per request', '10000')
    .addHelpText(
      'after',
      `
Examples:
  $ fieldkit probe https://erp.client.example/api/health
  $ fieldkit probe http://127.0.0.1:8080/ntlm/ --tries 3 --json

Exit code 3 when a finding needs attention (expired certificate, server errors).`,
    )
    .action(async (target: string, options: { tries: string; timeout: string }) => {
      const out = output()
      const url = probeTarget(target)
      const tries = Number(options.tries)
      const timeoutMs = Number(options.timeout)
      if (!Number.isInteger(tries) || tries < 1 || tries > 100)
        throw new CliError({
          code: 'FK_CLI_USAGE',
          message: `[fieldkit/cli] ${expected('--tries', 'an integer from 1 to 100', options.tries)}`,
          hint: 'Pass --tries with a whole number of requests to send, such as --tries 10',
        })
      if (!(timeoutMs > 0))
        throw new CliError({
          code: 'FK_CLI_USAGE',
          message: `[fieldkit/cli] ${expected('--timeout', 'a positive number of milliseconds', options.timeout)}`,
          hint: 'Pass --timeout in milliseconds, such as --timeout 10000 for ten seconds',
        })
      const report = await probe(url, { tries, timeoutMs })
      out.result(report)
      print(report, out)
      if (report.findings.some((f) => f.level === 'error')) process.exitCode = EXIT.findings
    })
}

/** The URL to probe; anything but an http(s) URL is a usage error (exit 2). */
function probeTarget(target: string): URL {
  let url: URL | undefined
  try {
    url = new URL(target)
  } catch {}
  if (url?.protocol === 'http:' || url?.protocol === 'https:') return url
  throw new CliError({
    code: 'FK_CLI_USAGE',
    message: `[fieldkit/cli] Expected an http:// or https:// URL, got ${JSON.stringify(withoutUserinfoText(target))}`,
    hint: 'Pass the full address with its scheme, such as fieldkit probe https://erp.client.example/api/health',
  })
}

/** The text of a target that is not a URL, with anything that looks like `user:password@` removed. */
function withoutUserinfoText(target: string): string {
  return target.replace(/\/\/[^/@\s]*@/, '//').slice(0, 80)
}

/**
 * Probes `url` and returns the report (also used by tests and the demo). Credentials in the URL's userinfo are sent
 * (as Basic, the way Node's http does) but never shown: the printed URL has no userinfo, and every text the server
 * sent back (challenges, headers, redirect targets) is scrubbed of them in every encoding.
 */
export async function probe(url: URL, options: { tries: number; timeoutMs: number }): Promise<ProbeReport> {
  const findings: ProbeReport['findings'] = []
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address)

  const guard = createGuard(
    definePolicy({ dataClasses: { probe: { allow: ['eu', 'uk', 'ch', 'us'], unknown: 'allow' } }, cacheTtlMs: 0 }),
    { resolver: async () => addresses },
  )
  const decision = await guard.check(url, 'probe')
  const region = { provider: decision.provider, region: decision.region, rule: decision.reason }
  const tls = url.protocol === 'https:' ? await probeTls(url, host, addresses, options, findings) : undefined
  const { first, current, redirects, firstTry } = await follow(url, options, findings)
  const tries = await repeat(current, options, firstTry)
  const durations = tries.flatMap((t) => (t.ms === undefined ? [] : [t.ms]))
  const summary = summariseTries(tries)
  flakinessFindings(summary, findings)

  const { challenges: auth, malformed } = readChallenges(first?.headers['www-authenticate'])
  if (malformed !== undefined)
    findings.push({
      level: 'warn',
      text: `the WWW-Authenticate header is malformed (${malformed}); no client will read it`,
    })
  const rateLimit: Record<string, string> = {}
  for (const [name, value] of Object.entries(first?.headers ?? {})) {
    if (RATE_LIMIT_HEADER.test(name) && name !== 'retry-after' && value !== undefined) rateLimit[name] = String(value)
  }
  const retryAfter = first?.headers['retry-after']
  if (first) answerFindings(first.status, url, auth, rateLimit, retryAfter, findings)
  if (redirects.length > 0)
    findings.push({ level: 'info', text: `redirected ${redirects.length} time(s), to ${withoutUserinfo(current)}` })

  const sorted = [...durations].sort((a, b) => a - b)
  const pct = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0)
  const median =
    sorted.length % 2 === 1
      ? (sorted[(sorted.length - 1) / 2] ?? 0)
      : ((sorted[sorted.length / 2 - 1] ?? 0) + (sorted[sorted.length / 2] ?? 0)) / 2
  return scrubReport(url, {
    url: withoutUserinfo(url),
    addresses,
    region,
    ...(tls ? { tls } : {}),
    redirects,
    ...(first ? { status: first.status, httpVersion: first.httpVersion } : {}),
    auth,
    rateLimit,
    ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
    tries: summary,
    latencyMs: {
      tries: durations.length,
      min: round(sorted[0] ?? 0),
      median: round(median),
      p95: pct(95),
      max: round(sorted.at(-1) ?? 0),
    },
    findings,
  })
}

type Answer = { status: number; headers: IncomingHttpHeaders; httpVersion: string }

/** The TLS handshake, with a finding for an expired, nearly expired or untrusted certificate. */
async function probeTls(
  url: URL,
  host: string,
  addresses: string[],
  options: { timeoutMs: number },
  findings: ProbeReport['findings'],
): Promise<NonNullable<ProbeReport['tls']>> {
  const tls = await inspectTls(
    addresses[0] ?? host,
    Number(url.port || 443),
    isIP(host) ? undefined : host,
    options.timeoutMs,
  )
  const leaf = tls.chain[0]
  if (leaf && leaf.daysLeft < 0)
    findings.push({ level: 'error', text: `certificate expired ${-leaf.daysLeft} days ago (valid to ${leaf.validTo})` })
  else if (leaf && leaf.daysLeft < 30)
    findings.push({ level: 'warn', text: `certificate expires in ${leaf.daysLeft} days (${leaf.validTo})` })
  if (!tls.authorized)
    findings.push({ level: leaf && leaf.daysLeft < 0 ? 'info' : 'warn', text: `certificate not trusted: ${tls.error}` })
  return tls
}

/** One try: the status it ended with and how long the last hop took, or the network error it met. */
interface Try {
  status?: number
  error?: string
  ms?: number
}

/**
 * The first request, following up to five redirects: the answer that is not a redirect, the URL it came from, and
 * the first try as {@link repeat} counts it (a failed first try is a finding and a try that failed, not the end).
 */
async function follow(url: URL, options: { timeoutMs: number }, findings: ProbeReport['findings']) {
  const redirects: ProbeReport['redirects'] = []
  let first: Answer | undefined
  let firstTry: Try = { error: 'too many redirects' }
  let current = url
  for (let hop = 0; hop < 6; hop++) {
    const started = performance.now()
    const answer = await get(current, options.timeoutMs).catch((error: Error) => error)
    if (answer instanceof Error) {
      findings.push({ level: 'error', text: `request failed: ${answer.message}` })
      firstTry = { error: networkError(answer) }
      break
    }
    const location = answer.headers.location
    if (answer.status >= 300 && answer.status < 400 && location) {
      redirects.push({ status: answer.status, location })
      current = new URL(location, current)
      continue
    }
    first = answer
    firstTry = { status: answer.status, ms: performance.now() - started }
    break
  }
  return { first, current, redirects, firstTry }
}

/** Tries 2..N against the URL the first try ended at; every one is kept, answered or not. */
async function repeat(url: URL, options: { tries: number; timeoutMs: number }, firstTry: Try): Promise<Try[]> {
  const tries = [firstTry]
  for (let i = 1; i < options.tries; i++) {
    const started = performance.now()
    const answer = await get(url, options.timeoutMs).catch((error: Error) => error)
    tries.push(
      answer instanceof Error
        ? { error: networkError(answer) }
        : { status: answer.status, ms: performance.now() - started },
    )
  }
  return tries
}

/** A network error in a few words that group: `connection reset`, `connection refused`, `timeout`, or the code. */
function networkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ECONNRESET' || /socket hang up/.test(error.message)) return 'connection reset'
  if (code === 'ECONNREFUSED') return 'connection refused'
  if (code === 'ETIMEDOUT' || /^no answer within/.test(error.message)) return 'timeout'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'name not resolved'
  return code ?? error.message
}

function summariseTries(tries: Try[]): ProbeReport['tries'] {
  const statuses: Record<string, number> = {}
  const networkErrors: Record<string, number> = {}
  let failed = 0
  for (const t of tries) {
    if (t.error !== undefined) networkErrors[t.error] = (networkErrors[t.error] ?? 0) + 1
    else statuses[String(t.status)] = (statuses[String(t.status)] ?? 0) + 1
    if (t.error !== undefined || (t.status ?? 0) >= 500) failed++
  }
  return { sent: tries.length, failed, statuses, networkErrors }
}

/** "the same URL answered differently": some tries failed (5xx or no answer) while others were answered. */
function flakinessFindings(summary: ProbeReport['tries'], findings: ProbeReport['findings']): void {
  if (summary.failed === 0 || summary.failed === summary.sent) return
  const what = [
    ...Object.entries(summary.statuses)
      .filter(([status]) => Number(status) >= 500)
      .map(([status, n]) => `${status} ×${n}`),
    ...Object.entries(summary.networkErrors).map(([error, n]) => `${error} ×${n}`),
  ].join(', ')
  findings.push({
    level: 'error',
    text: `flaky: ${summary.failed} of ${summary.sent} tries failed (${what}); a client needs retries with backoff here`,
  })
}

function answerFindings(
  status: number,
  url: URL,
  auth: Challenge[],
  rateLimit: Record<string, string>,
  retryAfter: string | undefined,
  findings: ProbeReport['findings'],
): void {
  if (status >= 500) findings.push({ level: 'error', text: `server answered ${status}` })
  if (status === 429)
    findings.push({ level: 'warn', text: `rate limited (429)${retryAfter ? `, Retry-After ${retryAfter}` : ''}` })
  for (const challenge of auth) {
    findings.push({ level: 'info', text: `offers ${describeChallenge(challenge)}` })
    if (challenge.scheme.toLowerCase() === 'basic' && url.protocol === 'http:') {
      findings.push({ level: 'warn', text: 'Basic auth over plain http sends the password in clear text' })
    }
  }
  if (Object.keys(rateLimit).length > 0)
    findings.push({
      level: 'info',
      text: `rate-limit headers: ${Object.entries(rateLimit)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')}`,
    })
}

/** The URL as printed: without the user name and password it may carry. */
function withoutUserinfo(url: URL): string {
  const shown = new URL(url.href)
  shown.username = ''
  shown.password = ''
  return shown.href
}

/** Every string of the report with the URL's credentials removed, in any encoding a server may echo them in. */
function scrubReport(url: URL, report: ProbeReport): ProbeReport {
  if (url.username === '' && url.password === '') return report
  const user = decodeURIComponent(url.username)
  const password = decodeURIComponent(url.password)
  const scrubber = createSecretScrubber([password, `${user}:${password}`])
  scrubber.addHeader('authorization', `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`)
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') return scrubber.scrub(value)
    if (Array.isArray(value)) return value.map(clean)
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]))
    return value
  }
  return clean(report) as ProbeReport
}

const round = (n: number) => Math.round(n * 10) / 10

function get(url: URL, timeoutMs: number): Promise<Answer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'GET',
        rejectUnauthorized: false,
        agent: false,
        timeout: timeoutMs,
        headers: { 'user-agent': 'fieldkit-probe' },
      },
      (res) => {
        res.resume()
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, httpVersion: res.httpVersion }),
        )
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

function inspectTls(
  address: string,
  port: number,
  servername: string | undefined,
  timeoutMs: number,
): Promise<NonNullable<ProbeReport['tls']>> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      {
        host: address,
        port,
        servername,
        rejectUnauthorized: false,
        ALPNProtocols: ['h2', 'http/1.1'],
        timeout: timeoutMs,
      },
      () => {
        const chain: NonNullable<ProbeReport['tls']>['chain'] = []
        let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true)
        const seen = new Set<string>()
        while (cert?.subject && !seen.has(cert.fingerprint256)) {
          seen.add(cert.fingerprint256)
          chain.push({
            subject: String(cert.subject.CN ?? JSON.stringify(cert.subject)),
            issuer: String(cert.issuer?.CN ?? JSON.stringify(cert.issuer)),
            validFrom: new Date(cert.valid_from).toISOString(),
            validTo: new Date(cert.valid_to).toISOString(),
            daysLeft: Math.floor((new Date(cert.valid_to).getTime() - Date.now()) / 86_400_000),
          })
          cert = cert.issuerCertificate
        }
        const error = socket.authorizationError
        resolve({
          protocol: socket.getProtocol(),
          alpn: socket.alpnProtocol,
          authorized: socket.authorized,
          ...(error ? { error: String(error) } : {}),
          chain,
        })
        socket.end()
      },
    )
    socket.on('timeout', () => socket.destroy(new Error(`TLS handshake took longer than ${timeoutMs} ms`)))
    socket.on('error', reject)
  })
}

function print(report: ProbeReport, out: Output): void {
  out.line(out.bold(report.url))
  out.line(`  addresses   ${report.addresses.join(', ')}`)
  out.line(
    `  region      ${report.region.region ? `${report.region.provider} ${report.region.region}` : 'not found'} (${report.region.rule})`,
  )
  if (report.tls) {
    const leaf = report.tls.chain[0]
    out.line(
      `  tls         ${report.tls.protocol}, ALPN ${report.tls.alpn || 'none'}, ${report.tls.authorized ? out.green('trusted') : out.yellow(`not trusted (${report.tls.error})`)}`,
    )
    if (leaf)
      out.line(
        `  certificate ${leaf.subject}, issued by ${leaf.issuer}, valid ${leaf.validFrom.slice(0, 10)} to ${leaf.validTo.slice(0, 10)} (${leaf.daysLeft} days left)`,
      )
  }
  for (const r of report.redirects) out.line(`  redirect    ${r.status} → ${r.location}`)
  if (report.status !== undefined) out.line(`  answer      ${report.status}, HTTP/${report.httpVersion}`)
  if (report.auth.length > 0) out.line(`  auth        ${report.auth.map(describeChallenge).join('; ')}`)
  for (const [name, value] of Object.entries(report.rateLimit)) out.line(`  rate limit  ${name}: ${value}`)
  if (report.retryAfter) out.line(`  retry-after ${report.retryAfter}`)
  const t = report.tries
  out.line(
    `  tries       ${t.sent} sent: ${[
      ...Object.entries(t.statuses).map(([status, n]) => `${status} ×${n}`),
      ...Object.entries(t.networkErrors).map(([error, n]) => `${error} ×${n}`),
    ].join(', ')}`,
  )
  const l = report.latencyMs
  out.line(
    `  latency     min ${l.min} ms, median ${l.median} ms, p95 ${l.p95} ms, max ${l.max} ms over ${l.tries} answered tries`,
  )
  for (const f of report.findings) {
    const mark = f.level === 'error' ? out.red('✗') : f.level === 'warn' ? out.yellow('!') : out.dim('·')
    out.line(`  ${mark} ${f.text}`)
  }
}
