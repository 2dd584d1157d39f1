import { describe, expect, it } from 'vitest'
import { awsSigV4, sigv4Sign } from './sigv4'
import { vector } from './vectors.test-helper'

type Inputs = Record<string, string>

function parseRaw(raw: string): { method: string; url: URL; headers: Record<string, string>; body?: string } {
  const [head, body] = raw.split('\n\n') as [string, string | undefined]
  const lines = head.split('\n')
  const [method, target] = (lines[0] as string).split(' ') as [string, string]
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1)
  }
  return { method, url: new URL(`https://${headers.host}${target}`), headers, body }
}

describe('sigv4 vectors (AWS SigV4 test suite)', () => {
  for (const name of [
    'aws-sigv4-get-vanilla',
    'aws-sigv4-get-vanilla-query-order-key-case',
    'aws-sigv4-post-x-www-form-urlencoded',
  ]) {
    it(name, () => {
      const v = vector(name)
      const i = v.inputs as Inputs
      const req = parseRaw(i.raw_request as string)
      const out = sigv4Sign({
        ...req,
        accessKeyId: i.access_key_id as string,
        secretAccessKey: i.secret_access_key as string,
        region: i.region as string,
        service: i.service as string,
        amzDate: i.x_amz_date as string,
      })
      expect(out.canonicalRequest).toBe(v.expected.canonical_request)
      expect(out.stringToSign).toBe(v.expected.string_to_sign)
      expect(out.signature).toBe(v.expected.signature)
      if (v.expected.authorization !== undefined) expect(out.authorization).toBe(v.expected.authorization)
    })
  }
})

describe('awsSigV4 canonical paths', () => {
  const path = (url: string, service: string) =>
    sigv4Sign({
      method: 'GET',
      url: new URL(url),
      headers: {},
      accessKeyId: 'a',
      secretAccessKey: 's',
      region: 'r',
      service,
      amzDate: '20150830T123600Z',
    }).canonicalRequest.split('\n')[1]

  it('encodes the path as sent once more for most services, once for S3', () => {
    expect(path('https://h/a%20b/(x)//c', 'execute-api')).toBe('/a%2520b/%28x%29/c')
    expect(path('https://h/a%20b/(x)', 's3')).toBe('/a%20b/%28x%29')
    expect(path('https://h/', 'execute-api')).toBe('/')
  })
})

describe('awsSigV4 strategy', () => {
  it('adds x-amz-date, the session token and the signature, fresh on each attempt', async () => {
    const auth = awsSigV4({
      accessKeyId: 'AKID',
      secretAccessKey: 'SECRET',
      sessionToken: 'TOKEN',
      region: 'eu-west-1',
      service: 's3',
    })
    const request = {
      method: 'PUT',
      url: new URL('https://bucket.s3.amazonaws.com/a b.txt'),
      headers: {} as Record<string, string>,
      body: 'hi',
    }
    await auth.apply(request)
    expect(request.headers['x-amz-security-token']).toBe('TOKEN')
    expect(request.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/)
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    )
    const again = sigv4Sign({
      ...request,
      accessKeyId: 'AKID',
      secretAccessKey: 'SECRET',
      region: 'eu-west-1',
      service: 's3',
      amzDate: request.headers['x-amz-date'] as string,
      headers: { ...request.headers, authorization: '' },
    })
    expect(request.headers.authorization).toContain(again.signature)
  })

  // Computed with botocore 1.29.27 (Debian bookworm's python3-botocore), S3SigV4Auth with payload signing disabled, at
  // 2026-12-07T12:00:00Z: an implementation we did not write. The interop suite compares live with botocore too.
  const BOTOCORE_UNSIGNED =
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/s3/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=a8ff24e36f094f9cf28e33c49968ff65601771a831cd2ca0d5c08e3be00d9922'
  const s3 = () =>
    awsSigV4({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      region: 'us-east-1',
      service: 's3',
      now: () => new Date('2026-12-07T12:00:00Z'),
    })

  it("keeps a caller's x-amz-content-sha256: UNSIGNED-PAYLOAD for s3 and signs it, byte-equal to botocore", async () => {
    const request = {
      method: 'PUT',
      url: new URL('https://examplebucket.s3.amazonaws.com/photos/a%20b/caf%C3%A9.jpg'),
      headers: { 'content-type': 'image/jpeg', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } as Record<string, string>,
      body: 'not hashed',
    }
    await s3().apply(request)
    expect(request.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD')
    expect(request.headers['x-amz-date']).toBe('20261207T120000Z')
    expect(request.headers.authorization).toBe(BOTOCORE_UNSIGNED)
  })

  it('keeps a STREAMING-… payload hash for s3 and puts it last in the canonical request', async () => {
    const request = {
      method: 'PUT',
      url: new URL('https://examplebucket.s3.amazonaws.com/big.bin'),
      headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' } as Record<string, string>,
      body: 'chunked elsewhere',
    }
    await s3().apply(request)
    expect(request.headers['x-amz-content-sha256']).toBe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD')
    const signed = sigv4Sign({
      ...request,
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      region: 'us-east-1',
      service: 's3',
      amzDate: '20261207T120000Z',
    })
    expect(signed.canonicalRequest.split('\n').at(-1)).toBe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD')
    expect(request.headers.authorization).toContain(signed.signature)
  })

  it('takes its time from the now option (a signature checked offline stays the same)', async () => {
    const a = { method: 'GET', url: new URL('https://h.example/x'), headers: {} as Record<string, string> }
    const b = { method: 'GET', url: new URL('https://h.example/x'), headers: {} as Record<string, string> }
    await s3().apply(a)
    await s3().apply(b)
    expect(a.headers.authorization).toBe(b.headers.authorization)
    expect(a.headers['x-amz-date']).toBe('20261207T120000Z')
  })

  it('refuses a now that is not a function with the expected() wording', () => {
    const error = (() => {
      try {
        awsSigV4({ accessKeyId: 'a', secretAccessKey: 's', region: 'r', service: 's3', now: 5 as never })
      } catch (e) {
        return e as { code?: string; message: string }
      }
    })()
    expect(error?.code).toBe('FK_AUTH_INVALID_OPTIONS')
    expect(error?.message).toContain('Expected `now` to be a function returning a Date, got 5')
  })

  it('is exported from the package index with its types', async () => {
    const index = await import('./index')
    expect(index.sigv4Sign).toBe(sigv4Sign)
  })
})
