import { describe, expect, it } from 'vitest'
import { found } from './test-kit.test-helper'

describe('dates of birth', () => {
  it.each([
    ['Italian: data di nascita', 'la mia data di nascita è 23.11.1982.', '23.11.1982'],
    ['Italian: nato il', 'nato il 14/11/1947 a Roma', '14/11/1947'],
    ['Spanish: nacida el', 'nacida el 1988-04-21 en Sevilla', '1988-04-21'],
  ])('%s', (_, text, date) => {
    expect(found(text, ['dob'])).toEqual([`dob:${date}`])
  })

  it('not a version number after a date of birth (`version 8.26.74`)', () => {
    expect(found('data di nascita 08.05.2007 (version 8.26.74)', ['dob'])).toEqual(['dob:08.05.2007'])
  })
})
