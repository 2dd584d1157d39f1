import { describe, expect, it } from 'vitest'
import { found } from './test-kit.test-helper'

describe('payment cards', () => {
  it.each([
    ['JCB 15-digit 2131 range', '213112345678904'],
    ['JCB 15-digit 1800 range', '180012345678905'],
    ['19-digit Visa', '4123456789012345677'],
    ['19-digit Mastercard', '5123456789012345676'],
    ['19-digit UnionPay', '6212345678901234569'],
  ])('%s', (_, card) => {
    expect(found(`card ${card} charged`)).toEqual([`card:${card}`])
  })

  it('19-digit Visa grouped 4-4-4-4-3', () => {
    expect(found('card 4123 4567 8901 2345 677 charged')).toEqual(['card:4123 4567 8901 2345 677'])
  })

  it('not a 16-digit number that fails Luhn', () => {
    expect(found('ref 4123456789012346 done', ['card'])).toEqual([])
  })
})

describe('IBAN', () => {
  it.each([
    ['lower case, grouped', 'de89 3704 0044 0532 0130 00'],
    ['lower case, compact', 'de89370400440532013000'],
    ['lower-case letters in the account part', 'gb29 nwbk 6016 1331 9268 19'],
    ['country code in another case than the rest', 'Gb29NWBK60161331926819'],
  ])('%s, when mod 97 holds once upper-cased', (_, iban) => {
    expect(found(`pay to ${iban} today`)).toEqual([`iban:${iban}`])
  })

  it('not a lower-case code whose mod 97 fails', () => {
    expect(found('pay to de88 3704 0044 0532 0130 00 today', ['iban'])).toEqual([])
  })

  it('not a case mixed inside the account part (`LV80 bANK …`, Presidio)', () => {
    expect(found('LV80 bANK 0000 4351 9500 1', ['iban'])).toEqual([])
  })
})
