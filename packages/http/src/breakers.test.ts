import { describe, expect, it } from 'vitest'
import { Breakers } from './breakers'
import { resolveOptions } from './options'

const subject = { method: 'GET', url: () => 'https://erp.example/x' }
const config = resolveOptions({ breaker: { minimumCalls: 2, failureRatio: 0.5, openMs: 1_000, halfOpenProbes: 1 } })
  .breaker as NonNullable<ReturnType<typeof resolveOptions>['breaker']>

describe('the breakers per origin (Breakers), without sockets', () => {
  it('keeps one circuit per origin and opens it on failures of the service only', () => {
    const breakers = new Breakers(config)
    const erp = breakers.for('https://erp.example')
    expect(breakers.for('https://erp.example')).toBe(erp)
    Breakers.failed(erp, false, false, 10) // a caller's abort: not counted
    Breakers.answered(erp, 503, false, 11)
    expect(erp.state).toBe('closed') // one call counted, below minimumCalls
    Breakers.answered(erp, 502, false, 12)
    expect(erp.state).toBe('open')
    expect(breakers.for('https://other.example').state).toBe('closed')
    expect(breakers.states(512)).toEqual({
      'https://erp.example': { state: 'open', openings: 1, nextProbeInMs: 500 },
      'https://other.example': { state: 'closed', openings: 0 },
    })
  })

  it('refuses while open with FK_HTTP_CIRCUIT_OPEN, then lets one probe through whose answer decides', () => {
    const breakers = new Breakers(config)
    const erp = breakers.for('https://erp.example')
    Breakers.answered(erp, 500, false, 0)
    Breakers.answered(erp, 500, false, 1)
    const wait = breakers.admit(erp, 200)
    expect(wait).toBe(801)
    expect(breakers.refusal(subject, 'https://erp.example', wait as number)).toMatchObject({
      code: 'FK_HTTP_CIRCUIT_OPEN',
      details: { origin: 'https://erp.example', retryInMs: 801 },
    })
    expect(breakers.admit(erp, 1_001)).toBe(true) // the probe
    expect(typeof breakers.admit(erp, 1_002)).toBe('number') // one probe at a time
    Breakers.answered(erp, 200, true, 1_005)
    expect(erp.state).toBe('closed')
    expect(breakers.admit(erp, 1_006)).toBe(false)
  })

  it('lets a probe the caller stopped, or Fieldkit refused, decide nothing: the circuit stays half-open for the next', () => {
    const breakers = new Breakers(config)
    const erp = breakers.for('https://erp.example')
    Breakers.answered(erp, 500, false, 0)
    Breakers.answered(erp, 500, false, 1)
    expect(breakers.admit(erp, 1_001)).toBe(true) // a probe …
    Breakers.failed(erp, false, true, 1_002) // … the caller aborted (or residency refused): no answer from the service
    expect(erp.state).toBe('half-open')
    expect(erp.openings).toBe(1)
    expect(breakers.admit(erp, 1_003)).toBe(true) // the next request probes
    Breakers.failed(erp, true, true, 1_004) // and the service fails it
    expect(erp.state).toBe('open')
    expect(erp.openings).toBe(2)
  })
})
