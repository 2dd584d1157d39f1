import { describe, expect, it } from 'vitest'
import { createRedactor } from './index'

// Separators outside ASCII, as French typography, Word, Outlook and CJK text write them between a label and its value.
const SEPARATORS: [string, string][] = [
  ['a no-break space', '\u00a0'],
  ['a narrow no-break space', '\u202f'],
  ['a thin space', '\u2009'],
  ['an em space', '\u2003'],
  ['a zero-width space', '\u200b'],
  ['an en dash', '\u2013'],
  ['an ideographic space', '\u3000'],
]

const VALUES: [string, string, string][] = [
  ['card', 'card', '4111111111111111'],
  ['iban', 'IBAN', 'DE89370400440532013000'],
  ['email', 'mail', 'ann.lee@example.com'],
  ['ip', 'client', '212.254.15.81'],
  ['phone', 'tel', '+33612345678'],
]

describe('a value after a non-ASCII separator', () => {
  const redactor = createRedactor()
  for (const [name, separator] of SEPARATORS) {
    it.each(VALUES)(`after ${name}: %s is found and redacted whole`, (kind, label, value) => {
      for (const text of [
        `${label}${separator}${value}`,
        `${label} :${separator}${value} ok`,
        `${separator}${value}`,
      ]) {
        const { text: out, findings } = redactor.redactString(text)
        expect(out, JSON.stringify(text)).not.toContain(value)
        expect(findings.map((f) => f.kind)).toContain(kind)
      }
    })
  }

  it('keeps a non-ASCII letter joined to the digits after it (no number starts inside a word)', () => {
    expect(createRedactor().redactString('réf\u00e94111111111111111').findings).toEqual([])
  })
})
