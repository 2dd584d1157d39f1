import { describe, expect, it } from 'vitest'
import { cls, DIGIT, HEX, isHexColonDot, LOCAL, LOWER, UNDERSCORE, UPPER, wordLike } from './chars'

describe('character classes over all UTF-16 code units', () => {
  it.each([
    ['a digit', '7', DIGIT | HEX, true],
    ['a capital hex letter', 'F', UPPER | HEX, true],
    ['a capital past F', 'Z', UPPER, true],
    ['a small letter', 'q', LOWER, true],
    ['an underscore', '_', UNDERSCORE | LOCAL, true],
    ['a dot', '.', LOCAL, false],
    ['a space', ' ', 0, false],
    ['a letter with an accent (non-ASCII: no ASCII class, joins words)', 'é', 0, true],
    ['a CJK character', '中', 0, true],
    ['half of a surrogate pair', '😀'.charAt(0), 0, true],
    ['a no-break space', '\u00a0', 0, false],
    ['an en dash', '\u2013', 0, false],
    ['an ideographic space', '\u3000', 0, false],
    ['a byte-order mark', '\ufeff', 0, false],
  ])('%s: %j', (_, ch, bits, joins) => {
    const c = ch.charCodeAt(0)
    expect(cls(c)).toBe(bits)
    expect(wordLike(c)).toBe(joins)
  })

  it('past the end of a text (NaN) is no class and joins no word', () => {
    const past = 'a'.charCodeAt(1)
    expect(cls(past)).toBe(0)
    expect(wordLike(past)).toBe(false)
    expect(isHexColonDot(past)).toBe(false)
  })

  it('reads colons, dots and hex digits as IPv6 text, nothing else', () => {
    expect([...':.0aF'].every((ch) => isHexColonDot(ch.charCodeAt(0)))).toBe(true)
    expect([...'gG-_ é'].some((ch) => isHexColonDot(ch.charCodeAt(0)))).toBe(false)
  })
})
