import { type MockServer, serve } from '@fieldkit/mocks'
import { HttpResponse, http } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../spawn-cli'
import type { ProbeReport } from './probe'

describe('fieldkit probe', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve([
      http.get(
        '*/digest',
        () =>
          new HttpResponse(null, {
            status: 401,
            headers: {
              'www-authenticate': 'Digest realm="appliance", qop="auth", algorithm=SHA-256, nonce="abc", opaque="o"',
            },
          }),
      ),
      http.get(
        '*/ntlm',
        () => new HttpResponse(null, { status: 401, headers: { 'www-authenticate': 'Negotiate, NTLM' } }),
      ),
      http.get('*/limited', () =>
        HttpResponse.json(
          { error: 'slow down' },
          { status: 429, headers: { 'retry-after': '7', 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0' } },
        ),
      ),
      http.get('*/moved', () => new HttpResponse(null, { status: 301, headers: { location: '/ntlm' } })),
      http.get('*/broken', () => new HttpResponse('oops', { status: 503 })),
    ])
  })
  afterAll(() => mock.close())

  const probe = async (path: string, extra: string[] = []) => {
    const { code, stdout, stderr } = await runCli(['--json', 'probe', `${mock.url}${path}`, '--tries', '3', ...extra])
    return { code, report: JSON.parse(stdout || '{}') as ProbeReport, stderr }
  }

  it('names the Digest algorithm and qop a server offers', async () => {
    const { code, report } = await probe('/digest')
    expect(code).toBe(0)
    expect(report.status).toBe(401)
    expect(report.auth).toEqual([
      {
        scheme: 'Digest',
        params: { realm: 'appliance', qop: 'auth', algorithm: 'SHA-256', nonce: 'abc', opaque: 'o' },
      },
    ])
    expect(report.findings.map((f) => f.text)).toContain(
      'offers Digest (realm "appliance", algorithm SHA-256, qop auth)',
    )
    expect(report.latencyMs.tries).toBe(3)
  })

  it('names NTLM and Negotiate', async () => {
    const { report } = await probe('/ntlm')
    expect(report.auth.map((c) => c.scheme)).toEqual(['Negotiate', 'NTLM'])
  })

  it('reports rate-limit headers and Retry-After', async () => {
    const { report } = await probe('/limited')
    expect(report.rateLimit).toEqual({ 'x-ratelimit-limit': '20', 'x-ratelimit-remaining': '0' })
    expect(report.retryAfter).toBe('7')
    expect(report.findings.map((f) => f.text)).toContain('rate limited (429), Retry-After 7')
  })

  it('follows and lists redirects', async () => {
    const { report } = await probe('/moved')
    expect(report.redirects).toEqual([{ status: 301, location: '/ntlm' }])
    expect(report.status).toBe(401)
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
    const { code, stdout } = await runCli(['probe', `${mock.url}/digest`, '--tries', '1'])
    expect(code).toBe(0)
    expect(stdout).toContain('auth        Digest (realm "appliance", algorithm SHA-256, qop auth)')
    expect(stdout).not.toContain('\u001b[')
  })

  it('refuses a URL that is not http(s) with exit code 2', async () => {
    const { code, stderr } = await runCli(['probe', 'ftp://example.com'])
    expect(code).toBe(2)
    expect(stderr).toContain('Expected an http:// or https:// URL')
  })
})
