import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MockServer, serve } from '../serve'
import { EMPLOYEES_NS } from './employees-wsdl'
import { soapEmployees } from './service'

const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'
const PROFILE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0'

/** A UsernameToken as a client writes it (OASIS UsernameToken Profile 1.0 section 3.1), digest or text. */
function envelope(password: string, type: 'PasswordDigest' | 'PasswordText', nonce = randomBytes(16)): string {
  const created = new Date().toISOString()
  const sent =
    type === 'PasswordText'
      ? password
      : createHash('sha1').update(nonce).update(created).update(password).digest('base64')
  return (
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="${EMPLOYEES_NS}"><soapenv:Header>` +
    `<wsse:Security xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}"><wsse:UsernameToken><wsse:Username>hr-service</wsse:Username>` +
    `<wsse:Password Type="${PROFILE}#${type}">${sent}</wsse:Password><wsse:Nonce>${nonce.toString('base64')}</wsse:Nonce>` +
    `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security></soapenv:Header>` +
    `<soapenv:Body><e:GetEmployees><e:departmentId>0001</e:departmentId></e:GetEmployees></soapenv:Body></soapenv:Envelope>`
  )
}

describe('soapEmployees: the secure paths check the UsernameToken with the one shared verifier', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await serve(soapEmployees())
  })
  afterAll(() => mock.close())

  const post = async (body: string) => {
    const res = await fetch(`${mock.url}/soap/secure/employees`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${EMPLOYEES_NS}/GetEmployees"` },
      body,
    })
    return res.text()
  }
  const reason = (xml: string) => /<hr:Reason>([^<]*)<\/hr:Reason>/.exec(xml)?.[1]

  it('answers a correct digest and a correct text password', async () => {
    expect(await post(envelope('correct horse', 'PasswordDigest'))).toContain('<e:Total>1</e:Total>')
    expect(await post(envelope('correct horse', 'PasswordText'))).toContain('<e:Total>1</e:Total>')
  })

  it('names the failure in hr:Reason: bad-digest, bad-password, replayed-nonce', async () => {
    expect(reason(await post(envelope('wrong', 'PasswordDigest')))).toBe('bad-digest')
    expect(reason(await post(envelope('wrong', 'PasswordText')))).toBe('bad-password')
    const nonce = randomBytes(16)
    const once = envelope('correct horse', 'PasswordDigest', nonce)
    expect(await post(once)).toContain('<e:Total>1</e:Total>')
    expect(reason(await post(once))).toBe('replayed-nonce')
  })
})
