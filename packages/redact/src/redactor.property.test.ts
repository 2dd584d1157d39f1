import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createRedactor, type Finding, KINDS, type Kind, type RedactStreamOptions } from './index'
import { LABELS } from './kinds'

const SECRET = 'property-secret-0123456789abcdef'

// ---- values to plant, built here with checksum code of their own (not the package's) ---------------------------

const digits = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''))

/** The Luhn check digit that completes `payload`: every second digit from the right of the payload doubled. */
function luhnCheckDigit(payload: string): string {
  let sum = 0
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i])
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  }
  return String((10 - (sum % 10)) % 10)
}

// Issuer prefixes with the lengths they are issued in.
const ISSUERS: [fc.Arbitrary<string>, number][] = [
  [fc.constant('4'), 16], // Visa
  [fc.constant('4'), 13],
  [fc.integer({ min: 51, max: 55 }).map(String), 16], // Mastercard
  [fc.integer({ min: 2221, max: 2720 }).map(String), 16], // Mastercard 2-series
  [fc.constantFrom('34', '37'), 15], // Amex
  [fc.constant('6011'), 16], // Discover
]

const cardDigits = fc
  .oneof(...ISSUERS.map(([prefix, length]) => fc.tuple(prefix, fc.constant(length))))
  .chain(([prefix, length]) => digits(length - prefix.length - 1).map((body) => prefix + body))
  .map((payload) => payload + luhnCheckDigit(payload))

/** Cards as people write them: compact, or grouped by spaces or dashes (Amex 4-6-5). */
const card = fc.tuple(cardDigits, fc.constantFrom('', ' ', '-')).map(([d, sep]) => {
  if (sep === '' || d.length === 13) return d
  const groups = d.length === 15 ? [d.slice(0, 4), d.slice(4, 10), d.slice(10)] : d.match(/.{1,4}/g)
  return (groups ?? []).join(sep)
})

/** ISO 7064 MOD 97-10 over the IBAN moved round (country and check to the end), letters as 10–35. */
function mod97(iban: string): number {
  const moved = iban.slice(4) + iban.slice(0, 4)
  let rest = 0
  for (const ch of moved) {
    const v = ch >= 'A' && ch <= 'Z' ? ch.charCodeAt(0) - 55 : Number(ch)
    rest = v >= 10 ? (rest * 100 + v) % 97 : (rest * 10 + v) % 97
  }
  return rest
}

const upper = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 65, max: 90 }), { minLength: n, maxLength: n }).map((c) => String.fromCharCode(...c))

// BBAN layouts from the SWIFT registry (letters where the bank code is letters).
const BBANS: Record<string, fc.Arbitrary<string>> = {
  DE: digits(18),
  FR: digits(23),
  ES: digits(20),
  BE: digits(12),
  GB: fc.tuple(upper(4), digits(14)).map(([a, b]) => a + b),
  NL: fc.tuple(upper(4), digits(10)).map(([a, b]) => a + b),
  IT: fc.tuple(upper(1), digits(22)).map(([a, b]) => a + b),
  CH: digits(17),
}

const ibanCompact = fc
  .constantFrom(...Object.keys(BBANS))
  .chain((country) => (BBANS[country] as fc.Arbitrary<string>).map((bban) => ({ country, bban })))
  .map(({ country, bban }) => {
    const check = 98 - mod97(`${country}00${bban}`)
    const iban = `${country}${String(check).padStart(2, '0')}${bban}`
    if (mod97(iban) !== 1) throw new Error(`test bug: ${iban} fails its own check`)
    return iban
  })

/** IBANs compact or in groups of four separated by spaces or dashes. */
const iban = fc
  .tuple(ibanCompact, fc.constantFrom('', ' ', '-'))
  .map(([compact, sep]) => (sep === '' ? compact : (compact.match(/.{1,4}/g) ?? []).join(sep)))

const chars = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength: min, maxLength: max })
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

const label = fc
  .tuple(chars(ALNUM, 1, 1), chars(`${ALNUM}-`, 0, 8), chars(ALNUM, 1, 1))
  .map(([a, b, c]) => (b === '' ? a : a + b + c))
const email = fc
  .tuple(
    chars(ALNUM, 1, 1),
    chars(`${ALNUM}._%+-`, 0, 14),
    fc.array(label, { minLength: 1, maxLength: 3 }),
    chars('abcdefghijklmnopqrstuvwxyz', 2, 6),
  )
  .map(([first, rest, labels, tld]) => `${first}${rest}@${labels.join('.')}.${tld}`)

const planted = fc.oneof(card, iban, email)

// ---- text around them -------------------------------------------------------------------------------------------

// Pieces of text that mean something to the scanner: context words, triggers, near-misses, controls, odd Unicode.
const TOKENS = [
  ' ',
  '\n',
  '\r\n',
  '\t',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\ud83d\ude00',
  'é',
  '@',
  '+',
  '(',
  ')',
  ':',
  '::',
  '.',
  '-',
  '/',
  '=',
  '"',
  "'",
  '\\',
  '%',
  'password=',
  'password="',
  "token: '",
  'token: ',
  'Authorization: Basic ',
  'Cookie: ',
  'Bearer ',
  'signature=',
  'born ',
  'DOB:',
  'date of birth ',
  'ssn ',
  'bsn ',
  'order ',
  'ref ',
  'May ',
  '5 May 1990',
  '1990-05-12',
  '12.05.1990',
  '2024-05-01T00:00:01Z',
  '078-05-1123',
  '111222333',
  '+44 20 7946 0018',
  '(415) 555-0132',
  '10.1.2.3',
  'fe80::1%eth0',
  'AKIAIOSFODNN7EXAMPLE',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
  'https://',
  'user:pw@',
  'AB 12 34 56 C',
  'X1234567L',
  '4111',
  'DE89',
  '0',
  '1',
  '9',
  'a',
  'Z',
]

const digitRun = fc.oneof(
  chars('0123456789', 10, 3000),
  fc
    .tuple(fc.integer({ min: 1, max: 400 }), fc.constantFrom(' ', '-', '.', '/'))
    .map(([n, sep]) => Array.from({ length: n }, (_, i) => String(1000 + ((i * 7919) % 9000))).join(sep)),
)

const tokenText = fc
  .array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 4 }), digitRun), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''))

/** A quoted value left open, or ending in an escape: at the end of the text or before a line break. */
const unterminated = fc
  .tuple(
    tokenText,
    fc.constantFrom('password="', "token: '", 'Cookie: "', '{"secret": "', "api_key='"),
    fc.string({ unit: fc.constantFrom('a', 'Z', '9', ' ', '"', "'", '\\'), maxLength: 8 }),
    fc.constantFrom('', '\\', '\\\n', '\\\r\n', '\n'),
    fc.oneof(fc.constant(''), tokenText),
  )
  .map((parts) => parts.join(''))

/** Any text: full Unicode code units (lone surrogates included), scanner tokens, long digit runs. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  tokenText,
  unterminated,
)

/** Filler between planted values: any text, or words and tokens, possibly several lines. */
const filler = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...TOKENS),
        fc.constantFrom('the', 'paid', 'to', 'from', 'and'),
        // a code shaped like the start of an IBAN, then words
        fc.constantFrom('DE89 the', 'AT61 paid to', 'GB29 x', 'FR76 seat 12'),
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join(' ')),
)

// A value is set apart from the filler by a space, a line break or punctuation that ends a word.
const before = fc.constantFrom(' ', '\n', '\r\n', '\t', ' (', ': ', ', ', ' "', ' <', '\n- ')
const after = fc.constantFrom(' ', '\n', '\r\n', '\t', ') ', ', ', '. ', '; ', '" ', '> ', '! ')

// After a code shaped like the start of an IBAN, a space joins a value to a run of groups that reads as a broken
// IBAN (`DE89 4111 1111 1111 1111 10`), which is skipped: the shared vectors want nothing found in
// `RS35 2600 0560 1001 6113 70`, card-like digits included. Such a value is set apart by a comma instead.
const IBAN_CODE_BEFORE = /[A-Z]{2}\d\d(?: [A-Za-z0-9]{4})*$/

/** Filler with values planted at random places: the text and the values. */
const plantedText = (fillers: fc.Arbitrary<string>) =>
  fc
    .tuple(fillers, fc.array(fc.tuple(before, planted, after, fillers), { minLength: 1, maxLength: 6 }))
    .map(([head, parts]) => {
      let text = head
      for (const [b, value, a, tail] of parts) {
        text += (b === ' ' && IBAN_CODE_BEFORE.test(text) ? ', ' : b) + value + a + tail
      }
      return { text, values: parts.map(([, value]) => value) }
    })

// ---- checks -----------------------------------------------------------------------------------------------------

// Every detector name; a finding holds one of these, its kind, and numbers: nothing that could carry the value.
const DETECTORS = new Set([
  'email',
  'phone-e164',
  'phone-nanp',
  'phone-national',
  'phone-cn-mobile',
  'card-luhn',
  'iban-mod97',
  'us-ssn',
  'uk-nino',
  'de-tax-id',
  'es-nif',
  'es-nie',
  'pl-pesel',
  'nl-bsn',
  'in-aadhaar-verhoeff',
  'ipv4',
  'ipv6',
  'date-of-birth',
  'jwt',
  'auth-header',
  'cookie',
  'bearer-token',
  'aws-access-key-id',
  'pem-private-key',
  'url-userinfo',
  'secret-key',
  'query-param',
  'high-entropy',
])

function expectWellFormed(text: string, findings: readonly Finding[]): void {
  let last = 0
  for (const f of findings) {
    expect(Object.keys(f).sort()).toEqual(['confidence', 'detector', 'kind', 'length', 'offset'])
    expect(KINDS).toContain(f.kind)
    expect(DETECTORS).toContain(f.detector)
    expect(f.confidence).toBeGreaterThanOrEqual(0.3)
    expect(f.confidence).toBeLessThanOrEqual(1)
    const offset = f.offset as number
    expect(Number.isInteger(offset) && Number.isInteger(f.length)).toBe(true)
    expect(f.length).toBeGreaterThan(0)
    expect(offset).toBeGreaterThanOrEqual(last)
    last = offset + f.length
    expect(last).toBeLessThanOrEqual(text.length)
  }
}

/** `text` with each finding's span replaced by `by(kind)`. */
function replaced(text: string, findings: readonly Finding[], by: (kind: Kind) => string): string {
  let out = ''
  let last = 0
  for (const f of findings) {
    const offset = f.offset as number
    out += text.slice(last, offset) + by(f.kind)
    last = offset + f.length
  }
  return out + text.slice(last)
}

async function streamed(
  chunks: readonly (string | Buffer)[],
  options?: RedactStreamOptions,
): Promise<{ text: string; findings: Finding[] }> {
  const stream = createRedactor().redactStream(options)
  const findings: Finding[] = []
  stream.on('finding', (f: Finding) => findings.push(f))
  let text = ''
  await pipeline(
    Readable.from(chunks),
    stream,
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        text += chunk.toString()
        callback()
      },
    }),
  )
  return { text, findings }
}

/** Splits `whole` at the given points (taken modulo its length), so pieces may cut through any value. */
function split<T extends string | Buffer>(whole: T, points: readonly number[]): T[] {
  const cuts = [...new Set(points.map((p) => (whole.length === 0 ? 0 : p % (whole.length + 1))))].sort((a, b) => a - b)
  const pieces: T[] = []
  let from = 0
  for (const cut of [...cuts, whole.length]) {
    pieces.push(whole.slice(from, cut) as T)
    from = cut
  }
  return pieces
}

// ---- properties -------------------------------------------------------------------------------------------------

describe('redactString on hostile input', () => {
  const redact = createRedactor()
  const others = (['mask', 'hash', 'tokenise', 'drop'] as const).map((action) => ({
    action,
    redactor: createRedactor({ actions: { default: action }, secret: SECRET }),
  }))

  it('never throws; findings lie inside the input, in order, without overlaps, and hold no value', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const { text: out, findings } = redact.redactString(text)
        expectWellFormed(text, findings)
        // The output is the input with exactly the reported spans replaced by their labels.
        expect(out).toBe(replaced(text, findings, (kind) => LABELS[kind]))
      }),
      { numRuns: 300 },
    )
  })

  it('finds the same spans whatever the action, and drop removes exactly those spans', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const { findings } = redact.redactString(text)
        for (const { action, redactor } of others) {
          const result = redactor.redactString(text)
          expect(result.findings).toEqual(findings)
          if (action === 'drop') expect(result.text).toBe(replaced(text, findings, () => ''))
        }
      }),
      { numRuns: 100 },
    )
  })
})

describe('planted values', () => {
  it('the generated values pass the checks they are planted for', () => {
    fc.assert(
      fc.property(cardDigits, ibanCompact, (digits, compact) => {
        expect(luhnCheckDigit(digits.slice(0, -1))).toBe(digits.slice(-1))
        expect(mod97(compact)).toBe(1)
        // a wrong check digit would be caught
        const wrong = `${digits.slice(0, -1)}${(Number(digits.slice(-1)) + 1) % 10}`
        expect(luhnCheckDigit(wrong.slice(0, -1))).not.toBe(wrong.slice(-1))
      }),
      { numRuns: 50 },
    )
    // Published examples, as a check on the checksum code above.
    expect(luhnCheckDigit('411111111111111')).toBe('1')
    expect(luhnCheckDigit('37828224631000')).toBe('5')
    expect(mod97('DE89370400440532013000')).toBe(1)
    expect(mod97('GB82WEST12345698765432')).toBe(1)
  })

  it('never appear verbatim in the output of redactString, wherever they are planted', () => {
    const redactor = createRedactor()
    fc.assert(
      fc.property(plantedText(filler), ({ text, values }) => {
        const out = redactor.redactString(text).text
        for (const value of values) expect(out).not.toContain(value)
      }),
      { numRuns: 300 },
    )
  })
})

describe('redactStream', () => {
  // Documented: output is cut at line breaks (and before an unfinished PEM key); a value split across chunks is
  // still found, and findings carry offsets into the whole input. With the default maxBuffer, the text and findings
  // are the ones redactString gives for the whole input, however it is chunked.
  // Context words count for 40 characters, across line breaks too (`born\n1990-05-12`): lines of them.
  const CONTEXT = ['born', 'DOB:', 'ssn', 'bsn', 'order', 'ref', 'May', '1990-05-12', '5 May 1990', '111222333', '12']
  const lines = fc.oneof(
    filler,
    fc.array(fc.constantFrom(...TOKENS, '\n', '\n\n'), { maxLength: 16 }).map((parts) => parts.join('')),
    fc.array(fc.constantFrom(...CONTEXT, ' ', '\n', '\r\n', '\n\n'), { maxLength: 16 }).map((parts) => parts.join('')),
    unterminated,
  )

  it('gives the text and findings of redactString on the whole input, for any split into string chunks', async () => {
    const redactor = createRedactor()
    await fc.assert(
      fc.asyncProperty(plantedText(lines), fc.array(fc.nat(), { maxLength: 8 }), async ({ text }, points) => {
        const whole = redactor.redactString(text)
        const got = await streamed(split(text, points))
        // The output is bytes: a lone surrogate comes out as U+FFFD, as Buffer.from writes it.
        expect(got.text).toBe(Buffer.from(whole.text).toString('utf8'))
        expect(got.findings).toEqual(whole.findings)
      }),
      { numRuns: 200 },
    )
  })

  it('gives the same result for any split of the UTF-8 bytes, inside characters too', async () => {
    const redactor = createRedactor()
    await fc.assert(
      fc.asyncProperty(plantedText(lines), fc.array(fc.nat(), { maxLength: 8 }), async ({ text }, points) => {
        const bytes = Buffer.from(text)
        const whole = redactor.redactString(bytes.toString('utf8'))
        const got = await streamed(split(bytes, points))
        expect(got.text).toBe(whole.text)
        expect(got.findings).toEqual(whole.findings)
      }),
      { numRuns: 100 },
    )
  })

  it('holds a PEM private key together wherever the chunks are cut', async () => {
    const redactor = createRedactor()
    const pem = fc
      .tuple(
        fc.constantFrom('', 'RSA ', 'EC ', 'ENCRYPTED '),
        fc.array(chars(`${ALNUM}+/`, 1, 64), { minLength: 1, maxLength: 4 }),
      )
      .map(([type, body]) => `-----BEGIN ${type}PRIVATE KEY-----\n${body.join('\n')}\n-----END ${type}PRIVATE KEY-----`)
    await fc.assert(
      fc.asyncProperty(lines, pem, lines, fc.array(fc.nat(), { maxLength: 8 }), async (head, key, tail, points) => {
        const text = `${head}\n${key}\n${tail}`
        const whole = redactor.redactString(text)
        expect(whole.text).not.toContain('PRIVATE KEY-----\n')
        const got = await streamed(split(text, points))
        expect(got.text).toBe(Buffer.from(whole.text).toString('utf8'))
        expect(got.findings).toEqual(whole.findings)
      }),
      { numRuns: 150 },
    )
  })

  it('releases long text without line breaks in pieces, keeping characters whole and planted values out', async () => {
    const oneLine = fc.string({
      unit: fc.oneof(
        fc.constantFrom(...'abc xyz,;:()0123456789'.split('')),
        fc.constantFrom('é', '\u{1F600}', '\u{10FFFF}'),
      ),
      maxLength: 120,
    })
    await fc.assert(
      fc.asyncProperty(plantedText(oneLine), fc.array(fc.nat(), { maxLength: 12 }), async (planted, points) => {
        const { values } = planted
        const text = planted.text.replace(/\r?\n/g, ' ')
        const got = await streamed(split(text, points), { maxBuffer: 128, overlap: 64 })
        for (const value of values) expect(got.text).not.toContain(value)
        expect(got.text).not.toContain('\ufffd')
        expectWellFormed(text, got.findings)
      }),
      { numRuns: 150 },
    )
  })
})

describe('redactObject on arbitrary values', () => {
  // Strings and numbers worth redacting, among ordinary ones.
  const leaves = [
    plantedText(filler).map(({ text }) => text),
    planted,
    cardDigits.map(Number),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.integer(),
    fc.double(),
  ]
  // Keys that name secrets, and keys that mean something to JavaScript objects.
  const key = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'password', 'token', 'authorization', 'email', '0'),
  )
  const jsonLike = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.anything({
      key,
      maxDepth: 4,
      values: leaves,
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withBigInt: true,
      withObjectString: true,
    }),
  )

  /** The objects and arrays inside `value`, each once. */
  function containers(value: unknown, into: object[] = [], seen = new Set<unknown>()): object[] {
    if (typeof value !== 'object' || value === null || seen.has(value) || ArrayBuffer.isView(value)) return into
    seen.add(value)
    if (value instanceof Date) return into
    into.push(value)
    const children = value instanceof Map || value instanceof Set ? [...value.values()] : Object.values(value)
    for (const child of children) containers(child, into, seen)
    return into
  }

  /** Adds references from some containers to others (itself, a parent, a sibling): cycles and shared parts. */
  const withCycles = fc
    .tuple(jsonLike, fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 6 })), { maxLength: 4 }))
    .map(([value, links]) => {
      const nodes = containers(value)
      if (nodes.length === 0) return value
      for (const [from, to, key] of links) {
        const a = nodes[from % nodes.length] as Record<string, unknown>
        const b = nodes[to % nodes.length]
        if (Array.isArray(a)) a.push(b)
        else if (a instanceof Map) a.set(key, b)
        else if (a instanceof Set) a.add(b)
        else Object.defineProperty(a, `link_${key}`, { value: b, enumerable: true, writable: true, configurable: true })
      }
      return value
    })

  /**
   * `copy` has the shape of `input`: same containers, keys and lengths, leaves redacted only where text was; values
   * under the key `whole` (a key path) are replaced whole by a string.
   */
  function expectSameShape(
    input: unknown,
    copy: unknown,
    whole: string | undefined,
    pairs = new Map<object, unknown>(),
  ): void {
    const child = (name: unknown, value: unknown, copied: unknown): void => {
      if (whole !== undefined && name === whole && value !== undefined && value !== null) {
        expect(typeof copied).toBe('string')
      } else expectSameShape(value, copied, whole, pairs)
    }
    if (typeof input === 'number' && Number.isInteger(input) && Math.abs(input) >= 1e8 && typeof copy === 'string')
      return // a card or phone number arriving as a JSON number is redacted to a string
    if (typeof input !== 'object' || input === null) {
      if (typeof input === 'string') expect(typeof copy).toBe('string')
      else expect(Object.is(copy, input)).toBe(true)
      return
    }
    // The same object reached twice (a cycle, a shared part) is the same copy twice.
    if (pairs.has(input)) {
      expect(copy).toBe(pairs.get(input))
      return
    }
    expect(copy).not.toBe(input)
    expect(typeof copy).toBe('object')
    pairs.set(input, copy)
    const out = copy as object
    expect(Object.getPrototypeOf(out)).toBe(Object.getPrototypeOf(input))
    if (input instanceof Date) {
      expect(Object.is((out as Date).getTime(), input.getTime())).toBe(true)
    } else if (ArrayBuffer.isView(input)) {
      expect(out).toEqual(input)
    } else if (input instanceof Map) {
      const m = out as Map<unknown, unknown>
      expect([...m.keys()]).toEqual([...input.keys()])
      for (const [k, v] of input) child(k instanceof String ? String(k) : k, v, m.get(k))
    } else if (input instanceof Set) {
      // Distinct values may redact to one label, so a Set may only shrink.
      expect((out as Set<unknown>).size).toBeLessThanOrEqual(input.size)
    } else if (Array.isArray(input)) {
      // A hole in a sparse array comes back as undefined.
      expect(Array.isArray(out)).toBe(true)
      expect((out as unknown[]).length).toBe(input.length)
      for (let i = 0; i < input.length; i++) child(String(i), input[i], (out as unknown[])[i])
    } else {
      expect(Object.keys(out)).toEqual(Object.keys(input))
      for (const key of Object.keys(input)) {
        const own = Object.getOwnPropertyDescriptor(out, key)
        expect(own, `own property ${JSON.stringify(key)}`).toBeDefined()
        child(key, (input as Record<string, unknown>)[key], own?.value)
      }
    }
  }

  it('never throws, never changes the input and returns a copy of the same shape, cycles included', () => {
    const redactors = [
      { redactor: createRedactor(), whole: undefined },
      {
        redactor: createRedactor({ actions: { default: 'tokenise' }, secret: SECRET, keys: ['**.password'] }),
        whole: 'password',
      },
    ]
    fc.assert(
      fc.property(withCycles, (input) => {
        const before = structuredClone(input)
        for (const { redactor, whole } of redactors) {
          const { value, findings } = redactor.redactObject(input)
          expect(input).toEqual(before)
          expectSameShape(input, value, whole)
          for (const f of findings) expect(typeof f.path).toBe('string')
        }
      }),
      { numRuns: 200 },
    )
  })

  it('redacts every planted value inside a JSON value, wherever it sits', () => {
    const redactor = createRedactor()
    class Leaf {
      constructor(readonly planted: { text: string; values: string[] }) {}
    }
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        plantedText(filler).map((p) => new Leaf(p)),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 3 }),
      ),
    })).node
    /** The tree with each leaf replaced by its text; the planted values go to `values`. */
    const materialise = (node: unknown, values: string[]): unknown => {
      if (node instanceof Leaf) {
        values.push(...node.planted.values)
        return node.planted.text
      }
      if (Array.isArray(node)) return node.map((n) => materialise(n, values))
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(node as object)) {
        Object.defineProperty(out, k, {
          value: materialise(v, values),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      return out
    }
    fc.assert(
      fc.property(tree, (node) => {
        const values: string[] = []
        const input = materialise(node, values)
        const out = JSON.stringify(redactor.redactObject(input).value)
        for (const value of values) expect(out).not.toContain(JSON.stringify(value).slice(1, -1))
      }),
      { numRuns: 100 },
    )
  })
})
