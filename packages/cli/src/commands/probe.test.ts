import {
  createTestCertificates,
  digestAuth,
  flaky,
  HttpResponse,
  http,
  type MockServer,
  ntlmAuth,
  rateLimited,
  serve,
  type TestCertificates,
} from '@fieldkit/mocks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runMain } from '../run-main.test-helper'
import type { ProbeReport } from './probe'

describe('fieldkit probe', () => {
  let mock: MockServer
  beforeAll(async () => {
    // The simulator's own servers: they really verify, so the challenges are the ones a client meets.
    const limited = rateLimited({ path: '/limited', limit: 1, windowMs: 60_000 })
    mock = await serve([
      ...digestAuth({
        path: '/digest',
        users: { admin: 'secret' },
        realm: 'appliance',
        algorithm: 'SHA-256',
        qop: 'auth',
      }),
      ...ntlmAuth({ path: '/ntlm', users: [{ username: 'svc', domain: 'CORP', password: 'pw' }], negotiateOnly: true }),
      ...limited.handlers,
      http.get('*/moved', () => new HttpResponse(null, { status: 301, headers: { location: '/ntlm' } })),
      http.get('*/broken', () => new HttpResponse('oops', { status: 503 })),
    ])
  })
  afterAll(() => mock.close())

  const probe = async (path: string, extra: string[] = []) => {
    const { code, stdout, stderr } = await runMain(['--json', 'probe', `${mock.url}${path}`, '--tries', '3', ...extra])
    return { code, report: JSON.parse(stdout || '{}') as ProbeReport, stderr }
  }

  it('names the Digest algorithm and qop a server offers', async () => {
    const { code, report } = await probe('/digest')
    expect(code).toBe(0)
    expect(report.status).toBe(401)
    expect(report.auth).toHaveLength(1)
    expect(report.auth[0]).toMatchObject({
      scheme: 'Digest',
      params: { realm: 'appliance', qop: 'auth', algorithm: 'SHA-256' },
    })
    expect(report.auth[0]?.params.nonce).toBeTruthy()
    expect(report.findings.map((f) => f.text)).toContain(
      'offers Digest (realm "appliance", algorithm SHA-256, qop auth)',
    )
    expect(report.latencyMs.tries).toBe(3)
  })

  it('names Negotiate on an IIS-style NTLM endpoint', async () => {
    const { report } = await probe('/ntlm')
    expect(report.auth.map((c) => c.scheme)).toEqual(['Negotiate'])
  })

  it('reports rate-limit headers and Retry-After from the rate-limited mock', async () => {
    await fetch(`${mock.url}/limited/x-ratelimit`) // the quota is one call a minute: this one uses it up
    const { report } = await probe('/limited/x-ratelimit')
    expect(report.status).toBe(429)
    expect(report.rateLimit).toMatchObject({ 'x-ratelimit-limit': '1', 'x-ratelimit-remaining': '0' })
    expect(Number(report.retryAfter)).toBeGreaterThan(0)
    expect(report.findings.map((f) => f.text)).toContain(`rate limited (429), Retry-After ${report.retryAfter}`)
  })

  it('follows and lists redirects', async () => {
    const { report } = await probe('/moved')
    expect(report.redirects).toEqual([{ status: 301, location: '/ntlm' }])
    expect(report.status).toBe(401)
    expect(report.auth.map((c) => c.scheme)).toEqual(['Negotiate'])
  })

  it('says where the host is: loopback is special-use', async () => {
    const { report } = await probe('/ntlm')
    expect(report.addresses).toEqual(['127.0.0.1'])
    expect(report.region.rule).toContain('loopback')
  })

  it('exits 3 when the server fails', async () => {
    const { code, report } = await probe('/broken')
    expect(code).toBe(3)
    expect(report.findings).toContainEqual({ level: 'error', text: 'server answered 503' })
  })

  it('prints plain lines without --json', async () => {
    const { code, stdout } = await runMain(['probe', `${mock.url}/digest`, '--tries', '1'])
    expect(code).toBe(0)
    expect(stdout).toContain('auth        Digest (realm "appliance", algorithm SHA-256, qop auth)')
    expect(stdout).toContain('tries       1 sent: 401 ×1')
    expect(stdout).toMatch(
      /latency {5}min [\d.]+ ms, median [\d.]+ ms, p95 [\d.]+ ms, max [\d.]+ ms over 1 answered tries/,
    )
    expect(stdout).not.toContain('\u001b[')
  })

  it('refuses a URL that is not http(s) with exit code 2', async () => {
    const { code, stderr } = await runMain(['probe', 'ftp://example.com'])
    expect(code).toBe(2)
    expect(stderr).toContain('Expected an http:// or https:// URL')
  })

  it.each([
    ['0', '--tries'],
    ['1.5', '--tries'],
    ['101', '--tries'],
  ])('refuses --tries %s with exit code 2 and a hint in flags', async (value) => {
    const { code, stderr } = await runMain(['probe', `${mock.url}/digest`, '--tries', value])
    expect(code).toBe(2)
    expect(stderr).toContain(`Expected \`--tries\` to be an integer from 1 to 100, got "${value}"`)
    expect(stderr).toContain('hint: Pass --tries with a whole number')
  })

  describe('--tries against the flaky endpoint of @fieldkit/mocks', () => {
    let flakyMock: MockServer
    // Seed 3 with the default rates: try 1 answers 200, try 2 has its connection reset, tries 4 and 8 answer 503.
    beforeAll(async () => {
      flakyMock = await serve(flaky({ seed: 3 }))
    })
    afterAll(() => flakyMock.close())

    it('reports every try — statuses, network errors, latency — and calls the flakiness out (exit 3)', async () => {
      const { code, stdout } = await runMain(['--json', 'probe', `${flakyMock.url}/flaky`, '--tries', '10'])
      const report = JSON.parse(stdout) as ProbeReport
      expect(report.status).toBe(200)
      expect(report.tries).toEqual({
        sent: 10,
        failed: 3,
        statuses: { '200': 7, '503': 2 },
        networkErrors: { 'connection reset': 1 },
      })
      expect(report.latencyMs.tries).toBe(9)
      expect(report.latencyMs.min).toBeLessThanOrEqual(report.latencyMs.median)
      expect(report.latencyMs.median).toBeLessThanOrEqual(report.latencyMs.max)
      expect(report.findings).toContainEqual({
        level: 'error',
        text: 'flaky: 3 of 10 tries failed (503 ×2, connection reset ×1); a client needs retries with backoff here',
      })
      expect(code).toBe(3)
    })
  })

  describe('TLS', () => {
    let certs: TestCertificates
    let tls: MockServer
    beforeAll(async () => {
      certs = await createTestCertificates()
      // A server presenting an expired certificate (issued by the test CA).
      tls = await serve([http.get('*/', () => HttpResponse.json({ ok: true }))], {
        tls: { key: certs.clients.expired.key, cert: certs.clients.expired.cert },
      })
    })
    afterAll(async () => {
      await tls.close()
      await certs.cleanup()
    })

    it('names an expired certificate with its dates, and exits 3', async () => {
      const { code, stdout } = await runMain(['--json', 'probe', `${tls.url}/`, '--tries', '1'])
      const report = JSON.parse(stdout) as ProbeReport
      expect(code).toBe(3)
      expect(report.tls?.protocol).toMatch(/^TLSv1\.[23]$/)
      expect(report.tls?.chain[0]?.daysLeft).toBeLessThan(0)
      expect(report.findings.find((f) => f.level === 'error')?.text).toMatch(
        /^certificate expired \d+ days ago \(valid to \d{4}-/,
      )
      expect(report.status).toBe(200)
    })
  })
})
