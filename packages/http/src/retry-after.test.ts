import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from './retry-after'

const NOW = Date.parse('2026-11-23T21:00:00Z')

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['1', 1_000],
    ['120', 120_000],
    [' 7 ', 7_000],
    ['3600', 3_600_000],
    ['Mon, 23 Nov 2026 21:00:30 GMT', 30_000],
    ['Monday, 23-Nov-26 21:01:00 GMT', 60_000],
    ['Mon Nov 23 21:00:05 2026', 5_000],
    ['Mon, 23 Nov 2026 20:00:00 GMT', 0],
    [['5'], 5_000],
  ])('reads %j as %d ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected)
  })

  it.each([
    ['soon'],
    ['-1'],
    ['1.5'],
    ['1e3'],
    [''],
    ['2026-11-23T21:00:30Z'],
    ['Mon, 23 Nov 2026 21:00:30'],
    [['1', '2']],
  ])('ignores the malformed %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined()
  })

  it.each([['99999999999999999999'], ['999999999999999999999999'], ['9'.repeat(100)]])(
    'reads the huge %j as the longest wait, not as malformed (issue 22 point 10)',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeGreaterThanOrEqual(Number.MAX_SAFE_INTEGER)
    },
  )

  it('never throws and never gives a negative or non-finite wait, whatever the header holds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.integer().map(String)), (value) => {
        const ms = parseRetryAfter(value, NOW)
        if (ms !== undefined) expect(Number.isFinite(ms) && ms >= 0).toBe(true)
      }),
    )
  })
})
