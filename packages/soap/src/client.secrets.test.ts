import { wsSecurityUsernameToken } from '@fieldkit/auth'
import { errorTexts, expectNoLeak, rejection } from '@fieldkit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSoapClient } from './client'
import type { SoapError, SoapFaultError } from './errors'
import { envelope11, type Loopback, loopback } from './loopback.test-helper'

// A password with characters XML escapes, so the echo must be caught in its unescaped form too.
const PASSWORD = 'S3cret<&>"pw-4711'

/** A debug-mode service: its fault quotes the whole UsernameToken it received, in the reason and in the detail. */
function echoingFault(body: string): string {
  const token = /<wsse:Password[^>]*>([^<]*)<\/wsse:Password>/.exec(body)?.[1] ?? ''
  return envelope11(
    `<s:Fault><faultcode>s:Client</faultcode><faultstring>Authentication failed for password ${token}</faultstring>` +
      `<detail><e:Echo xmlns:e="urn:echo"><e:password>${token}</e:password><e:note>bad password: ${token}!</e:note></e:Echo></detail></s:Fault>`,
  )
}

describe('secrets a call sent never come back in its errors (issue 22)', () => {
  let server: Loopback
  beforeAll(async () => {
    server = await loopback((_req, res, body) => {
      res.writeHead(500, { 'content-type': 'text/xml; charset=utf-8' })
      res.end(echoingFault(body))
    })
  })
  afterAll(() => server.close())

  const client = () =>
    createSoapClient({
      endpoint: `${server.url}/soap`,
      namespace: 'urn:hr',
      security: wsSecurityUsernameToken({ username: 'svc-user', password: PASSWORD, digest: false }),
    })

  it('a SOAP fault echoing the UsernameToken password (digest: false) keeps it out of FK_SOAP_FAULT in call()', async () => {
    const svc = client()
    const error = (await rejection(svc.call('GetEmployees', {}))) as SoapFaultError
    await svc.close()
    // The service did receive and echo it: the test can fail.
    expect(server.bodies.at(-1)).toContain('S3cret&#60;&#38;&#62;&#34;pw-4711')
    expect(error.code).toBe('FK_SOAP_FAULT')
    expect(error.message).toContain('Authentication failed for password [REDACTED]')
    expect(error.fault.detail).toEqual({ Echo: { password: '[REDACTED]', note: 'bad password: [REDACTED]!' } })
    expectNoLeak([PASSWORD, 'S3cret&#60;&#38;&#62;&#34;pw-4711'], [...errorTexts(error), JSON.stringify(error.fault)])
  })

  it('a SOAP fault echoing the UsernameToken password keeps it out of FK_SOAP_FAULT in stream()', async () => {
    const svc = client()
    const records = svc.stream('GetEmployees', {}, { record: 'GetEmployeesResponse/Employee' })
    const error = (await rejection(
      (async () => {
        for await (const _ of records) {
          // no records: the answer is a fault
        }
      })(),
    )) as SoapFaultError
    await svc.close()
    expect(error.code).toBe('FK_SOAP_FAULT')
    expectNoLeak([PASSWORD], [...errorTexts(error), JSON.stringify(error.fault)])
  })

  it('createSoapClient({ endpoint }) with a password in an invalid URL: FK_SOAP_OPTIONS, and neither message nor cause carries it', () => {
    let error: unknown
    try {
      createSoapClient({ endpoint: 'http://user:SEKRET-pw@[::1', namespace: 'urn:hr' })
    } catch (e) {
      error = e
    }
    expect((error as SoapError).code).toBe('FK_SOAP_OPTIONS')
    expect((error as SoapError).message).toContain('Expected `endpoint` to be an http(s) URL, got a string of')
    expect(((error as SoapError).cause as { code?: string }).code).toBe('ERR_INVALID_URL')
    expectNoLeak(['SEKRET-pw'], errorTexts(error))
  })
})
