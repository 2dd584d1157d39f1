import { rejection } from '@fieldkit/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSoapClient, type SoapClientOptions } from './client'
import type { SoapError } from './errors'
import { type Loopback, loopback, SOAP11 } from './loopback.test-helper'

/** Reads a stream to its end (or its error). */
async function drain(options: SoapClientOptions): Promise<unknown> {
  const svc = createSoapClient(options)
  try {
    for await (const _ of svc.stream('GetEmployees', {}, { record: 'GetEmployeesResponse/Employee' })) {
      // records, if any, are not the point
    }
  } finally {
    await svc.close()
  }
  return undefined
}

describe('client.stream() honours the client timeouts against a slow-loris server (issue 22.9)', () => {
  let server: Loopback
  const timers = new Set<NodeJS.Timeout>()
  beforeAll(async () => {
    // Headers at once, the envelope's start, then one byte every 200 ms, forever (until the client hangs up).
    server = await loopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' })
      res.write(`<s:Envelope xmlns:s="${SOAP11}"><s:Body><GetEmployeesResponse>`)
      const timer = setInterval(() => {
        if (res.destroyed) clearInterval(timer)
        else res.write(' ')
      }, 200)
      timers.add(timer)
      res.on('close', () => clearInterval(timer))
    })
  })
  afterAll(async () => {
    for (const timer of timers) clearInterval(timer)
    await server.close()
  })
  const base = () => ({ endpoint: `${server.url}/soap`, namespace: 'urn:hr' })

  it('a SOAP stream ends against a slow-loris server: the total timeout gives FK_SOAP_TIMEOUT (kind total)', async () => {
    const started = performance.now()
    const error = (await rejection(drain({ ...base(), totalTimeoutMs: 1_000 }))) as SoapError
    const took = performance.now() - started
    expect(error.code).toBe('FK_SOAP_TIMEOUT')
    expect(error.details).toEqual({ kind: 'total', timeoutMs: 1_000 })
    expect(took).toBeGreaterThanOrEqual(900)
    expect(took).toBeLessThan(3_000)
  }, 10_000)

  it('the idle timeout between bytes gives FK_SOAP_TIMEOUT (kind idle) when a byte comes every 200 ms and 100 are allowed', async () => {
    const error = (await rejection(drain({ ...base(), timeoutMs: 100 }))) as SoapError
    expect(error.code).toBe('FK_SOAP_TIMEOUT')
    expect(error.details).toEqual({ kind: 'idle', timeoutMs: 100 })
  }, 10_000)

  it('takes both from the http options when given there (timeout.bodyIdle, timeout.total)', async () => {
    const idle = (await rejection(drain({ ...base(), http: { timeout: { bodyIdle: 100 } } }))) as SoapError
    expect(idle.details).toEqual({ kind: 'idle', timeoutMs: 100 })
    const total = (await rejection(drain({ ...base(), http: { timeout: { total: 700 } } }))) as SoapError
    expect(total.details).toEqual({ kind: 'total', timeoutMs: 700 })
  }, 10_000)

  it('refuses a totalTimeoutMs that is not a positive integer', () => {
    expect(() => createSoapClient({ ...base(), totalTimeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'FK_SOAP_OPTIONS' }),
    )
  })
})
