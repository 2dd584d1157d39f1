import { describe, expect, it } from 'vitest'
import { found } from './test-kit.test-helper'

const phoneIn = (text: string, value: string) => expect(found(text, ['phone'])).toEqual([`phone:${value}`])

describe('phone numbers as people write them', () => {
  it.each(['650 090 232', '93 583 38 42', '681 67 19 41'])('Spanish national number without trunk prefix: %s', (n) =>
    phoneIn(`Llámame al ${n}, gracias`, n),
  )

  it.each(['347 123 4567', '22 12 34 56', '912 345 678'])('national numbers of Italy, Norway, Portugal: %s', (n) =>
    phoneIn(`tel ${n} ok`, n),
  )

  it.each(['0152 75868784', '0151 451 91895'])('German mobile with an 8-digit subscriber number: %s', (n) =>
    phoneIn(`Handy ${n} bitte`, n),
  )

  it.each(['0711/9502144', '0152/20003789'])('German slash form: %s', (n) => phoneIn(`Tel. ${n} (Büro)`, n))

  it.each(['+44 (0)20 7946 0018', '+33 (0)6 12 34 56 78', '+41 (0)71 526 99 04'])(
    '+CC (0) notation, the (0) no digit of the number: %s',
    (n) => phoneIn(`call ${n} today`, n),
  )

  it.each(['0688137401', '07700900123', '0612345678'])('compact national number: %s', (n) =>
    phoneIn(`mobile: ${n}.`, n),
  )

  it.each([
    '415-555-0132x123',
    '(898)666-3621x0135',
    '+1-202-555-0143 ext. 12',
    '415-555-0132 #204',
    '898-666-3621 x 7',
  ])('extension, redacted with the number: %s', (n) => phoneIn(`reach me at ${n} after 5`, n))

  it.each([
    ['082 490 1693', '-Office'],
    ['07700 063 966', '-Fax'],
    ['0711/9502144', '/Zentrale'],
  ])('number joined to a word with a hyphen or slash: %s%s', (n, word) => phoneIn(`${n}${word}`, n))

  it.each(['(898)666-3621', '898.666.3621', '+1 898 666 3621', '1-898-666-3621', '898-666-3621'])('NANP form %s', (n) =>
    phoneIn(`phone ${n}.`, n),
  )

  it.each(['(198)666-3621', '198-666-3621', '898-166-3621', '898-066-3621'])(
    'NANP rule: area code and exchange never start with 0 or 1: not %s',
    (n) => expect(found(`phone ${n}.`, ['phone'])).toEqual([]),
  )
})

describe('phone numbers inside URLs and JSON', () => {
  it('a percent-encoded + in a query: ?phone=%2B4915112345678', () => {
    expect(found('GET /api/users?phone=%2B4915112345678&x=1', ['phone'])).toEqual(['phone:%2B4915112345678'])
  })

  it('a bare international number under a phone key: "msisdn":"4915112345678"', () => {
    expect(found('{"msisdn":"4915112345678","ok":true}')).toEqual(['phone:4915112345678'])
  })

  it('tel: and mailto: links', () => {
    expect(found('<a href="tel:+4915112345678">call</a> <a href="mailto:ann@example.com">mail</a>')).toEqual([
      'phone:+4915112345678',
      'email:ann@example.com',
    ])
  })
})

describe('what is not a phone number, with only the phone detector on', () => {
  it.each([
    ['an SSN', 'SSN 536-22-8726 on file'],
    ['IBAN digit groups', 'GT82 TRAJ 0102 0000 0012 1002 9690'],
    ['card digit groups', 'card 4111 1111 1111 1111'],
    ['an ISO timestamp', '2024-05-01T12:30:45.123Z request'],
    ['an epoch time', 'ts=1714566645123'],
    ['a version', 'version 10.4.3.2201'],
    ['a UUID', 'id 123e4567-e89b-12d3-a456-426614174000'],
    ['an order number', 'order 0612345678 shipped'],
    ['a price', 'total 1 234 567,89 EUR'],
    ['an ISBN', 'ISBN 978-3-16-148410-0'],
  ])('%s', (_, text) => {
    expect(found(text, ['phone'])).toEqual([])
  })
})

describe('phone numbers joined to a word', () => {
  it('not two groups inside a UUID (`…-0603-4105-ba79-…`): the word after the hyphen is no label', () => {
    expect(found('request 2d809f7d-0603-4105-ba79-85181041b055', ['phone'])).toEqual([])
  })

  it('not a lot number written like a slash phone after `lot`', () => {
    expect(found('lot 0968/4036 shipped', ['phone'])).toEqual([])
  })
})
