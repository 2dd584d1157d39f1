import type { TextRedactor } from '@fieldkit/core'
import { isFieldkitError } from '@fieldkit/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mask } from './actions'
import { luhnValid } from './checksums'
import { createRedactor } from './index'

const SECRET = 'test-secret-0123456789abcdef'

describe('createRedactor: strings', () => {
  it('reports kind, offset, length, detector and confidence, never the value', () => {
    const { text, findings } = createRedactor().redactString('mail ann@example.com now')
    expect(text).toBe('mail [EMAIL] now')
    expect(findings).toEqual([{ kind: 'email', offset: 5, length: 15, detector: 'email', confidence: 0.95 }])
    expect(JSON.stringify(findings)).not.toContain('ann@')
  })

  it('fits the TextRedactor contract of @fieldkit/core', () => {
    const contract: TextRedactor = createRedactor()
    expect(contract.redactString('card 4111111111111111').text).toBe('card [CARD]')
  })

  it('masks all but the last four characters, keeping separators', () => {
    const r = createRedactor({ actions: { card: 'mask' } })
    expect(r.redactString('4111111111111111').text).toBe('************1111')
    expect(r.redactString('4111 1111 1111 1111').text).toBe('**** **** **** 1111')
  })

  it('masks a short value down to at most half of its letters and digits, and a credential entirely', () => {
    const r = createRedactor({ actions: { email: 'mask', secret: 'mask', us_ssn: 'mask' } })
    expect(r.redactString('a@b.io').text).toBe('*@*.io')
    expect(r.redactString('ann@example.com').text).toBe('***@******e.com')
    expect(r.redactString('ssn 078-05-1123').text).toBe('ssn ***-**-1123')
    expect(r.redactString('password=1234').text).toBe('password=****')
    expect(r.redactString('password="hunter2-with-a-long-tail"').text).toBe('password="*******-****-*-****-****"')
  })

  it('finds internationalised email addresses (RFC 6531) whole, local part and domain', () => {
    const r = createRedactor()
    expect(r.redactString('an jürgen.müller@example.de gesendet').text).toBe('an [EMAIL] gesendet')
    expect(r.redactString('to 用户@例子.广告, cc josé@correo.es').text).toBe('to [EMAIL], cc [EMAIL]')
    expect(r.redactString('Grüße@ und ü@ä sind keine Adressen').findings).toEqual([])
  })

  it('masks letters of any script without keeping half of a character', () => {
    expect(mask('email', 'jürgen.müller@example.de')).toBe('******.******@*****le.de')
    expect(mask('phone', '電話 0123 😀😀')).toBe('** **** ****')
  })

  it('hashes with HMAC-SHA-256: same input and secret, same output; another secret, another output', () => {
    const a = createRedactor({ actions: { email: 'hash' }, secret: SECRET })
    const b = createRedactor({ actions: { email: 'hash' }, secret: `${SECRET}-other` })
    const one = a.redactString('ann@example.com').text
    expect(one).toMatch(/^\[EMAIL:[0-9a-f]{24}\]$/)
    expect(a.redactString('x ANN@example.com y').text).toBe(`x ${one} y`)
    expect(b.redactString('ann@example.com').text).not.toBe(one)
  })

  it('tokenises a card into 16 digits that fail Luhn, the same each time, whatever the grouping', () => {
    const r = createRedactor({ actions: { card: 'tokenise' }, secret: SECRET })
    const plain = r.redactString('4111111111111111').text
    expect(plain).toMatch(/^\d{16}$/)
    expect(plain).not.toBe('4111111111111111')
    expect(luhnValid(plain)).toBe(false)
    expect(r.redactString('4111 1111 1111 1111').text.replace(/ /g, '')).toBe(plain)
    expect(r.redactString('card 4111111111111111').findings).toHaveLength(1)
  })

  it('tokenises an email into an email-shaped stand-in and drops values on request', () => {
    const r = createRedactor({ actions: { email: 'tokenise', ip: 'drop' }, secret: SECRET })
    const out = r.redactString('ann@example.com from 10.1.2.3').text
    expect(out).toMatch(/^[a-z]{3}@[a-z]{7}\.com from $/)
  })

  it('refuses hash and tokenise without a secret, and a short secret', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn()
      } catch (e) {
        return isFieldkitError(e) ? e.code : 'other'
      }
      return 'none'
    }
    expect(codeOf(() => createRedactor({ actions: { email: 'hash' } }))).toBe('FK_REDACT_SECRET_REQUIRED')
    expect(codeOf(() => createRedactor({ actions: { card: 'tokenise' }, secret: 'short' }))).toBe(
      'FK_REDACT_SECRET_REQUIRED',
    )
    expect(codeOf(() => createRedactor({ detectors: ['mail' as never] }))).toBe('FK_REDACT_INVALID_OPTION')
    expect(codeOf(() => createRedactor({ actions: { card: 'shred' as never } }))).toBe('FK_REDACT_INVALID_OPTION')
    expect(codeOf(() => createRedactor({ keys: ['a..b'] }))).toBe('FK_REDACT_INVALID_OPTION')
    expect(codeOf(() => createRedactor({ minConfidence: 2 }))).toBe('FK_REDACT_INVALID_OPTION')
  })

  it('keeps allowed values and always redacts denied ones', () => {
    const r = createRedactor({ allow: ['support@example.com', /^4242/], deny: ['Project Falcon'] })
    expect(r.redactString('support@example.com, ann@example.com, 4242424242424242').text).toBe(
      'support@example.com, [EMAIL], 4242424242424242',
    )
    expect(r.redactString('about Project Falcon').text).toBe('about [REDACTED]')
  })

  it('runs only the detectors asked for', () => {
    const r = createRedactor({ detectors: ['email'] })
    expect(r.redactString('ann@example.com 4111111111111111').text).toBe('[EMAIL] 4111111111111111')
  })

  it('matches context words as whole words only', () => {
    const r = createRedactor()
    expect(r.redactString('public policy duplicate explicit').findings).toEqual([])
    expect(r.redactString('passwords are rotated: yes').findings).toEqual([])
    expect(r.redactString('password: hunter2').text).toBe('password: [SECRET]')
  })

  it('finds secrets: JWTs, headers, bearer tokens, AWS keys, PEM keys, URL credentials, query parameters', () => {
    const r = createRedactor()
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
    const pem =
      '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----'
    const cases: [string, string][] = [
      [`token ${jwt} end`, 'token [JWT] end'],
      ['Authorization: Basic dXNlcjpwYXNz\nnext', 'Authorization: [AUTHORIZATION]\nnext'],
      ['Cookie: sid=abc; theme=dark\nnext', 'Cookie: [COOKIE]\nnext'],
      ['Set-Cookie: sid=abc; HttpOnly', 'Set-Cookie: [COOKIE]'],
      ['sent Bearer abcdefgh12345678 upstream', 'sent Bearer [TOKEN] upstream'],
      ['with AKIAIOSFODNN7EXAMPLE now', 'with [AWS_KEY] now'],
      [`key:\n${pem}\nafter`, 'key:\n[PRIVATE_KEY]\nafter'],
      ['GET https://bob:s3cret@db.example/x', 'GET https://[CREDENTIALS]@db.example/x'],
      ['/cb?code=1&access_token=abc123&api_key=k-9 done', '/cb?code=1&access_token=[SECRET]&api_key=[SECRET] done'],
      ['{"client_secret":"a b c"}', '{"client_secret":"[SECRET]"}'],
      ['signature=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA', 'signature=[SECRET]'],
      ['signature=aaaaaaaaaaaaaaaaaaaa', 'signature=aaaaaaaaaaaaaaaaaaaa'],
    ]
    for (const [input, expected] of cases) expect(r.redactString(input).text).toBe(expected)
  })

  it('finds national IDs and dates of birth only near a context word', () => {
    const r = createRedactor()
    expect(r.redactString('born 1990-05-12').text).toBe('born [DOB]')
    expect(r.redactString('shipped 1990-05-12').text).toBe('shipped 1990-05-12')
    expect(r.redactString('BSN 111222333').findings[0]?.kind).toBe('nl_bsn')
    expect(r.redactString('order 123456789').findings).toEqual([])
  })

  it('never throws and returns ordered, non-overlapping findings inside the text (property)', () => {
    const r = createRedactor()
    const alphabet = fc.constantFrom(...'0123456789 -.@+():/abcXYZ"=\n'.split(''), 'password=', '4111 ', 'DE89', '::')
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 200 }).map((a) => a.join('')),
        (text) => {
          const { findings } = r.redactString(text)
          let last = 0
          for (const f of findings) {
            expect(f.offset).toBeGreaterThanOrEqual(last)
            last = (f.offset ?? 0) + f.length
            expect(last).toBeLessThanOrEqual(text.length)
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})
