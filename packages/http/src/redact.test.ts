import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bodyExcerpt, redactHeaders, redactUrl } from './redact'

describe('redaction', () => {
  it.each([
    ['https://a.example/x?token=abc&page=2', 'https://a.example/x?token=[REDACTED]&page=2'],
    ['/x?access_token=abc', '/x?access_token=[REDACTED]'],
    [
      '/x?api_key=1&apikey=2&key=3&sig=4&signature=5&client_secret=6&code=7&password=8',
      '/x?api_key=[REDACTED]&apikey=[REDACTED]&key=[REDACTED]&sig=[REDACTED]&signature=[REDACTED]&client_secret=[REDACTED]&code=[REDACTED]&password=[REDACTED]',
    ],
    ['/x?X-Amz-Signature=abc&X-Amz-Date=1', '/x?X-Amz-Signature=[REDACTED]&X-Amz-Date=1'],
    ['/x?myServiceToken=abc', '/x?myServiceToken=[REDACTED]'],
    ['https://user:pw@a.example/x', 'https://[REDACTED]@a.example/x'],
    ['/x?page=2#frag', '/x?page=2'],
    ['/x?%zz=1', '/x?%zz=1'],
  ])('redacts %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected)
  })

  it('replaces Authorization, Proxy-Authorization, Cookie and Set-Cookie', () => {
    expect(
      redactHeaders({
        Authorization: 'Bearer x',
        'proxy-authorization': 'Basic y',
        cookie: 'a=b',
        'set-cookie': ['s=1'],
        accept: 'json',
      }),
    ).toEqual({
      Authorization: '[REDACTED]',
      'proxy-authorization': '[REDACTED]',
      cookie: '[REDACTED]',
      'set-cookie': '[REDACTED]',
      accept: 'json',
    })
  })

  it('redacts secrets in body excerpts, then applies the caller redactor', () => {
    const body =
      '{"access_token":"eyJabc.def","user":"ann@example.com","note":"Bearer abcdefghijk","x":"password=hunter2&y=1"}'
    const text = bodyExcerpt(body, { redactString: (t) => ({ text: t.replace(/[\w.]+@[\w.]+/g, '[EMAIL]') }) })
    expect(text).not.toContain('eyJabc')
    expect(text).not.toContain('abcdefghijk')
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('ann@example.com')
    expect(text).toContain('[EMAIL]')
  })

  it('cuts long bodies', () => {
    expect(bodyExcerpt('x'.repeat(10_000), undefined, 100)).toHaveLength(101)
  })

  it('never throws on hostile URLs and bodies, and never lets a token value through', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.stringMatching(/^[A-Za-z0-9]{6,20}$/), (noise, secret) => {
        expect(typeof redactUrl(noise)).toBe('string')
        expect(typeof bodyExcerpt(noise, undefined)).toBe('string')
        expect(redactUrl(`https://a.example/p?${encodeURIComponent(noise)}=1&access_token=${secret}`)).not.toContain(
          secret,
        )
        expect(
          bodyExcerpt(`{"x":${JSON.stringify(noise)},"access_token":"${secret}"}`, undefined, 10_000),
        ).not.toContain(`"${secret}"`)
      }),
    )
  })
})
