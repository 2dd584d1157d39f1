// Character classes the pass and every detector read: one table lookup per UTF-16 code unit.

export const DIGIT = 1
export const UPPER = 2
export const LOWER = 4
export const HEX = 8
export const UNDERSCORE = 16
/** Allowed in an email local part besides letters and digits. */
export const LOCAL = 32
export const LETTER = UPPER | LOWER
export const ALNUM = DIGIT | LETTER
export const WORD = ALNUM | UNDERSCORE
/** A non-ASCII code unit that joins words (a letter, a mark, a surrogate half): see {@link wordLike}. */
export const WIDE_WORD = 64
/** Any code unit of 128 or more. */
export const WIDE = 128
/** ASCII word characters and non-ASCII ones that join words. */
export const WORD_LIKE = WORD | WIDE_WORD

/**
 * The class bits of every UTF-16 code unit (64 KB, built once): the ASCII bits above, and `WIDE`, `WIDE_WORD` for
 * the rest, so a hot loop reads one entry and tests no range. Index it with `c | 0`: past the end `charCodeAt`
 * gives NaN, and `NaN | 0` is 0, a code unit of no class.
 */
export const CT = new Uint8Array(65536)
for (let c = 48; c <= 57; c++) CT[c] = DIGIT | HEX
for (let c = 65; c <= 90; c++) CT[c] = UPPER | (c <= 70 ? HEX : 0)
for (let c = 97; c <= 122; c++) CT[c] = LOWER | (c <= 102 ? HEX : 0)
CT[95] = UNDERSCORE | LOCAL
for (const ch of '.%+-') CT[ch.charCodeAt(0)] = LOCAL
// Non-ASCII letters join words (so `é123` starts no number); non-ASCII spaces and dashes separate them.
for (let c = 128; c < 65536; c++) {
  const separates = c === 160 || (c >= 0x2000 && c <= 0x206f) || c === 0x3000 || c === 0xfeff
  CT[c] = WIDE | (separates ? 0 : WIDE_WORD)
}

/** The class bits of a character code (0 for non-ASCII and past the end). */
export const cls = (c: number): number => (CT[c | 0] as number) & 63
export const isDigit = (c: number): boolean => c >= 48 && c <= 57
export const isHexColonDot = (c: number): boolean => c === 58 || c === 46 || ((CT[c | 0] as number) & HEX) !== 0

/** Non-ASCII letters join words (so `é123` starts no number); non-ASCII spaces and dashes separate them. */
export const wordLike = (c: number): boolean => ((CT[c | 0] as number) & WORD_LIKE) !== 0
