import { describe, expect, it } from 'vitest'
import { createRedactor } from './index'
import { CONTEXT_WORDS } from './scanner'

// Every detector is a bounded, single-pass scan: hostile 10 MB lines must take no more than a set multiple of
// the time of ordinary prose of the same size. Prose is the cheapest input there is (words are skipped after one
// hash); digit-dense input costs more per character, measured up to about 17× on a loaded 2-core machine. A
// backtracking pattern would be quadratic or worse on these inputs: minutes to hours at 10 MB, not seconds. The
// best of two runs is taken on both sides to damp the noise of a shared machine.
const SIZE = 10 * 1024 * 1024
const MULTIPLE = 30
const SLACK_MS = 250

const fill = (unit: string): string => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE)

const ADVERSARIAL: Record<string, string> = {
  'one digit run': fill('7'),
  'digits and spaces': fill('4 '),
  'digit groups of four': fill('4111 '),
  'dashed digits': fill('12-'),
  'dotted digits': fill('1.2.'),
  'plus signs and digits': fill('+1 '),
  'open parentheses': fill('(1'),
  '@ flood': fill('@'),
  'letters then @': fill('a@'),
  'non-ASCII letters then @': fill('ü@ä.'),
  'long non-ASCII local part': `${fill('ü').slice(0, SIZE - 20)}@exämple.de`,
  'long local part': `${fill('a').slice(0, SIZE - 20)}@example.com`,
  'long domain': `a@${fill('b.').slice(0, SIZE - 10)}com`,
  'double quotes': fill('"'),
  'nested quotes': fill('"\\"\''),
  'password= repeated': fill('password="'),
  'authorization headers': fill('Authorization: '),
  'bearer repeated': fill('Bearer '),
  colons: fill(':'),
  'hex and colons': fill('ab:'),
  'double colons': fill('1::'),
  'PEM headers without end': fill('-----BEGIN RSA PRIVATE KEY-----'),
  'JWT-like dots': fill('eyJ.'),
  'IBAN-like groups': fill('DE89 '),
  'NINO-like': fill('AB 12 '),
  'URL credentials': fill('https://u:p'),
  'dates after DOB': fill('DOB 1/1/1 '),
  // Issue 14's paths: extensions, (0) trunk groups, addresses before dots and ports, empty URL users, %2B.
  'digit runs with x': fill('4155550132x'),
  'digit runs with ext.': fill('415 555 0132 ext. '),
  'extension hashes': fill('0132 #'),
  '(0) flood': fill('(0)'),
  '+CC (0) flood': fill('+44 (0)'),
  'dotted quads then dots': fill('10.0.0.1.'),
  'dotted quads then colons': fill('10.0.0.1:'),
  'dotted quads with ports': fill('1.2.3.4:5:'),
  '://: flood': fill('://:'),
  'empty-user URLs': fill('redis://:p@'),
  '%2B flood': fill('%2B1'),
  'numbers joined to words': fill('0152 75868784-Fax/'),
  'NIE with hyphen': fill('Y8063915-'),
}

function plainText(): string {
  const words = ['invoice', 'payment', 'shipped', 'customer', 'the', 'order', 'status=200', 'took=12ms', 'v1.2.3']
  const parts: string[] = []
  let len = 0
  for (let i = 0; len < SIZE; i++) {
    const w = `${words[i % words.length]} `
    parts.push(w)
    len += w.length
  }
  return parts.join('').slice(0, SIZE)
}

function time(fn: () => void): number {
  const start = performance.now()
  fn()
  return performance.now() - start
}

describe('linear time on hostile input (10 MB lines)', () => {
  const redactor = createRedactor()
  const plain = plainText()
  redactor.redactString(plain.slice(0, 200_000))
  const baseline = Math.min(
    time(() => redactor.redactString(plain)),
    time(() => redactor.redactString(plain)),
    time(() => redactor.redactString(plain)),
  )

  for (const [name, input] of Object.entries(ADVERSARIAL)) {
    it(`${name}: within ${MULTIPLE}× of plain text`, () => {
      const ms = Math.min(
        time(() => redactor.redactString(input)),
        time(() => redactor.redactString(input)),
      )
      console.log(`${name}: ${ms.toFixed(0)} ms (plain text of the same size: ${baseline.toFixed(0)} ms)`)
      expect(ms).toBeLessThanOrEqual(baseline * MULTIPLE + SLACK_MS)
    })
  }
})

// Every context word and key of the scanner's tables, repeated to 1 MB with each separator a key is written with:
// a value starts inside the value of the key before, and must not be read again (issue 22, point 12).
const KEY_SIZE = 1024 * 1024
const KEY_SEPARATORS = ['=', ':', '"', ' ', '": "']

describe('linear time on repeated context words and keys (1 MB each)', () => {
  const redactor = createRedactor()
  const plain = plainText().slice(0, KEY_SIZE)
  redactor.redactString(plain)
  const baseline = Math.min(
    time(() => redactor.redactString(plain)),
    time(() => redactor.redactString(plain)),
    time(() => redactor.redactString(plain)),
  )
  for (const word of CONTEXT_WORDS) {
    it(`${word} with ${KEY_SEPARATORS.map((s) => JSON.stringify(s)).join(', ')}: within ${MULTIPLE}× of plain text`, () => {
      for (const sep of KEY_SEPARATORS) {
        const input = `${word}${sep}`.repeat(Math.ceil(KEY_SIZE / (word.length + sep.length))).slice(0, KEY_SIZE)
        const ms = time(() => redactor.redactString(input))
        expect(ms, `${JSON.stringify(word + sep)} repeated`).toBeLessThanOrEqual(baseline * MULTIPLE + SLACK_MS)
      }
    })
  }
})
