import { describe, expect, it } from 'vitest'
import { vector } from './vectors.test-helper'
import { passwordDigest, wsSecurityUsernameToken } from './ws-security'

type Inputs = Record<string, string>

describe('UsernameToken PasswordDigest vectors', () => {
  it('OASIS UsernameToken Profile: node-soap PasswordDigest (nonce base64-decoded, Created as sent)', () => {
    const v = vector('wsse-usernametoken-passworddigest-node-soap')
    const i = v.inputs as Inputs
    const digest = passwordDigest(
      Buffer.from(i.nonce_base64 as string, 'base64'),
      i.created as string,
      i.password as string,
    )
    expect(digest).toBe(v.expected.password_digest)
  })

  it('OASIS UsernameToken Profile: zeep PasswordDigest with a +00:00 Created', () => {
    const v = vector('wsse-usernametoken-passworddigest-zeep')
    const i = v.inputs as Inputs
    expect(passwordDigest(Buffer.from(i.nonce_raw as string), i.created as string, i.password as string)).toBe(
      v.expected.password_digest,
    )
  })
})

describe('wsSecurityUsernameToken', () => {
  const field = (xml: string, tag: string) => new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`).exec(xml)?.[1] ?? ''

  it('builds a complete wsse:Security element whose digest verifies, fresh on each call', () => {
    const token = wsSecurityUsernameToken({ username: 'svc<&>', password: 'pa"ss', digest: true })
    const a = token.securityHeader()
    const b = token.securityHeader()
    expect(a).toMatch(/^<wsse:Security xmlns:wsse="[^"]+" xmlns:wsu="[^"]+"><wsu:Timestamp/)
    expect(a).toMatch(/<\/wsse:Security>$/)
    expect(a).toContain('<wsse:Username>svc&#60;&#38;&#62;</wsse:Username>')
    expect(a).toContain('#PasswordDigest')
    expect(a).not.toContain('pa"ss')
    const created = field(a, 'wsu:Created')
    const nonce = Buffer.from(field(a, 'wsse:Nonce'), 'base64')
    expect(nonce).toHaveLength(16)
    expect(field(a, 'wsse:Password')).toBe(passwordDigest(nonce, created, 'pa"ss'))
    expect(field(a, 'wsu:Expires') > created).toBe(true)
    expect(field(b, 'wsse:Nonce')).not.toBe(field(a, 'wsse:Nonce'))
  })

  it('sends PasswordText, escaped, with digest: false', () => {
    const xml = wsSecurityUsernameToken({ username: 'u', password: 'a<b', digest: false }).securityHeader()
    expect(xml).toContain('#PasswordText">a&#60;b</wsse:Password>')
  })
})
