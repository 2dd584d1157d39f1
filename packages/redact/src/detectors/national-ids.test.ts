import { describe, expect, it } from 'vitest'
import { found } from './test-kit.test-helper'

describe('Spanish NIF and NIE', () => {
  it.each([
    ['NIE with a hyphen before the letter', 'Y8063915-Z'],
    ['NIE with a space before the letter', 'Y8063915 Z'],
    ['NIE joined', 'Y8063915Z'],
    ['NIF with a hyphen before the letter', '12345678-Z'],
    ['NIF with a space before the letter', '12345678 Z'],
    ['NIF joined', '12345678Z'],
  ])('%s: %j', (_, id) => {
    expect(found(`DNI/NIE ${id} verificado`)).toEqual([`es_nif:${id}`])
  })

  it('not a wrong check letter, nor a word after the space', () => {
    expect(found('NIE Y8063915-A and 12345678 Zaragoza', ['es_nif'])).toEqual([])
  })
})
