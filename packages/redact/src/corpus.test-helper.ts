// A labelled corpus for the accuracy test: sentences built from templates and generated values, each planted
// value's span recorded. Values are valid (checksums computed here, independently of the detectors); every
// sentence also carries look-alikes that must not be found (order numbers, amounts, versions, timestamps, UUIDs,
// Luhn-failing card-like numbers, IBANs with a wrong check, SSNs in never-issued ranges).
import type { Kind } from './kinds'

export interface LabelledSpan {
  kind: Kind
  start: number
  end: number
}

export interface LabelledSentence {
  text: string
  spans: LabelledSpan[]
}

type Rng = {
  next(): number
  int(lo: number, hi: number): number
  pick<T>(items: readonly T[]): T
  digits(n: number): string
}

function rng(seed: number): Rng {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1))
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    digits: (n: number) => {
      let s = ''
      for (let i = 0; i < n; i++) s += String(Math.floor(next() * 10))
      return s
    },
  }
}

const FIRST = ['anna', 'john', 'maria', 'li', 'olu', 'sven', 'chloe', 'raj', 'fatima', 'jan', 'ewa', 'pedro', 'kim']
const LAST = ['smith', 'nguyen', 'mueller', 'kowalski', 'garcia', 'okafor', 'rossi', 'dubois', 'singh', 'van-dijk']
const DOMAINS = [
  'example.com',
  'mail.example.org',
  'corp.example.co.uk',
  'example.net',
  'kunde.example.de',
  'example.io',
]
const NAMES = ['Anna', 'John', 'María', 'Li', 'Olu', 'Sven', 'Chloé', 'Raj', 'Fatima', 'Jan', 'Ewa', 'Pedro']

function luhnDigit(partial: string): string {
  let sum = 0
  for (let i = 0; i < partial.length; i++) {
    let d = partial.charCodeAt(partial.length - 1 - i) - 48
    if (i % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return String((10 - (sum % 10)) % 10)
}

function mod97(s: string): number {
  let rem = 0
  for (const ch of s) {
    const v = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch
    for (const d of v) rem = (rem * 10 + Number(d)) % 97
  }
  return rem
}

const group = (s: string, size: number, sep: string): string =>
  (s.match(new RegExp(`.{1,${size}}`, 'g')) ?? []).join(sep)

const MAKERS: Record<string, (r: Rng) => string> = {
  email: (r) =>
    `${r.pick(FIRST)}${r.pick(['.', '_', '', '+news.'])}${r.pick(LAST)}${r.next() < 0.4 ? r.int(1, 99) : ''}@${r.pick(DOMAINS)}`,
  phone: (r) => {
    const a = r.int(201, 989)
    const x = r.int(200, 999)
    switch (r.int(0, 11)) {
      case 0:
        return `(${a}) ${x}-${r.digits(4)}`
      case 1:
        return `${a}-${x}-${r.digits(4)}`
      case 2:
        return `+1 ${a} ${x} ${r.digits(4)}`
      case 3:
        return `+44 20 ${r.digits(4)} ${r.digits(4)}`
      case 4:
        return `+49 30 ${r.digits(8)}`
      case 5:
        return `+33 ${r.int(1, 9)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`
      case 6:
        return `0${r.int(1, 9)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)} ${r.digits(2)}`
      case 7:
        return `020 ${r.digits(4)} ${r.digits(4)}`
      case 8:
        return `+34 ${r.int(600, 799)} ${r.digits(3)} ${r.digits(3)}`
      case 9:
        return `+31 6 ${r.digits(8)}`
      case 10:
        return `+48 ${r.int(500, 799)} ${r.digits(3)} ${r.digits(3)}`
      default:
        return `${a}.${x}.${r.digits(4)}`
    }
  },
  card: (r) => {
    const kind = r.int(0, 4)
    if (kind === 0) {
      const n = `3${r.pick(['4', '7'])}${r.digits(12)}`
      const full = n + luhnDigit(n)
      return r.next() < 0.5 ? full : `${full.slice(0, 4)} ${full.slice(4, 10)} ${full.slice(10)}`
    }
    const prefix = kind === 1 ? '4' : kind === 2 ? String(r.int(51, 55)) : kind === 3 ? '6011' : '4'
    const len = kind === 4 ? 19 : 16
    const n = prefix + r.digits(len - 1 - prefix.length)
    const full = n + luhnDigit(n)
    return len === 19 ? full : group(full, 4, r.pick(['', ' ', '-']))
  },
  iban: (r) => {
    const [cc, bban] = r.pick([
      ['DE', () => r.digits(18)],
      ['GB', () => `NWBK${r.digits(14)}`],
      ['FR', () => `${r.digits(10)}A${r.digits(12)}`],
      ['NL', () => `ABNA${r.digits(10)}`],
      ['ES', () => r.digits(20)],
      ['IT', () => `X${r.digits(10)}${r.digits(12)}`],
      ['BE', () => r.digits(12)],
      ['PL', () => r.digits(24)],
      ['CH', () => r.digits(17)],
      ['AT', () => r.digits(16)],
    ] as const)
    const b = bban()
    const compact = `${cc}${String(98 - mod97(`${b}${cc}00`)).padStart(2, '0')}${b}`
    return r.next() < 0.5 ? compact : group(compact, 4, ' ')
  },
  us_ssn: (r) => {
    let area = r.int(1, 899)
    if (area === 666) area = 667
    const sep = r.pick(['-', '-', ' '])
    return `${String(area).padStart(3, '0')}${sep}${String(r.int(1, 99)).padStart(2, '0')}${sep}${String(r.int(1, 9999)).padStart(4, '0')}`
  },
  ip: (r) =>
    r.next() < 0.2
      ? `2001:db8:${r.int(1, 65535).toString(16)}::${r.int(1, 4095).toString(16)}`
      : `${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
  uk_nino: (r) => {
    const a = r.pick('ABCEGHJKLMNPRSTWXYZ'.split(''))
    const b = r.pick('ABCEGHJKLMNPRSTWXY'.split(''))
    const prefix = ['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'].includes(a + b) ? 'AB' : a + b
    const d = r.digits(6)
    const suffix = r.pick(['A', 'B', 'C', 'D'])
    return r.next() < 0.5
      ? `${prefix}${d}${suffix}`
      : `${prefix} ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4)} ${suffix}`
  },
  es_nif: (r) => {
    const n = r.int(1_000_000, 99_999_999)
    return `${String(n).padStart(8, '0')}${'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}`
  },
  pl_pesel: (r) => {
    const d = `${r.digits(2)}${String(r.int(1, 12) + r.pick([0, 20])).padStart(2, '0')}${String(r.int(1, 28)).padStart(2, '0')}${r.digits(4)}`
    const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    let sum = 0
    for (let i = 0; i < 10; i++) sum += Number(d[i]) * (w[i] as number)
    return d + String((10 - (sum % 10)) % 10)
  },
  nl_bsn: (r) => {
    for (;;) {
      const d = String(r.int(10_000_000, 99_999_999)).padStart(8, '0')
      let sum = 0
      for (let i = 0; i < 8; i++) sum += Number(d[i]) * (9 - i)
      const check = sum % 11
      if (check <= 9) return d + String(check)
    }
  },
  dob: (r) => {
    const y = r.int(1940, 2005)
    const m = r.int(1, 12)
    const d = r.int(1, 28)
    switch (r.int(0, 3)) {
      case 0:
        return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
      case 1:
        return `${d}.${m}.${y}`
      case 2:
        return `${m}/${d}/${y}`
      default:
        return `${d} ${['January', 'March', 'May', 'July', 'October', 'December'][m % 6]} ${y}`
    }
  },
}

/** Kinds the corpus plants. */
export const CORPUS_KINDS = Object.keys(MAKERS) as Kind[]

// Templates: `{v}` is the planted value, `{n}` a name, `{x}` a look-alike.
const TEMPLATES: Record<string, readonly string[]> = {
  email: [
    'Please write to {v} about order {x}.',
    '{"user":"{n}","email":"{v}","ref":"{x}"}',
    'Sent from {v} ({x})',
    'contact={v} took={x}',
  ],
  phone: [
    'Call {n} on {v} after 5pm, ticket {x}.',
    '{"phone":"{v}","amount":"{x}"}',
    'Phone: {v}; order {x}',
    'callback {v} requested by {n}, {x}',
  ],
  card: [
    'Card {v} was declined, ref {x}.',
    '{"pan":"{v}","order":"{x}"}',
    'charged {x} to {v} for {n}',
    'card={v} status=402 {x}',
  ],
  iban: [
    'Refund to IBAN {v} for invoice {x}.',
    '{"iban":"{v}","total":"{x}"}',
    'Bank account {v}, holder {n}, {x}',
    'payout iban={v} {x}',
  ],
  us_ssn: [
    'SSN {v} on the W-4 of {n}, form {x}.',
    '{"ssn":"{v}","ref":"{x}"}',
    'social security number: {v} ({x})',
    'employee {n} ssn={v} {x}',
  ],
  ip: [
    'Login from {v} at {x}.',
    '{"client_ip":"{v}","took":"{x}"}',
    'blocked {v} after 5 attempts, {x}',
    'remote_addr={v} {x}',
  ],
  uk_nino: ['NI number {v} for {n}, payroll {x}.', '{"nino":"{v}","ref":"{x}"}', 'National Insurance: {v} {x}'],
  es_nif: ['NIF {v} del cliente {n}, pedido {x}.', '{"nif":"{v}","order":"{x}"}', 'DNI: {v} ({x})'],
  pl_pesel: ['PESEL {v} pacjenta {n}, {x}.', '{"pesel":"{v}","ref":"{x}"}'],
  nl_bsn: ['BSN {v} van {n}, dossier {x}.', '{"bsn":"{v}","ref":"{x}"}'],
  dob: ['Date of birth: {v}, patient {n}, visit {x}.', '{"dob":"{v}","ref":"{x}"}', '{n} was born on {v} ({x})'],
}

const LOOKALIKES: ((r: Rng) => string)[] = [
  (r) => `#${r.digits(6)}`,
  (r) => `INV-2024-${r.digits(5)}`,
  (r) => `${r.int(1, 9999)}.${r.digits(2)} EUR`,
  (r) => `v${r.int(1, 9)}.${r.int(0, 20)}.${r.int(0, 99)}`,
  (r) => `2024-0${r.int(1, 9)}-1${r.int(0, 9)}T0${r.int(0, 9)}:${r.int(10, 59)}:${r.int(10, 59)}Z`,
  (r) => `${r.digits(8)}-${r.digits(4)}-4${r.digits(3)}-a${r.digits(3)}-${r.digits(12)}`,
  (r) => `${r.int(1, 5000)}ms`,
  (r) => {
    // 16 digits that fail the Luhn check
    const n = `4${r.digits(14)}`
    return n + String((Number(luhnDigit(n)) + 1) % 10)
  },
  (r) => {
    // A German IBAN whose check digits are wrong
    const b = r.digits(18)
    const check = 98 - mod97(`${b}DE00`)
    return `DE${String(((check + r.int(1, 90)) % 97) + 2).padStart(2, '0')}${b}`
  },
  (r) =>
    `${r.pick(['000', '666', '9' + r.digits(2)])}-${r.digits(2).replace(/^0/, '1')}-${r.digits(4).replace(/^0/, '1')}`,
  (r) => `order ${r.digits(9)}`,
  (r) => `12:${r.int(10, 59)}:${r.int(10, 59)}`,
]

/**
 * Builds `count` labelled sentences, deterministic for a seed: kinds in turn, a template, a value and one or two
 * look-alikes; about one sentence in five carries a second planted value (an email or phone) too.
 */
export function buildCorpus(count: number, seed = 9): LabelledSentence[] {
  const r = rng(seed)
  const out: LabelledSentence[] = []
  for (let i = 0; i < count; i++) {
    const kind = CORPUS_KINDS[i % CORPUS_KINDS.length] as Kind
    const template = r.pick(TEMPLATES[kind] as readonly string[])
    const spans: LabelledSpan[] = []
    let text = ''
    for (const piece of template.split(/(\{[vnx]\})/)) {
      if (piece === '{v}') {
        const v = (MAKERS[kind] as (r: Rng) => string)(r)
        spans.push({ kind, start: text.length, end: text.length + v.length })
        text += v
      } else if (piece === '{n}') text += r.pick(NAMES)
      else if (piece === '{x}') text += r.pick(LOOKALIKES)(r)
      else text += piece
    }
    if (r.next() < 0.2) {
      const extra = r.next() < 0.5 ? 'email' : 'phone'
      const v = (MAKERS[extra] as (r: Rng) => string)(r)
      text += ` Reply to ${v} please.`
      spans.push({ kind: extra, start: text.length - v.length - 8, end: text.length - 8 })
    }
    out.push({ text, spans })
  }
  return out
}
