import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { linkTarget } from './link-header'

describe('linkTarget (RFC 8288)', () => {
  it.each([
    ['<https://a.example/x?page=2>; rel="next"', 'https://a.example/x?page=2'],
    [
      '<https://a.example/x?page=9>; rel="last", <https://a.example/x?page=2>; rel="next"',
      'https://a.example/x?page=2',
    ],
    ['</items?page=2>; rel=next', '/items?page=2'],
    ['<https://a.example/x?a=1,2>; title="a, b"; rel="prev next"', 'https://a.example/x?a=1,2'],
    ['<https://a.example/x>; REL="Next"', 'https://a.example/x'],
  ])('finds next in %s', (header, expected) => {
    expect(linkTarget(header, 'next')).toBe(expected)
  })

  it('reads several Link headers', () => {
    expect(linkTarget(['</a>; rel="prev"', '</b>; rel="next"'], 'next')).toBe('/b')
  })

  it.each([[undefined], [''], ['</a>; rel="prev"'], ['garbage'], ['<unterminated; rel="next"']])(
    'finds nothing in %j',
    (header) => {
      expect(linkTarget(header, 'next')).toBeUndefined()
    },
  )

  it('never throws on hostile headers', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (header) => {
        const target = linkTarget(header, 'next')
        expect(target === undefined || typeof target === 'string').toBe(true)
      }),
    )
    expect(linkTarget(`${'<'.repeat(50_000)}>; rel=next`, 'next')).toBeUndefined()
  })
})
