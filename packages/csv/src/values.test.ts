import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileDateFormat, parseDate, parseNumber } from './values'

describe('parseNumber, plain decimals', () => {
  // The fast path sums the digits itself instead of calling Number(); Number() is the oracle here.
  const plain = fc
    .tuple(
      fc.boolean(),
      fc.stringMatching(/^[0-9]{1,17}$/),
      fc.option(fc.stringMatching(/^[0-9]{1,16}$/), { nil: undefined }),
    )
    .filter(([minus, int, frac]) => (minus ? 1 : 0) + int.length + (frac === undefined ? 0 : frac.length + 1) <= 18)
    .map(([minus, int, frac]) => `${minus ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`)

  it('gives exactly the double Number() gives, -0 included, for every plain decimal up to 18 characters', () => {
    fc.assert(
      fc.property(plain, (s) => {
        expect(Object.is(parseNumber(s, '.'), Number(s))).toBe(true)
      }),
      { numRuns: 5000 },
    )
  })

  it.each([
    ['0.1', 0.1],
    ['-0', -0],
    ['9007199254740993', 9007199254740992], // beyond 2^53: rounded as Number() rounds it
    ['123456789012345678', 123456789012345680],
    ['0.30000000000000004', 0.30000000000000004],
    ['00012.50', 12.5],
    ['2353.16', 2353.16],
  ])('reads %s as %d', (text, value) => {
    expect(Object.is(parseNumber(text, '.'), value)).toBe(true)
  })
})

describe('parseDate, a declared format that is not ISO 8601', () => {
  const rules = { formats: [compileDateFormat('DD/MM/YYYY')], excelSerials: true, order: undefined }
  it.each([
    ['01/08/1941', Date.UTC(1941, 7, 1)],
    ['29/02/2024', Date.UTC(2024, 1, 29)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2024-02-29T10:00:00+01:00', Date.UTC(2024, 1, 29, 9)],
  ])('reads %s', (text, ms) => {
    expect((parseDate(text, rules) as Date).getTime()).toBe(ms)
  })
  it('refuses 30/02/2024 and 2024/02/29 with the format it expected', () => {
    expect(parseDate('30/02/2024', rules)).toMatchObject({ code: 'invalid_date' })
    expect(parseDate('2024/02/29', rules)).toMatchObject({ code: 'invalid_date', message: /DD\/MM\/YYYY/ })
  })
})

describe('parseNumber, comma decimals', () => {
  // with a comma decimal the fast path reads `1234,56` itself; the full reading (grouping, signs) is the oracle
  const viaFull = (s: string) => parseNumber(` ${s} `, ',') // a padded cell skips the fast path
  it('reads every plain comma decimal as the full reading does', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.stringMatching(/^[0-9]{1,9}$/),
        fc.stringMatching(/^[0-9]{1,6}$/),
        (minus, int, frac) => {
          const s = `${minus ? '-' : ''}${int},${frac}`
          expect(Object.is(parseNumber(s, ','), viaFull(s))).toBe(true)
          expect(parseNumber(s, ',')).toBe(Number(`${minus ? '-' : ''}${int}.${frac}`))
        },
      ),
      { numRuns: 3000 },
    )
  })
  it.each([
    ['1234,56', ',', 1234.56],
    ['1.234', ',', 1234],
    ['1,234', ',', 1.234],
    ['-0,5', ',', -0.5],
  ])('reads %s with decimal %s as %d', (text, decimal, value) => {
    expect(parseNumber(text, decimal as ',')).toBe(value)
  })
  it('leaves 1,5 to the full reading when the decimal is a point', () => {
    expect(parseNumber('1,5', '.')).toMatchObject({ code: 'invalid_number' })
  })
  it('refuses 12.5 where the decimal is a comma, as the full reading does ("." only groups thousands there)', () => {
    expect(parseNumber('12.5', ',')).toMatchObject({ code: 'invalid_number', message: /only group thousands/ })
    expect(parseNumber(' 12.5 ', ',')).toMatchObject({ code: 'invalid_number' })
    expect(parseNumber('0.5', ',')).toMatchObject({ code: 'invalid_number' })
    expect(parseNumber('12.500', ',')).toBe(12500)
  })
})

describe('parseNumber, the fast path agrees with the full reading', () => {
  // every plain number with at most one separator, under each decimal rule: the same number, or an issue of the
  // same code (the full reading is reached by padding the cell, which the fast path does not take)
  it('for "." and "," under a point, a comma and no declared decimal', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.stringMatching(/^[0-9]{1,8}$/),
        fc.option(fc.tuple(fc.constantFrom('.', ','), fc.stringMatching(/^[0-9]{0,5}$/)), { nil: undefined }),
        fc.constantFrom(',', '.', undefined),
        (minus, int, frac, decimal) => {
          const s = `${minus ? '-' : ''}${int}${frac === undefined ? '' : `${frac[0]}${frac[1]}`}`
          const fast = parseNumber(s, decimal as ',' | '.' | undefined)
          const full = parseNumber(` ${s} `, decimal as ',' | '.' | undefined)
          if (typeof full === 'number') expect(Object.is(fast, full)).toBe(true)
          else expect(fast).toMatchObject({ code: full.code })
        },
      ),
      { numRuns: 5000 },
    )
  })
})
