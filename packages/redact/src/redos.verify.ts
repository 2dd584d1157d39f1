import { describe, expect, it } from 'vitest'
import { createRedactor } from './index'
import { CONTEXT_WORDS } from './scanner'

// Every detector is a bounded, single-pass scan: hostile lines must cost no more than a set multiple of ordinary
// prose of the same size. A backtracking pattern is quadratic or worse on these inputs: minutes at 1 MB, not
// milliseconds. One measurement per input and size, and a size of 1 MB only where 100 KB does not already settle it:
//
// - every input is timed once at 100 KB; within SMALL_MULTIPLE (3×) of prose it passes, because a quadratic term
//   that costs at most 3× prose at 100 KB costs at most 100 × 3 / 10 = 30× prose at 1 MB — the bound itself;
// - an input over 3× at 100 KB (digit-dense input costs more per character, and so would a window re-read per
//   character) is timed once at 1 MB, must stay within MULTIPLE (30×) of prose there, and must grow by at most
//   GROWTH (20×, linear is 10×, quadratic 100×) from 100 KB to 1 MB.
//
// Prose is the cheapest input there is (words are skipped after one hash); its time is the median of three runs.
// Times are CPU time of this process, which the other work of a shared machine disturbs less than wall time.
const SMALL = 100 * 1024
const LARGE = 1024 * 1024
const SMALL_MULTIPLE = 3
const MULTIPLE = 30
const GROWTH = 20
const SLACK_MS = 250

const fill = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size)

// Each input is made at the size asked for.
const ADVERSARIAL: Record<string, (size: number) => string> = {
  'one digit run': (z) => fill('7', z),
  'digits and spaces': (z) => fill('4 ', z),
  'digits after no-break spaces': (z) => fill('card\u00a04111\u202f', z),
  'digit groups of four': (z) => fill('4111 ', z),
  'dashed digits': (z) => fill('12-', z),
  'dotted digits': (z) => fill('1.2.', z),
  'plus signs and digits': (z) => fill('+1 ', z),
  'open parentheses': (z) => fill('(1', z),
  '@ flood': (z) => fill('@', z),
  'letters then @': (z) => fill('a@', z),
  'non-ASCII letters then @': (z) => fill('ü@ä.', z),
  'long non-ASCII local part': (z) => `${fill('ü', z).slice(0, z - 20)}@exämple.de`,
  'long local part': (z) => `${fill('a', z).slice(0, z - 20)}@example.com`,
  'long domain': (z) => `a@${fill('b.', z).slice(0, z - 10)}com`,
  'double quotes': (z) => fill('"', z),
  'nested quotes': (z) => fill('"\\"\'', z),
  'password= repeated': (z) => fill('password="', z),
  // An unquoted value whose `,` `;` `)` each look ahead for the next `key=` pair (a key just short of the limit).
  'separators before long keys': (z) => `password=${fill(`,${'k'.repeat(47)};${'k'.repeat(47)})`, z - 9)}`,
  'pairs inside one value': (z) => fill('password=a,b=c;d=e)', z),
  'authorization headers': (z) => fill('Authorization: ', z),
  'bearer repeated': (z) => fill('Bearer ', z),
  colons: (z) => fill(':', z),
  'hex and colons': (z) => fill('ab:', z),
  'double colons': (z) => fill('1::', z),
  'PEM headers without end': (z) => fill('-----BEGIN RSA PRIVATE KEY-----', z),
  'JWT-like dots': (z) => fill('eyJ.', z),
  'IBAN-like groups': (z) => fill('DE89 ', z),
  'NINO-like': (z) => fill('AB 12 ', z),
  'URL credentials': (z) => fill('https://u:p', z),
  'dates after DOB': (z) => fill('DOB 1/1/1 ', z),
  // Issue 14's paths: extensions, (0) trunk groups, addresses before dots and ports, empty URL users, %2B.
  'digit runs with x': (z) => fill('4155550132x', z),
  'digit runs with ext.': (z) => fill('415 555 0132 ext. ', z),
  'extension hashes': (z) => fill('0132 #', z),
  '(0) flood': (z) => fill('(0)', z),
  '+CC (0) flood': (z) => fill('+44 (0)', z),
  'dotted quads then dots': (z) => fill('10.0.0.1.', z),
  'dotted quads then colons': (z) => fill('10.0.0.1:', z),
  'dotted quads with ports': (z) => fill('1.2.3.4:5:', z),
  '://: flood': (z) => fill('://:', z),
  'empty-user URLs': (z) => fill('redis://:p@', z),
  '%2B flood': (z) => fill('%2B1', z),
  'numbers joined to words': (z) => fill('0152 75868784-Fax/', z),
  'NIE with hyphen': (z) => fill('Y8063915-', z),
  // The provider-token prefixes and keys named like secrets.
  'provider prefixes': (z) => fill('ghp_ sk_live_ xoxb- AIza ', z),
  'one long GitHub token': (z) => `ghp_${fill('a', z - 4)}`,
  'keys named like secrets': (z) => fill('DB_PASSWORD=GITHUB_TOKEN:', z),
}

function plainText(size: number): string {
  const words = ['invoice', 'payment', 'shipped', 'customer', 'the', 'order', 'status=200', 'took=12ms', 'v1.2.3']
  const parts: string[] = []
  let len = 0
  for (let i = 0; len < size; i++) {
    const w = `${words[i % words.length]} `
    parts.push(w)
    len += w.length
  }
  return parts.join('').slice(0, size)
}

/** CPU milliseconds of this process spent in `fn`: other work on a shared machine does not count in it. */
function time(fn: () => void): number {
  const start = process.cpuUsage()
  fn()
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

const median3 = (fn: () => void): number => [time(fn), time(fn), time(fn)].sort((x, y) => x - y)[1] as number

/** Prose times at both sizes, measured once per file after a warm-up. */
function prose(redactor: ReturnType<typeof createRedactor>): { small: number; large: number } {
  const small = plainText(SMALL)
  const large = plainText(LARGE)
  redactor.redactString(large)
  return { small: median3(() => redactor.redactString(small)), large: median3(() => redactor.redactString(large)) }
}

/** Times `make` at 100 KB, and at 1 MB only when the 100 KB time does not settle it; the figures for the log. */
function withinBound(
  redactor: ReturnType<typeof createRedactor>,
  baseline: { small: number; large: number },
  label: string,
  make: (size: number) => string,
): string {
  const small = time(() => redactor.redactString(make(SMALL)))
  if (small <= baseline.small * SMALL_MULTIPLE) return `${label}: ${small.toFixed(0)} ms at 100 KB`
  const large = time(() => redactor.redactString(make(LARGE)))
  const figures = `${label}: ${small.toFixed(0)} ms at 100 KB, ${large.toFixed(0)} ms at 1 MB (prose ${baseline.large.toFixed(0)} ms)`
  expect(large, `${figures}: over ${MULTIPLE}× prose at 1 MB`).toBeLessThanOrEqual(baseline.large * MULTIPLE + SLACK_MS)
  // The growth check only means something when the 100 KB time is well above timer and scheduling noise.
  if (small >= 20) expect(large / small, `${figures}: grew superlinearly`).toBeLessThanOrEqual(GROWTH)
  return figures
}

describe('linear time on hostile input (100 KB, 1 MB where needed)', () => {
  const redactor = createRedactor()
  const baseline = prose(redactor)

  for (const [name, make] of Object.entries(ADVERSARIAL)) {
    it(`${name}: within ${MULTIPLE}× of plain text`, () => {
      console.log(withinBound(redactor, baseline, name, make))
    })
  }
})

// Every context word and key of the scanner's tables, repeated with each separator a key is written with: a value
// starts inside the value of the key before, and must not be read again (issue 22, point 12).
const KEY_SEPARATORS = ['=', ':', '"', ' ', '": "']

describe('linear time on repeated context words and keys (100 KB, 1 MB where needed)', () => {
  const redactor = createRedactor()
  const baseline = prose(redactor)
  for (const word of CONTEXT_WORDS) {
    it(`${word} with ${KEY_SEPARATORS.map((s) => JSON.stringify(s)).join(', ')}: within ${MULTIPLE}× of plain text`, () => {
      for (const sep of KEY_SEPARATORS) {
        const figures = withinBound(redactor, baseline, JSON.stringify(word + sep), (size) => fill(word + sep, size))
        if (figures.includes('1 MB')) console.log(figures)
      }
    })
  }
})
