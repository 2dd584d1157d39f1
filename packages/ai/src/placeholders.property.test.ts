import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  escapeUserText,
  type RestoreCounts,
  type RestoreMode,
  restorePlaceholders,
  StreamRestorer,
} from './placeholders'

const values = new Map([
  ['EMAIL_1', 'ann@example.com'],
  ['EMAIL_2', 'bob "b" <b@example.org>'],
  ['PHONE_1', '+44 20 7946 0958'],
  ['IP_12', '192.0.2.7'],
])

/** Pieces that make placeholder forms, near-misses and escapes when strung together. */
const piece = fc.constantFrom(
  '<',
  '>',
  ' ',
  '_',
  '__',
  '1',
  '2',
  '12',
  '3',
  'EMAIL',
  'email',
  'Email',
  'PHONE',
  'IP',
  'EMA',
  'IL',
  'x',
  'a',
  '\\u003c',
  '\\u003e',
  '\\u003C',
  '\\',
  'u003',
  '\\n',
  '"',
  'é',
  '.',
  '<EMAIL_1>',
  '< email_2 >',
  'PHONE_1',
  '<IP_12>',
  'EMAIL__1',
  'AADHAAR_1',
)
const text = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''))

function chunked(t: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (t.length + 1)))].sort((a, b) => a - b)
  const out: string[] = []
  let last = 0
  for (const p of points) {
    out.push(t.slice(last, p))
    last = p
  }
  out.push(t.slice(last))
  return out
}

function streamed(t: string, cuts: number[], mode: RestoreMode, counts: RestoreCounts): string {
  const r = new StreamRestorer(values, mode, counts)
  let out = ''
  for (const c of chunked(t, cuts)) out += r.push(c)
  return out + r.flush()
}

describe('placeholder restore over arbitrary chunkings', () => {
  for (const mode of ['text', 'json'] as const) {
    it(`streams exactly what the whole-text restore gives (${mode})`, () => {
      fc.assert(
        fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), (t, cuts) => {
          const whole = { restored: 0, unrestored: 0 }
          const parts = { restored: 0, unrestored: 0 }
          expect(streamed(t, cuts, mode, parts)).toBe(restorePlaceholders(t, values, mode, whole))
          expect(parts).toEqual(whole)
        }),
        { numRuns: 1500 },
      )
    })
  }

  it('restores every placeholder at every split position, one character per event too', () => {
    for (const form of ['<EMAIL_1>', '<email_1>', '< EMAIL_1 >', 'EMAIL_1', '<IP_12>']) {
      const t = `Dear ${form}, thanks.`
      const expected = 'Dear ann@example.com, thanks.'.replace(
        'ann@example.com',
        values.get(form.toUpperCase().includes('IP') ? 'IP_12' : 'EMAIL_1') as string,
      )
      for (let a = 0; a <= t.length; a++) {
        for (let b = a; b <= t.length; b++) {
          const counts = { restored: 0, unrestored: 0 }
          expect(streamed(t, [a, b], 'text', counts)).toBe(expected)
        }
      }
      const counts = { restored: 0, unrestored: 0 }
      expect(
        streamed(
          t,
          [...t].map((_, i) => i),
          'text',
          counts,
        ),
      ).toBe(expected)
    }
  })

  it('never holds text that cannot start a placeholder', () => {
    const r = new StreamRestorer(values, 'text', { restored: 0, unrestored: 0 })
    expect(r.push('Hello there, ')).toBe('Hello there, ')
    expect(r.push('the answer is 42.')).toBe('the answer is 42.')
    expect(r.push(' Write to <EMA')).toBe(' Write to ')
    expect(r.push('IL_1> or')).toBe('ann@example.com or')
    expect(r.push(' EMAIL_1')).toBe(' ')
    expect(r.push('!')).toBe('ann@example.com!')
    expect(r.holding).toBe(false)
  })
})

describe('user text that looks like a placeholder', () => {
  it('round-trips unchanged through escape and restore, and is never restored to a value', () => {
    fc.assert(
      fc.property(text, (t) => {
        const counts = { restored: 0, unrestored: 0 }
        expect(restorePlaceholders(escapeUserText(t), values, 'text', counts)).toBe(t)
        expect(counts.restored).toBe(0)
      }),
      { numRuns: 1500 },
    )
  })

  it('round-trips through JSON text as a model would quote it', () => {
    fc.assert(
      fc.property(text, (t) => {
        const counts = { restored: 0, unrestored: 0 }
        const json = JSON.stringify({ q: escapeUserText(t) })
          .replace(/</g, '\\u003c')
          .replace(/>/g, '\\u003e')
        expect(JSON.parse(restorePlaceholders(json, values, 'json', counts)).q).toBe(t)
        expect(counts.restored).toBe(0)
      }),
      { numRuns: 1500 },
    )
  })
})
