import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRedactor } from './index'
import { CONTEXT_WORDS } from './scanner'

// A context word or key repeated with its separators (`key=key=key=…`, `"sig":"sig":…`) starts a value inside the
// value of the one before. Each must cost a bounded amount, not a re-read of the rest of the value: before the fix,
// `'key='.repeat(25000)` (100 KB) took 2.5–6 s against 5 ms for prose of the same size.
const SIZE = 100 * 1024
const MULTIPLE = 30
const SLACK_MS = 150

const fill = (unit: string): string => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE)

function best(fn: () => void): number {
  let ms = Number.POSITIVE_INFINITY
  for (let i = 0; i < 2; i++) {
    const start = performance.now()
    fn()
    ms = Math.min(ms, performance.now() - start)
  }
  return ms
}

describe('context words and keys run in linear time', () => {
  const redactor = createRedactor()
  const prose = fill('invoice payment shipped the customer ')
  redactor.redactString(prose)
  const baseline = best(() => redactor.redactString(prose))

  it.each(['key=', 'Key=', 'key:', 'sig=', 'KEY: '])('%j repeated to 100 KB stays within 30× of prose', (unit) => {
    const ms = best(() => redactor.redactString(fill(unit)))
    expect(ms).toBeLessThanOrEqual(baseline * MULTIPLE + SLACK_MS)
  })

  it('every context word of the tables, repeated with `=`, `:`, `"` and spaces, stays within 30× of prose', () => {
    const separator = fc
      .array(fc.constantFrom('=', ':', '"', ' ', "'"), { minLength: 1, maxLength: 3 })
      .map((s) => s.join(''))
    const casing = fc.constantFrom(
      (w: string) => w,
      (w: string) => w.toUpperCase(),
      (w: string) => w.charAt(0).toUpperCase() + w.slice(1),
    )
    fc.assert(
      fc.property(fc.constantFrom(...CONTEXT_WORDS), casing, separator, fc.boolean(), (word, cased, sep, quoted) => {
        const unit = quoted ? `"${cased(word)}"${sep}` : `${cased(word)}${sep}`
        const ms = best(() => redactor.redactString(fill(unit)))
        expect(ms, `${JSON.stringify(unit)} repeated`).toBeLessThanOrEqual(baseline * MULTIPLE + SLACK_MS)
      }),
      { numRuns: 30 },
    )
  })

  it('still finds a high-entropy value after a repeated key, and the same values as before', () => {
    const value = 'Zx9qT4mW2pL8vN3kR7sJ'
    const text = `${'key='.repeat(50)} sig=${value} key=${'a'.repeat(40)} access_key=${value}&x=1`
    const { text: out, findings } = redactor.redactString(text)
    expect(out).not.toContain(value)
    expect(findings.map((f) => f.detector)).toEqual(['high-entropy', 'high-entropy'])
    expect(out).toContain(`key=${'a'.repeat(40)}`)
  })
})
