import { Agent, request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { flaky } from './scenarios/flaky'
import { serve } from './serve'

// The simulator under the load the fault runs put on it: 10,000 requests, 32 in flight, over keep-alive.
describe('flaky under load', () => {
  it('keeps its fault shares and answers every one of 10,000 requests', async () => {
    const mock = await serve(flaky({ seed: 2026 }))
    const agent = new Agent({ keepAlive: true, maxSockets: 32 })
    const outcomes = { ok: 0, unavailable: 0, reset: 0 }
    let next = 0
    const worker = async () => {
      while (next < 10_000) {
        next += 1
        await new Promise<void>((resolve) => {
          request(`${mock.url}/flaky`, { agent }, (res) => {
            res.resume()
            res.on('end', () => {
              if (res.statusCode === 200) outcomes.ok += 1
              else outcomes.unavailable += 1
              resolve()
            })
          })
            .on('error', () => {
              outcomes.reset += 1
              resolve()
            })
            .end()
        })
      }
    }
    await Promise.all(Array.from({ length: 32 }, worker))
    agent.destroy()
    await mock.close()
    expect(outcomes.ok + outcomes.unavailable + outcomes.reset).toBe(10_000)
    expect(mock.requests).toHaveLength(10_000)
    expect(outcomes.unavailable / 10_000).toBeCloseTo(0.2, 1)
    expect(outcomes.reset / 10_000).toBeCloseTo(0.05, 1)
  })
})
