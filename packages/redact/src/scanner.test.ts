import { describe, expect, it } from 'vitest'
import { found } from './detectors/test-kit.test-helper'

// One scanner serves every call (`scan` sets it to each text): what a text leaves behind (a context word near its
// end, a broken IBAN run) must not reach the next text, whose positions start at 0 again.
describe('one scanner for every call', () => {
  it.each([
    ['date-of-birth word', 'born', 'date: 05/01/1990', 'born 05/01/1990'],
    ['phone key', 'phone', '     4915112345678', 'phone 4915112345678'],
    ['broken IBAN run', 'DE89 1234 5678', '030 12345678', 'DE89 1234 5678 030 12345678'],
  ])('carries no %s over to the next text', (_, before, text, inOneText) => {
    const alone = found(text)
    // In one text, what `before` leaves changes what is found (a date of birth, a phone; a card-only run).
    expect(found(inOneText)).not.toEqual(alone)
    found(before)
    expect(found(text)).toEqual(alone)
  })
})
