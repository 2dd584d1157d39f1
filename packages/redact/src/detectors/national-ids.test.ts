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

describe('Aadhaar', () => {
  it('a 12-digit group standing alone, Verhoeff-valid', () => {
    expect(found('aadhaar 2341 2341 2346 ok', ['in_aadhaar'])).toEqual(['in_aadhaar:2341 2341 2346'])
  })

  it('one group of 12 followed by a timestamp after a space (`aadhaar=… 2021-06-10T…`)', () => {
    expect(found('aadhaar=234123412346 2021-06-10T16:10:09.388Z')).toEqual(['in_aadhaar:234123412346'])
  })

  it('not an order number in four-digit groups after a German order word (`Bestellung 6576-2021-1134`)', () => {
    expect(found('Bestellung 6576-2021-1134 versandt', ['in_aadhaar'])).toEqual([])
  })

  it('never the first 12 digits of a 16-digit number, grouped in fours or not', () => {
    const hits: string[] = []
    for (let i = 0; i < 211; i++) {
      const payload = String(23_4100_0000_0 + i * 7_919).padStart(11, '2')
      const twelve = payload + verhoeffCheck(payload)
      const d = `${twelve}${String(1000 + i).slice(-4)}`
      const grouped = d.replace(/(\d{4})(?=\d)/g, '$1 ')
      hits.push(...found(`card ${grouped} declined`, ['in_aadhaar']), ...found(`card ${d} declined`, ['in_aadhaar']))
      expect(found(`id ${twelve} ok`, ['in_aadhaar'])).toHaveLength(1) // the same 12 digits alone are found
    }
    expect(hits).toEqual([])
  })
})

// Verhoeff's tables (dihedral group D5), written here apart from the package's checksum code.
const D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
const P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
const INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]
function verhoeffCheck(payload: string): string {
  let c = 0
  const digits = [...payload].reverse()
  for (let i = 0; i < digits.length; i++) c = D[c]?.[P[(i + 1) % 8]?.[Number(digits[i])] ?? 0] ?? 0
  return String(INV[c])
}

describe('German tax ID', () => {
  // 23901467879 passes both the tax ID's rules and PESEL's; a word naming the tax ID decides.
  it.each(['Steuer-ID', 'German tax ID', 'IdNr', 'tax_id='])('named by %j, read as a tax ID before a PESEL', (word) => {
    expect(found(`${word} 23901467879`)).toEqual(['de_tax_id:23901467879'])
  })

  it('without such a word, the same digits are a PESEL', () => {
    expect(found('PESEL 23901467879')).toEqual(['pl_pesel:23901467879'])
  })
})
