// Character classes the pass and every detector read: one table lookup per ASCII character.

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

const CLS = new Uint8Array(128)
for (let c = 48; c <= 57; c++) CLS[c] = DIGIT | HEX
for (let c = 65; c <= 90; c++) CLS[c] = UPPER | (c <= 70 ? HEX : 0)
for (let c = 97; c <= 122; c++) CLS[c] = LOWER | (c <= 102 ? HEX : 0)
CLS[95] = UNDERSCORE | LOCAL
for (const ch of '.%+-') CLS[ch.charCodeAt(0)] = LOCAL

/** The class bits of a character code (0 for non-ASCII and past the end). */
export const cls = (c: number): number => (c < 128 ? (CLS[c] as number) : 0)
export const isDigit = (c: number): boolean => c >= 48 && c <= 57
export const isHexColonDot = (c: number): boolean =>
  c === 58 || c === 46 || (c < 128 && ((CLS[c] as number) & HEX) !== 0)

/** Non-ASCII letters join words (so `é123` starts no number); non-ASCII spaces and dashes separate them. */
export function wordLike(c: number): boolean {
  if (!(c >= 128)) return ((CLS[c] as number) & WORD) !== 0 // NaN (past the end) is no word
  return !(c === 160 || (c >= 0x2000 && c <= 0x206f) || c === 0x3000 || c === 0xfeff)
}
