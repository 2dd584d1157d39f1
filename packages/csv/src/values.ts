/** Why a value could not be read as its column's type; the code lands in the quarantine entry. */
export interface ValueIssue {
  code: 'invalid_number' | 'ambiguous_number' | 'invalid_boolean' | 'invalid_date' | 'ambiguous_date'
  message: string
}

const CURRENCY =
  /^(?:[$€£¥₹₽¢₩₺]|CHF|EUR|USD|GBP|JPY|SEK|NOK|DKK|PLN|CZK|R\$)\s?|\s?(?:[$€£¥₹₽¢₩₺]|CHF|EUR|USD|GBP|JPY|SEK|NOK|DKK|PLN|CZK|kr|zł|Kč)$/
const GROUP_SPACES = /(\d)[\s\u00a0\u202f'’](?=\d{3}(?:\D|$))/g

/**
 * Reads a number written the way spreadsheets and ERPs write them: `1.234,56`, `1,234.56`, `1 234,56`, `€ 12`,
 * `12 %` (0.12), `(12.00)` (−12), `12-` (−12). `decimal` is the declared or sniffed decimal separator; without it
 * `1,234` or `1.234` (a single separator before exactly three digits) is ambiguous and refused.
 */
export function parseNumber(input: string, decimal: ',' | '.' | undefined): number | ValueIssue {
  const fast = plainNumber(input, decimal)
  if (fast !== undefined) return fast
  let s = input.trim()
  let negative = false
  let percent = false
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true
    s = s.slice(1, -1).trim()
  }
  if (s.endsWith('%')) {
    percent = true
    s = s.slice(0, -1).trim()
  }
  if (s.startsWith('-') || s.startsWith('+') || s.startsWith('\u2212')) {
    negative = negative !== (s[0] !== '+')
    s = s.slice(1).trim()
  }
  s = s.replace(CURRENCY, '').trim()
  if (s.startsWith('-') || s.startsWith('\u2212')) {
    negative = !negative
    s = s.slice(1).trim()
  } else if (s.endsWith('-')) {
    negative = !negative
    s = s.slice(0, -1).trim()
  }
  s = s.replace(GROUP_SPACES, '$1')
  const bad = (): ValueIssue => ({ code: 'invalid_number', message: `not a number: ${shapeOf(input)}` })
  if (!/^[\d.,]+(?:[eE][-+]?\d+)?$/.test(s) || !/\d/.test(s)) return bad()
  let exponent = ''
  const e = s.search(/[eE]/)
  if (e >= 0) {
    exponent = s.slice(e)
    s = s.slice(0, e)
  }
  const lastDot = s.lastIndexOf('.')
  const lastComma = s.lastIndexOf(',')
  let dec: ',' | '.' | undefined
  if (lastDot >= 0 && lastComma >= 0) dec = lastDot > lastComma ? '.' : ','
  else if (lastDot >= 0 || lastComma >= 0) {
    const sep = lastDot >= 0 ? '.' : ','
    const count = s.split(sep).length - 1
    const after = s.length - s.lastIndexOf(sep) - 1
    if (count > 1)
      dec = sep === '.' ? ',' : '.' // repeated: a grouping separator
    else if (decimal !== undefined) dec = decimal
    else if (after !== 3 || /^0[.,]/.test(s) || s.indexOf(sep) > 3 || s.indexOf(sep) === 0) dec = sep
    else
      return {
        code: 'ambiguous_number',
        message: `one "${sep}" before exactly three digits could be a thousands or a decimal separator (${shapeOf(input)}); declare values.decimal`,
      }
  }
  let intPart = s
  let frac = ''
  if (dec !== undefined) {
    const at = s.lastIndexOf(dec)
    if (at >= 0) {
      intPart = s.slice(0, at)
      frac = s.slice(at + 1)
      if (frac.length === 0 || !/^\d+$/.test(frac)) return bad()
    }
  }
  const group = dec === ',' ? '.' : ','
  if (intPart.includes(group)) {
    if (!new RegExp(`^\\d{1,3}(?:\\${group}\\d{3})+$`).test(intPart))
      return decimal === undefined
        ? bad()
        : {
            code: 'invalid_number',
            message: `"${group}" can only group thousands where the decimal separator is "${decimal}" (${shapeOf(input)}); declare the column's { type: 'number', decimal: '${group}' } if it uses "${group}"`,
          }
    intPart = intPart.split(group).join('')
  }
  if (!/^\d*$/.test(intPart) || (intPart === '' && frac === '')) return bad()
  if (exponent !== '' && intPart === '') return bad()
  let n = Number(`${intPart === '' ? '0' : intPart}${frac === '' ? '' : `.${frac}`}${exponent}`)
  if (!Number.isFinite(n)) return bad()
  if (percent) n = n / 100
  return negative ? -n : n
}

/** Exact powers of ten: a safe integer divided by one of them is the correctly rounded value of the decimal. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17]

/**
 * `-123.45` (or `-123,45` with a comma decimal) without grouping, read without regular expressions; undefined for
 * anything else.
 * The digits are summed as they are checked: when they fit in a safe integer, that integer divided by the exact
 * power of ten is the correctly rounded double, the same one `Number()` gives (Clinger's fast path), without
 * calling it. Longer numbers go through `Number()`.
 */
function plainNumber(s: string, decimal: ',' | '.' | undefined): number | undefined {
  const n = s.length
  if (n === 0 || n > 18) return undefined
  let i = s.charCodeAt(0) === 45 ? 1 : 0
  const start = i
  // the point: `,` where the decimal separator is declared or sniffed as a comma (`1234,56`), else `.`. With a
  // comma decimal a `.` groups thousands (`1.234`), so `12.5` is not a plain number there: the full reading refuses it
  const point = decimal === ',' ? 44 : 46
  let dot = -1
  let m = 0
  for (; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c === point) {
      if (dot >= 0) return undefined
      dot = i
    } else if (c < 48 || c > 57) return undefined
    else m = m * 10 + (c - 48)
  }
  if (n === start || dot === start || dot === n - 1) return undefined
  // `1.234` without a declared decimal is ambiguous (the full reading says so); `0.234` is not
  if (
    dot >= 0 &&
    s.charCodeAt(dot) === 46 &&
    decimal !== '.' &&
    n - dot - 1 === 3 &&
    dot - start <= 3 &&
    !(dot - start === 1 && s.charCodeAt(start) === 48)
  )
    return undefined
  if (m > Number.MAX_SAFE_INTEGER) return Number(s)
  const v = dot < 0 ? m : m / (POW10[n - dot - 1] as number)
  return start === 1 ? -v : v
}

const TRUE = new Set(['true', 't', 'yes', 'y', '1', 'ja', 'j', 'on', 'oui', 'si', 'sí', 'wahr'])
const FALSE = new Set(['false', 'f', 'no', 'n', '0', 'nein', 'off', 'non', 'falsch'])

/** `Y/N`, `yes/no`, `1/0`, `true/false`, `ja/nein`, `on/off` (any case). */
export function parseBoolean(input: string): boolean | ValueIssue {
  const s = input.trim().toLowerCase()
  if (TRUE.has(s)) return true
  if (FALSE.has(s)) return false
  return { code: 'invalid_boolean', message: `not a yes/no value: ${shapeOf(input)}` }
}

/** Day–month order of a `a/b/yyyy` date. */
export type DateOrder = 'DMY' | 'MDY'

interface CompiledFormat {
  format: string
  re: RegExp
  parts: string[]
  /** For formats of fixed-width numeric tokens only: [token, position, width] and literal [position, charCode]. */
  fixed:
    | {
        length: number
        at: Record<'YYYY' | 'YY' | 'MM' | 'DD' | 'HH' | 'mm' | 'ss' | 'SSS', number>
        literals: [number, number][]
      }
    | undefined
}

const TOKENS = /YYYY|YY|MM|M|DD|D|HH|H|mm|ss|SSS|\[[^\]]*\]/g

/** Compiles `DD.MM.YYYY`, `MM/DD/YYYY HH:mm`, `YYYYMMDD`… into a matcher. */
export function compileDateFormat(format: string): CompiledFormat {
  const parts: string[] = []
  let re = '^'
  let last = 0
  for (const m of format.matchAll(TOKENS)) {
    re += escapeRe(format.slice(last, m.index))
    const t = m[0]
    if (t.startsWith('[')) re += escapeRe(t.slice(1, -1))
    else {
      parts.push(t)
      re += t === 'YYYY' ? '(\\d{4})' : t === 'SSS' ? '(\\d{3})' : t.length === 1 ? '(\\d{1,2})' : '(\\d{2})'
    }
    last = (m.index ?? 0) + t.length
  }
  re += `${escapeRe(format.slice(last))}$`
  return { format, re: new RegExp(re), parts, fixed: fixedLayout(format) }
}

function fixedLayout(format: string): CompiledFormat['fixed'] {
  const at = { YYYY: -1, YY: -1, MM: -1, DD: -1, HH: -1, mm: -1, ss: -1, SSS: -1 }
  const literals: [number, number][] = []
  let pos = 0
  let last = 0
  for (const m of format.matchAll(TOKENS)) {
    const t = m[0]
    for (const ch of format.slice(last, m.index)) literals.push([pos++, ch.charCodeAt(0)])
    last = (m.index ?? 0) + t.length
    if (t.startsWith('[')) {
      for (const ch of t.slice(1, -1)) literals.push([pos++, ch.charCodeAt(0)])
      continue
    }
    if (t.length === 1 || t === 'H') return undefined
    at[t as keyof typeof at] = pos
    pos += t.length
  }
  for (const ch of format.slice(last)) literals.push([pos++, ch.charCodeAt(0)])
  return { length: pos, at, literals }
}

function digits(s: string, at: number, width: number): number {
  let v = 0
  for (let i = at; i < at + width; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    v = v * 10 + c
  }
  return v
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const DAY_MS = 86_400_000

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), without Date.UTC. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

function build(y: number, mo: number, d: number, h = 0, mi = 0, sec = 0, ms = 0): Date | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return undefined
  if (d > 28) {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
    if (d > (mo === 2 && leap ? 29 : (MONTH_DAYS[mo - 1] as number))) return undefined
  }
  return new Date(daysFromCivil(y, mo, d) * DAY_MS + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms)
}

function byFormat(s: string, f: CompiledFormat): Date | undefined {
  const fx = f.fixed
  if (fx !== undefined) {
    if (s.length !== fx.length) return undefined
    const lits = fx.literals
    for (let i = 0; i < lits.length; i++) {
      const lit = lits[i] as [number, number]
      if (s.charCodeAt(lit[0]) !== lit[1]) return undefined
    }
    const p = fx.at
    let year = p.YYYY >= 0 ? digits(s, p.YYYY, 4) : p.YY >= 0 ? digits(s, p.YY, 2) : -1
    if (year < 0) return undefined
    if (p.YYYY < 0) year += year < 70 ? 2000 : 1900
    const mo = p.MM >= 0 ? digits(s, p.MM, 2) : 1
    const d = p.DD >= 0 ? digits(s, p.DD, 2) : 1
    const h = p.HH >= 0 ? digits(s, p.HH, 2) : 0
    const mi = p.mm >= 0 ? digits(s, p.mm, 2) : 0
    const sec = p.ss >= 0 ? digits(s, p.ss, 2) : 0
    const ms = p.SSS >= 0 ? digits(s, p.SSS, 3) : 0
    if (mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || ms < 0) return undefined
    return build(year, mo, d, h, mi, sec, ms)
  }
  const m = f.re.exec(s)
  if (m === null) return undefined
  const v: Record<string, number> = {}
  f.parts.forEach((p, i) => {
    v[p] = Number(m[i + 1])
  })
  const year = v.YYYY ?? (v.YY === undefined ? Number.NaN : v.YY < 70 ? 2000 + v.YY : 1900 + v.YY)
  return build(year, v.MM ?? v.M ?? 1, v.DD ?? v.D ?? 1, v.HH ?? v.H ?? 0, v.mm ?? 0, v.ss ?? 0, v.SSS ?? 0)
}

/** `YYYY-MM-DD`, `YYYY-MM-DDTHH:mm:ssZ` and `YYYY-MM-DDTHH:mm:ss.sssZ`, read without regular expressions. */
function isoFast(s: string): Date | undefined {
  const n = s.length
  if (n !== 10 && n !== 20 && n !== 24) return undefined
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined
  const y = digits(s, 0, 4)
  const mo = digits(s, 5, 2)
  const d = digits(s, 8, 2)
  if (y < 0 || mo < 0 || d < 0) return undefined
  if (n === 10) return build(y, mo, d)
  if (s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(n - 1) !== 90)
    return undefined
  const h = digits(s, 11, 2)
  const mi = digits(s, 14, 2)
  const sec = digits(s, 17, 2)
  const ms = n === 24 ? (s.charCodeAt(19) === 46 ? digits(s, 20, 3) : -1) : 0
  if (h < 0 || mi < 0 || sec < 0 || ms < 0) return undefined
  return build(y, mo, d, h, mi, sec, ms)
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/
const DMY_LIKE = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})$/
const EXCEL_EPOCH = Date.UTC(1899, 11, 30)

/** Options for reading one date column. */
export interface DateRules {
  /** Declared formats, tried in order; when given, only these (and ISO 8601) are accepted. */
  formats: CompiledFormat[]
  /** Numbers are Excel serial dates (1900 date system). */
  excelSerials: boolean
  /** Order learnt from the column itself (a day above 12 somewhere), used for otherwise ambiguous values. */
  order: DateOrder | undefined
}

/**
 * Reads ISO 8601, a declared format, or an Excel serial. `03/04/2026` with no declared format is refused as
 * ambiguous unless the column has shown its order (a value such as `25/04/2026`).
 */
export function parseDate(input: string, rules: DateRules): Date | ValueIssue {
  const s = trimmed(input)
  const fast = isoFast(s)
  if (fast !== undefined) return fast
  // ISO 8601 starts with four digits and a hyphen: anything else (a declared `DD/MM/YYYY`) skips the expression
  const iso = s.charCodeAt(4) === 45 ? ISO.exec(s) : null
  if (iso !== null) {
    const [, y, mo, d, h, mi, sec, frac, zone] = iso
    const local = build(
      Number(y),
      Number(mo),
      Number(d),
      Number(h ?? 0),
      Number(mi ?? 0),
      Number(sec ?? 0),
      Number((frac ?? '0').slice(0, 3).padEnd(3, '0')),
    )
    if (local !== undefined) {
      if (zone === undefined || zone === 'Z') return local
      const sign = zone[0] === '-' ? -1 : 1
      const digits = zone.slice(1).replace(':', '')
      const offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)))
      return new Date(local.getTime() - offset * 60_000)
    }
  }
  for (const f of rules.formats) {
    const d = byFormat(s, f)
    if (d !== undefined) return d
  }
  if (rules.excelSerials && /^\d{1,7}(?:\.\d+)?$/.test(s)) {
    const serial = Number(s)
    if (serial >= 1 && serial < 2958466 && Math.floor(serial) !== 60)
      return new Date((serial < 60 ? EXCEL_EPOCH + 86_400_000 : EXCEL_EPOCH) + Math.round(serial * 86_400_000))
  }
  const invalid: ValueIssue = { code: 'invalid_date', message: `not a date in a known format: ${shapeOf(input)}` }
  if (rules.formats.length > 0)
    return {
      ...invalid,
      message: `does not match ${rules.formats.map((f) => f.format).join(' or ')}: ${shapeOf(input)}`,
    }
  const m = DMY_LIKE.exec(s)
  if (m === null) return invalid
  const a = Number(m[1])
  const b = Number(m[3])
  const y = Number(m[4])
  if (rules.order === undefined && a > 12 !== b > 12) rules.order = a > 12 ? 'DMY' : 'MDY' // the column shows its order
  const order: DateOrder | undefined = a > 12 ? 'DMY' : b > 12 ? 'MDY' : a === b ? 'DMY' : rules.order
  if (order === undefined)
    return {
      code: 'ambiguous_date',
      message: `a date that could be day/month or month/day (${shapeOf(input)}); declare the column's date format`,
    }
  return (order === 'DMY' ? build(y, b, a) : build(y, a, b)) ?? invalid
}

/** `s.trim()`, without the call when `s` starts and ends with printable ASCII (a cell the row builder trimmed). */
function trimmed(s: string): string {
  const n = s.length
  if (n === 0) return s
  const a = s.charCodeAt(0)
  const z = s.charCodeAt(n - 1)
  return a > 32 && a < 127 && z > 32 && z < 127 ? s : s.trim()
}

/** The order a sample of values shows: `DMY` if some first part exceeds 12, `MDY` if some second part does. */
export function dateOrderOf(values: Iterable<string>): DateOrder | undefined {
  let dmy = false
  let mdy = false
  for (const v of values) {
    const m = DMY_LIKE.exec(v.trim())
    if (m === null) continue
    if (Number(m[1]) > 12) dmy = true
    if (Number(m[3]) > 12) mdy = true
  }
  return dmy === mdy ? undefined : dmy ? 'DMY' : 'MDY'
}

/**
 * What a value looks like without saying what it is: its length and what its characters are, such as
 * `19 characters: 16 digits, 3 spaces`. Quarantine reasons use this, because a cell may hold a card number, a name
 * or an address, and reasons end up in logs and tickets; the value itself stays in the entry's `raw`.
 */
export function shapeOf(value: string): string {
  let digits = 0
  let letters = 0
  let spaces = 0
  let other = 0
  let length = 0
  for (const ch of value) {
    length++
    if (ch >= '0' && ch <= '9') digits++
    else if (/\s/.test(ch)) spaces++
    else if (/\p{L}/u.test(ch)) letters++
    else other++
  }
  if (length === 0) return 'empty'
  const parts: string[] = []
  const add = (n: number, one: string, many: string) => {
    if (n > 0) parts.push(`${n} ${n === 1 ? one : many}`)
  }
  add(digits, 'digit', 'digits')
  add(letters, 'letter', 'letters')
  add(spaces, 'space', 'spaces')
  add(other, 'other character', 'other characters')
  return `${length} character${length === 1 ? '' : 's'}: ${parts.join(', ')}`
}
