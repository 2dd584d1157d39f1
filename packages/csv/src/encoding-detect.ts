/**
 * Decides the encoding of bytes that are not UTF-8: Shift_JIS and GB18030 by whether they decode and what they
 * decode to, then every single-byte code page by how its decoding reads — letters of its languages score, C1
 * control characters and symbols that never appear in text cost. The margin over the runner-up (a candidate that
 * decodes the sample differently) is the confidence.
 */
import type { CsvEncoding } from './encoding-names'

/** Single-byte candidates in the order a tie is settled: ISO first (a windows code page shows itself by its 0x80–0x9F). */
const SINGLE_BYTE: { encoding: CsvEncoding; letters: string; latin: boolean }[] = []
const WEST = 'éèêëàâäçôöûüùïîßñíóúáãõœÿÉÈÀÄÖÜÇÑ€'
const CENTRAL = 'ąćęłńóśźżĄĆĘŁŃŚŹŻčďěňřšťůýžČĎĚŇŘŠŤŮÝŽőűŐŰáéíúÁÉÍÚ'
const CYRILLIC = 'абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯіїєґІЇЄҐ'
const GREEK = 'αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩΆΈΉΊΌΎΏ€'
const TURKISH = 'ğışçöüĞİŞÇÖÜâîû'
const BALTIC = 'ąčęėįšųūžĄČĘĖĮŠŲŪŽāēīōļņķģĀĒĪŌĻŅĶĢ'
for (const [encoding, letters] of [
  ['iso-8859-1', WEST],
  ['windows-1252', WEST],
  ['iso-8859-15', WEST],
  ['iso-8859-2', CENTRAL],
  ['windows-1250', CENTRAL],
  ['iso-8859-5', CYRILLIC],
  ['windows-1251', CYRILLIC],
  ['iso-8859-7', GREEK],
  ['windows-1253', GREEK],
  ['iso-8859-9', TURKISH + WEST],
  ['windows-1254', TURKISH + WEST],
  ['windows-1257', BALTIC],
] as const)
  SINGLE_BYTE.push({ encoding, letters, latin: letters !== CYRILLIC && letters !== GREEK })

/** The most frequent letters weigh more: in Cyrillic and Greek every letter is "non-ASCII", so frequency decides. */
const FREQUENT = new Set('оеаинтсрвлкмдпуαεοιτνσηρκπμλάέίόύώéèàçäöüßčěřšžąęłśńığşāēėīųūš')

export interface DetectedEncoding {
  encoding: CsvEncoding
  /** 0–1: how far the best reading is ahead of the next different one. */
  confidence: number
}

export function detectLegacyEncoding(
  bytes: Uint8Array,
  decode: (b: Uint8Array, e: CsvEncoding) => string,
): DetectedEncoding {
  const sample = bytes.subarray(0, Math.min(bytes.length, 64 * 1024))
  const cjk = detectCjk(sample)
  if (cjk !== undefined) return cjk
  const scored = SINGLE_BYTE.map(({ encoding, letters, latin }) => {
    const text = decode(sample, encoding)
    return { encoding, text, score: scoreText(text, letters, latin) }
  })
  let best = scored[0] as (typeof scored)[number]
  for (const s of scored) if (s.score > best.score) best = s
  let second = Number.NEGATIVE_INFINITY
  for (const s of scored) if (s.text !== best.text && s.score > second) second = s.score
  const nonAscii = sample.reduce((n, b) => (b >= 0x80 ? n + 1 : n), 0)
  const margin = best.score <= 0 ? 0 : Math.max(0, Math.min(1, (best.score - second) / best.score))
  // few non-ASCII bytes say little, however clear the margin
  const confidence = Math.round(margin * Math.min(1, nonAscii / 20) * 100) / 100
  return { encoding: best.encoding, confidence: Number.isFinite(second) ? confidence : Math.min(1, nonAscii / 20) }
}

/**
 * How well a decoding reads. Latin accented letters sit inside words of ASCII letters (`Müller`); Greek and
 * Cyrillic words are made of their own letters only, so one of their letters beside an ASCII letter (`Mόller`) is
 * a wrong reading.
 */
function scoreText(text: string, letters: string, latin: boolean): number {
  let score = 0
  const asciiLetter = (i: number) => {
    const c = text.charCodeAt(i) | 0x20
    return c >= 0x61 && c <= 0x7a
  }
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    const c = ch.charCodeAt(0)
    if (c < 0x80) continue
    if (c <= 0x9f || c === 0xfffd)
      score -= 4 // a C1 control or an undefined byte: not this code page
    else if (letters.includes(ch)) {
      const inAsciiWord = asciiLetter(i - 1) || asciiLetter(i + 1)
      if (latin) score += (FREQUENT.has(ch) ? 3 : 2) + (inAsciiWord ? 1 : 0)
      else score += inAsciiWord ? -3 : FREQUENT.has(ch) ? 3 : 2
    } else if (/\p{L}/u.test(ch))
      score -= 0.5 // a letter, but not one of these languages' usual ones
    else if (!'«»°–—„“”‘’…·•§ '.includes(ch)) score -= 1 // ¤ ¦ ± ¶ and the like: rare in text
  }
  return score
}

/** Frequent Chinese characters (words, surnames, places): real GB18030 text is full of them, a misread is not. */
const COMMON_HAN = new Set(
  '的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤北京上海广州深圳天津重庆成都武汉南杭西安苏长沙沈阳青岛郑大连东厦门福宁波合肥济昆明哈尔滨市省区县路号街公司有限责任科技贸易电子产品价格数量金额日期客户名称地址电话备注合计总计元'.split(
    '',
  ),
)

/** Shift_JIS when the bytes decode and read as Japanese (kana); GB18030 when they decode and read as Chinese. */
function detectCjk(sample: Uint8Array): DetectedEncoding | undefined {
  let high = 0
  for (const b of sample) if (b >= 0x80) high++
  if (high < 4) return undefined
  const sjis = strict(sample, 'shift_jis')
  const gb = strict(sample, 'gb18030')
  const kana = sjis === undefined ? 0 : count(sjis, /[\u3040-\u30ff]/g)
  const sjisHan = sjis === undefined ? 0 : count(sjis, /[\u4e00-\u9fff]/g)
  const gbHan = gb === undefined ? 0 : count(gb, /[\u4e00-\u9fff]/g)
  const sjisChars = kana + sjisHan
  if (sjis !== undefined && kana > 0 && sjisChars * 2 >= high * 0.8 * 0.5) {
    const margin = gb === undefined ? 1 : Math.min(1, kana / Math.max(1, sjisChars))
    return { encoding: 'shift_jis', confidence: Math.round(Math.max(0.5, margin) * 100) / 100 }
  }
  if (gb !== undefined && gbHan * 2 >= high * 0.8) {
    let common = 0
    for (const ch of gb) if (COMMON_HAN.has(ch)) common++
    if (common >= gbHan * 0.15)
      return { encoding: 'gb18030', confidence: Math.round(Math.min(1, (common / gbHan) * 2) * 100) / 100 }
  }
  return undefined
}

function strict(bytes: Uint8Array, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(trimCut(bytes))
  } catch {
    return undefined
  }
}

/** A multi-byte character cut at the end of the sample is not an error: leave out the last byte if it is a lead. */
function trimCut(bytes: Uint8Array): Uint8Array {
  return bytes.length > 0 && (bytes[bytes.length - 1] as number) >= 0x80 ? bytes.subarray(0, bytes.length - 1) : bytes
}

function count(text: string, re: RegExp): number {
  return text.match(re)?.length ?? 0
}
