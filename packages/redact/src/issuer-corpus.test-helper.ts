// A labelled corpus of every kind the detectors report, drawn from issuer tables and published rules, never from
// the scanner's own patterns: card numbers from the schemes' IIN ranges and lengths with a Luhn digit computed
// here, IBANs from the BBAN formats of the SWIFT IBAN registry with mod-97 check digits (each kept only when
// ibantools, an implementation we did not write, calls it valid), SSNs by the SSA's allocation rules, NINOs by
// HMRC's prefix rules, NIF/NIE by the mod-23 letter, PESEL by its weights and encoded birth date, BSN by the
// 11-proof, the German tax ID by its digit rule and ISO 7064 MOD 11,10, Aadhaar by Verhoeff; phones from number
// plans (number-plan-corpus.test-helper.ts, libphonenumber-js validates each); secrets in the providers' published
// formats (AWS key IDs, GitHub, Stripe and Slack tokens, signed JWTs, PEM keys made by node:crypto). Valid but
// unusual values are drawn too (Mastercard's 2-series, 19-digit Visa, JCB's 15-digit ranges, Mir, lower-case IBANs,
// NIEs written with a hyphen, IPv6 with an embedded IPv4, percent-encoded URL passwords, empty URL users).
// Values are written inside log lines, tickets, e-mails, JSON and URLs in English, German, French, Spanish and
// Italian; each sentence also carries a hard negative, and the negatives are also returned alone.
import { createHmac, generateKeyPairSync } from 'node:crypto'
import { isValidIBAN } from 'ibantools'
import type { DetectorKind } from './kinds'
import { drawPhone, luhnCheck, type Rng, rng } from './number-plan-corpus.test-helper'

export interface PlantedValue {
  kind: DetectorKind
  start: number
  end: number
}

export interface PlantedSentence {
  text: string
  planted: PlantedValue[]
  lang: Lang
  genre: string
}

type Lang = 'en' | 'de' | 'fr' | 'es' | 'it'
const LANGS: readonly Lang[] = ['en', 'de', 'fr', 'es', 'it']

const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))
const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T
const digits = (r: Rng, n: number): string => Array.from({ length: n }, () => Math.floor(r() * 10)).join('')
const chars = (r: Rng, alphabet: string, n: number): string =>
  Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('')
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const ALNUM = `${UPPER}0123456789`
const BASE62 = `${UPPER}abcdefghijklmnopqrstuvwxyz0123456789`
const B64URL = `${BASE62}-_`
const pad = (n: number, width: number): string => String(n).padStart(width, '0')
const groups = (s: string, sizes: readonly number[], sep: string): string => {
  const out: string[] = []
  let at = 0
  for (const size of sizes) {
    if (at >= s.length) break
    out.push(s.slice(at, at + size))
    at += size
  }
  if (at < s.length) out.push(s.slice(at))
  return out.join(sep)
}

// ---- payment cards: IIN ranges and lengths as the schemes publish them ---------------------------------------

/** Scheme, IIN range (inclusive, as prefixes of equal length) and the lengths it issues. */
const CARD_ISSUERS: readonly [string, number, number, readonly number[]][] = [
  ['Visa', 4, 4, [13, 16, 19]],
  ['Mastercard', 51, 55, [16]],
  ['Mastercard 2-series', 2221, 2720, [16]],
  ['American Express', 34, 34, [15]],
  ['American Express', 37, 37, [15]],
  ['Discover', 6011, 6011, [16, 19]],
  ['Discover', 644, 649, [16]],
  ['Discover', 65, 65, [16]],
  ['JCB', 3528, 3589, [16, 19]],
  ['JCB 15-digit', 2131, 2131, [15]],
  ['JCB 15-digit', 1800, 1800, [15]],
  ['Diners Club International', 36, 36, [14]],
  ['Diners Club', 300, 305, [16]],
  ['UnionPay', 62, 62, [16, 19]],
  ['Mir', 2200, 2204, [16]],
  ['Maestro', 6759, 6759, [16, 19]],
]

function card(r: Rng): string {
  const [, lo, hi, lengths] = pick(r, CARD_ISSUERS)
  const len = pick(r, lengths)
  const prefix = String(int(r, lo, hi))
  const payload = prefix + digits(r, len - 1 - prefix.length)
  const n = payload + luhnCheck(payload)
  const sep = pick(r, ['', ' ', '-', ' '])
  if (sep === '') return n
  if (len === 15) return groups(n, [4, 6, 5], sep)
  if (len === 14) return groups(n, [4, 6, 4], sep)
  return groups(n, [4, 4, 4, 4], sep)
}

// ---- IBAN: BBAN formats of the SWIFT IBAN registry (n digits, a capitals, c capitals or digits) -------------

const BBAN_FORMATS: Readonly<Record<string, string>> = {
  DE: '8n10n',
  GB: '4a6n8n',
  IE: '4a6n8n',
  FR: '5n5n11c2n',
  MC: '5n5n11c2n',
  ES: '4n4n1n1n10n',
  IT: '1a5n5n12c',
  SM: '1a5n5n12c',
  NL: '4a10n',
  BE: '3n7n2n',
  LU: '3n13c',
  AT: '5n11n',
  CH: '5n12c',
  LI: '5n12c',
  PT: '4n4n11n2n',
  PL: '8n16n',
  CZ: '4n6n10n',
  SK: '4n6n10n',
  HU: '3n4n1n15n1n',
  RO: '4a16c',
  BG: '4a4n2n8c',
  HR: '7n10n',
  SI: '5n8n2n',
  GR: '3n4n16c',
  CY: '3n5n16c',
  MT: '4a5n18c',
  DK: '4n9n1n',
  SE: '3n16n1n',
  NO: '4n6n1n',
  FI: '3n11n',
  EE: '2n2n11n1n',
  LV: '4a13c',
  LT: '5n11n',
  IS: '4n2n6n10n',
  TR: '5n1n16c',
  SA: '2n18c',
  AE: '3n16n',
  IL: '3n3n13n',
  BR: '8n5n10n1a1c',
}

function bban(r: Rng, format: string): string {
  let out = ''
  for (const [, count, type] of format.matchAll(/(\d+)([nac])/g)) {
    const n = Number(count)
    out += type === 'n' ? digits(r, n) : chars(r, type === 'a' ? UPPER : ALNUM, n)
  }
  return out
}

function mod97(s: string): number {
  let rem = 0
  for (const ch of s) {
    const v = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch
    for (const d of v) rem = (rem * 10 + Number(d)) % 97
  }
  return rem
}

function iban(r: Rng): string {
  const cc = pick(r, Object.keys(BBAN_FORMATS))
  for (;;) {
    const b = bban(r, BBAN_FORMATS[cc] as string)
    const compact = `${cc}${pad(98 - mod97(`${b}${cc}00`), 2)}${b}`
    // National check digits inside the BBAN (Belgium, Spain, Norway, …): ibantools checks them; draw again.
    if (!isValidIBAN(compact)) continue
    const written = r() < 0.5 ? compact : compact.replace(/(.{4})(?=.)/g, '$1 ')
    return r() < 0.1 ? written.toLowerCase() : written
  }
}

// ---- national IDs ---------------------------------------------------------------------------------------------

/** SSA: area 001–899 but 666, group 01–99, serial 0001–9999. */
function ssn(r: Rng): string {
  let area = int(r, 1, 899)
  if (area === 666) area = 665
  const parts = [pad(area, 3), pad(int(r, 1, 99), 2), pad(int(r, 1, 9999), 4)]
  return parts.join(pick(r, ['-', '-', ' ']))
}

/** HMRC: first letter not D F I Q U V, second not D F I O Q U V; BG GB KN NK NT TN ZZ never; suffix A–D. */
function nino(r: Rng): string {
  for (;;) {
    const a = pick(r, [...'ABCEGHJKLMNOPRSTWXYZ'])
    const b = pick(r, [...'ABCEGHJKLMNPRSTWXYZ'])
    if (['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(a + b)) continue
    const d = digits(r, 6)
    const suffix = pick(r, ['A', 'B', 'C', 'D'])
    return r() < 0.5 ? `${a}${b}${d}${suffix}` : `${a}${b} ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4)} ${suffix}`
  }
}

const NIF_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE'
/** DNI: 8 digits and the mod-23 letter; NIE: X, Y or Z (0, 1, 2), 7 digits and the letter; joined, `-` or space. */
function nif(r: Rng): string {
  const nie = r() < 0.4
  const lead = int(r, 0, 2)
  const body = nie ? `${'XYZ'[lead]}${digits(r, 7)}` : digits(r, 8)
  const letter = NIF_LETTERS[Number(nie ? `${lead}${body.slice(1)}` : body) % 23] as string
  return `${body}${pick(r, ['', '', '-', ' '])}${letter}`
}

/** PESEL: YYMMDD with the month offset by century (+80 1800s, +20 2000s), a serial, weights 1-3-7-9. */
function pesel(r: Rng): string {
  const year = int(r, 1930, 2020)
  const month = int(r, 1, 12) + (year >= 2000 ? 20 : 0)
  const d = `${pad(year % 100, 2)}${pad(month, 2)}${pad(int(r, 1, 28), 2)}${digits(r, 4)}`
  const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
  let sum = 0
  for (let i = 0; i < 10; i++) sum += Number(d[i]) * (w[i] as number)
  return d + String((10 - (sum % 10)) % 10)
}

/** BSN: 9 digits passing the 11-proof (weights 9…2, −1). */
function bsn(r: Rng): string {
  for (;;) {
    const d = digits(r, 8)
    let sum = 0
    for (let i = 0; i < 8; i++) sum += Number(d[i]) * (9 - i)
    const last = sum % 11
    if (last <= 9 && d[0] !== '0') return d + String(last)
  }
}

/** German tax ID: first digit 1–9, in the first ten one digit twice (or three times, not adjacent), MOD 11,10. */
function deTaxId(r: Rng): string {
  for (;;) {
    const pool = [...'0123456789'].sort(() => r() - 0.5)
    const twice = pool[0] as string
    const thrice = r() < 0.3
    const body = [...pool.slice(0, thrice ? 8 : 9), twice, ...(thrice ? [twice] : [])].sort(() => r() - 0.5)
    const s = body.join('')
    if (s[0] === '0' || s.includes(twice.repeat(3))) continue
    let product = 10
    for (const ch of s) {
      let sum = (Number(ch) + product) % 10
      if (sum === 0) sum = 10
      product = (sum * 2) % 11
    }
    return s + String((11 - product) % 10)
  }
}

// Verhoeff's tables, as published (dihedral group D5 and the permutation).
const VD = [
  '0123456789',
  '1234067895',
  '2340178956',
  '3401289567',
  '4012395678',
  '5987604321',
  '6598710432',
  '7659821043',
  '8765932104',
  '9876543210',
]
const VP = [
  '0123456789',
  '1576283094',
  '5803796142',
  '8916043527',
  '9453126870',
  '4286573901',
  '2793806415',
  '7046913258',
]
const VINV = '0432156789'

/** Aadhaar: 12 digits, first 2–9, Verhoeff check digit; plain or 4-4-4. */
function aadhaar(r: Rng): string {
  const payload = String(int(r, 2, 9)) + digits(r, 10)
  let c = 0
  for (let i = 0; i < payload.length; i++) {
    const digit = Number(payload[payload.length - 1 - i])
    c = Number((VD[c] as string)[Number((VP[(i + 1) % 8] as string)[digit])])
  }
  const n = payload + (VINV[c] as string)
  return r() < 0.5 ? n : groups(n, [4, 4, 4], ' ')
}

// ---- contact and network --------------------------------------------------------------------------------------

const FIRST = ['anna', 'jurgen', 'marie', 'lucia', 'giulia', 'pedro', 'sven', 'chloe', 'raj', 'fatima', 'o.nnell']
const LAST = ['schmidt', 'dubois', 'garcia', 'rossi', 'kowalski', 'van-dijk', 'nguyen', 'muller', 'bianchi']
const DOMAINS = ['example.com', 'mail.example.de', 'corp.example.fr', 'example.es', 'posta.example.it']
const RARE_TLDS = ['example.museum', 'example.photography', 'sub.dept.example.co.uk', 'xn--mnchen-3ya.example']

function email(r: Rng): string {
  const local = `${pick(r, FIRST)}${pick(r, ['.', '_', '-', '', '+billing.'])}${pick(r, LAST)}${r() < 0.3 ? int(r, 1, 99) : ''}`
  const domain = r() < 0.15 ? pick(r, RARE_TLDS) : pick(r, DOMAINS)
  const v = `${local}@${domain}`
  return r() < 0.1 ? v.toUpperCase() : v
}

function ip(r: Rng): string {
  const x = r()
  if (x < 0.65) return `${int(r, 1, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`
  const h = () => int(r, 1, 0xffff).toString(16)
  if (x < 0.8) return `2001:db8:${h()}:${h()}::${h()}`
  if (x < 0.9) return `fe80::${h()}:${h()}:${h()}:${h()}`
  if (x < 0.95)
    return [0x2a00, ...Array.from({ length: 7 }, () => int(r, 0, 0xffff))].map((v) => v.toString(16)).join(':')
  return `::ffff:${int(r, 1, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`
}

function dob(r: Rng, lang: Lang): string {
  const y = int(r, 1935, 2008)
  const m = int(r, 1, 12)
  const d = int(r, 1, 28)
  const form = int(r, 0, lang === 'en' ? 3 : 2)
  if (form === 0) return `${y}-${pad(m, 2)}-${pad(d, 2)}`
  if (form === 1) return lang === 'en' ? `${m}/${d}/${y}` : `${pad(d, 2)}.${pad(m, 2)}.${y}`
  if (form === 2) return `${pad(d, 2)}/${pad(m, 2)}/${y}`
  return `${d} ${['January', 'March', 'April', 'June', 'August', 'October', 'December'][m % 7]} ${y}`
}

// ---- secrets in the providers' published formats ---------------------------------------------------------------

const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url')

function jwt(r: Rng): string {
  const alg = pick(r, ['HS256', 'HS384', 'HS512'])
  const header = b64url(JSON.stringify({ alg, typ: 'JWT', ...(r() < 0.3 ? { kid: chars(r, BASE62, 8) } : {}) }))
  const claims = { sub: digits(r, 7), name: pick(r, FIRST), iat: 1_700_000_000 + int(r, 0, 9_999_999) }
  const payload = b64url(JSON.stringify(claims))
  const signature = createHmac(`sha${alg.slice(2)}`, chars(r, BASE62, 32))
    .update(`${header}.${payload}`)
    .digest('base64url')
  return `${header}.${payload}.${signature}`
}

/** AWS access key IDs: a four-letter prefix (AKIA long-term, ASIA temporary) and 16 characters of base32. */
const awsKey = (r: Rng): string =>
  `${pick(r, ['AKIA', 'AKIA', 'ASIA'])}${chars(r, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`

/** Provider tokens and passwords as keys' values. */
function secretValue(r: Rng): string {
  switch (int(r, 0, 5)) {
    case 0:
      return `${pick(r, ['ghp_', 'gho_', 'ghs_', 'ghr_'])}${chars(r, BASE62, 36)}`
    case 1:
      return `github_pat_${chars(r, BASE62, 22)}_${chars(r, BASE62, 59)}`
    case 2:
      return `${pick(r, ['sk_live_', 'rk_live_'])}${chars(r, BASE62, 24)}`
    case 3:
      return `xoxb-${digits(r, 12)}-${digits(r, 13)}-${chars(r, BASE62, 24)}`
    case 4:
      return `AIza${chars(r, B64URL, 35)}`
    default:
      return `${chars(r, BASE62, int(r, 6, 14))}${pick(r, ['!', '#', '$', '%', '*', '-', '_', '.', '@'])}${digits(r, 2)}`
  }
}

const opaqueToken = (r: Rng): string =>
  r() < 0.3 ? `ghp_${chars(r, BASE62, 36)}` : `${chars(r, B64URL, int(r, 24, 64))}${r() < 0.2 ? '==' : ''}`

const KEYS: { type: 'rsa' | 'ec' | 'ed25519'; pem: string }[] = []
function privateKey(r: Rng): string {
  if (KEYS.length < 24) {
    const type = pick(r, ['rsa', 'ec', 'ed25519'] as const)
    const pair =
      type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 1024 })
        : type === 'ec'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('ed25519')
    const format = type === 'rsa' && r() < 0.5 ? 'pkcs1' : type === 'ec' && r() < 0.5 ? 'sec1' : 'pkcs8'
    KEYS.push({ type, pem: pair.privateKey.export({ type: format, format: 'pem' }).toString().trim() })
  }
  return (pick(r, KEYS) as { pem: string }).pem
}

// ---- how each kind is written -----------------------------------------------------------------------------------

/** The noun or key people write before a value of each kind, per language (with the context word it needs). */
const LABELS: Partial<Record<DetectorKind, Record<Lang, string>>> = {
  email: { en: 'email', de: 'E-Mail', fr: 'courriel', es: 'correo', it: 'email' },
  phone: { en: 'phone', de: 'Telefon', fr: 'téléphone', es: 'teléfono', it: 'telefono' },
  card: { en: 'card', de: 'Karte', fr: 'carte', es: 'tarjeta', it: 'carta' },
  iban: { en: 'IBAN', de: 'IBAN', fr: 'IBAN', es: 'IBAN', it: 'IBAN' },
  us_ssn: { en: 'SSN', de: 'SSN', fr: 'SSN', es: 'SSN', it: 'SSN' },
  uk_nino: { en: 'NI number', de: 'NI-Nummer', fr: 'numéro NI', es: 'número NI', it: 'numero NI' },
  es_nif: { en: 'NIF', de: 'NIE/NIF', fr: 'NIF', es: 'DNI', it: 'NIF' },
  pl_pesel: { en: 'PESEL', de: 'PESEL', fr: 'PESEL', es: 'PESEL', it: 'PESEL' },
  nl_bsn: { en: 'BSN', de: 'BSN', fr: 'BSN', es: 'BSN', it: 'BSN' },
  de_tax_id: {
    en: 'German tax ID',
    de: 'Steuer-ID',
    fr: 'numéro fiscal allemand',
    es: 'NIF alemán',
    it: 'codice fiscale tedesco',
  },
  in_aadhaar: { en: 'Aadhaar', de: 'Aadhaar', fr: 'Aadhaar', es: 'Aadhaar', it: 'Aadhaar' },
  ip: { en: 'IP', de: 'IP', fr: 'IP', es: 'IP', it: 'IP' },
  dob: {
    en: 'date of birth',
    de: 'Geburtsdatum',
    fr: 'date de naissance',
    es: 'fecha de nacimiento',
    it: 'data di nascita',
  },
  aws_access_key: {
    en: 'access key id',
    de: 'Access-Key-ID',
    fr: 'access key id',
    es: 'access key id',
    it: 'access key id',
  },
  jwt: { en: 'session', de: 'Sitzung', fr: 'session', es: 'sesión', it: 'sessione' },
}

const JSON_KEYS: Partial<Record<DetectorKind, readonly string[]>> = {
  email: ['email', 'contact'],
  phone: ['phone', 'msisdn', 'telefono'],
  card: ['pan', 'card'],
  iban: ['iban', 'account'],
  us_ssn: ['ssn'],
  uk_nino: ['nino'],
  es_nif: ['nif', 'dni'],
  pl_pesel: ['pesel'],
  nl_bsn: ['bsn'],
  de_tax_id: ['steuerId', 'tax_id'],
  in_aadhaar: ['aadhaar'],
  ip: ['client_ip', 'remote_addr'],
  dob: ['dob', 'birthdate'],
  aws_access_key: ['aws_key_id', 'AccessKeyId'],
  jwt: ['id', 'jwt'],
}

const PROSE: Record<Lang, readonly string[]> = {
  en: [
    'Customer says the {label} {v} is correct, please update the record.',
    'Hi team, my {label} is {v} — can you check it? Thanks, Anna',
    'Could you confirm the {label} ({v}) before Friday?',
  ],
  de: [
    'Der Kunde bestätigt: {label} {v}, bitte im System ändern.',
    'Hallo zusammen, meine {label} lautet {v}. Viele Grüße, Jürgen',
  ],
  fr: ['Le client confirme le {label} {v}, merci de mettre à jour.', 'Bonjour, voici mon {label} : {v}. Cordialement'],
  es: ['El cliente confirma su {label} {v}, por favor actualizar.', 'Hola, mi {label} es {v}. Saludos, Lucía'],
  it: ['Il cliente conferma {label} {v}, aggiornare la scheda.', 'Buongiorno, la mia {label} è {v}. Grazie, Giulia'],
}

const TICKET: Record<Lang, string> = {
  en: 'Ticket #{n} (priority high): ',
  de: 'Ticket #{n} (Priorität hoch): ',
  fr: 'Ticket n° {n} (priorité haute) : ',
  es: 'Incidencia #{n} (prioridad alta): ',
  it: 'Segnalazione #{n} (priorità alta): ',
}
const MAIL: Record<Lang, [string, string]> = {
  en: ['Subject: account update\n\nHello,\n', '\n\nBest regards\nSupport'],
  de: ['Betreff: Kontoänderung\n\nGuten Tag,\n', '\n\nMit freundlichen Grüßen\nKundenservice'],
  fr: ['Objet : mise à jour du compte\n\nBonjour,\n', '\n\nBien cordialement\nService client'],
  es: ['Asunto: actualización de cuenta\n\nHola,\n', '\n\nUn saludo\nAtención al cliente'],
  it: ['Oggetto: aggiornamento account\n\nBuongiorno,\n', '\n\nCordiali saluti\nAssistenza'],
}

// ---- hard negatives: numbers and codes that look like values and are none -------------------------------------

const hex = (r: Rng, n: number): string => chars(r, '0123456789abcdef', n)
const NEGATIVES: readonly ((r: Rng) => string)[] = [
  (r) => `order ${digits(r, int(r, 8, 12))}`,
  (r) => `Bestellung ${int(r, 1000, 9999)}-${int(r, 2018, 2026)}-${digits(r, 4)}`,
  (r) => `invoice INV-${int(r, 2019, 2026)}-${digits(r, 6)}`,
  (r) => `facture FA${digits(r, 8)}`,
  (r) =>
    `${int(r, 2019, 2026)}-${pad(int(r, 1, 12), 2)}-${pad(int(r, 1, 28), 2)}T${pad(int(r, 0, 23), 2)}:${pad(int(r, 0, 59), 2)}:${pad(int(r, 0, 59), 2)}.${digits(r, 3)}Z`,
  (r) => `ts=${1_600_000_000 + int(r, 0, 199_999_999)}`,
  (r) => `epoch_ms=${1_600_000_000_000 + int(r, 0, 199_999_999) * 1000 + int(r, 0, 999)}`,
  (r) => `version ${int(r, 0, 20)}.${int(r, 0, 40)}.${int(r, 0, 300)}`,
  (r) => `build 10.0.${int(r, 10000, 26000)}.${int(r, 1000, 5000)}`,
  (r) => `sha256 ${hex(r, 64)}`,
  (r) => `commit ${hex(r, r() < 0.5 ? 7 : 40)}`,
  (r) => `md5 ${hex(r, 32)}`,
  (r) => `request ${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${pick(r, ['8', '9', 'a', 'b'])}${hex(r, 3)}-${hex(r, 12)}`,
  (r) => `ISBN 978-${int(r, 0, 9)}-${digits(r, 3)}-${digits(r, 5)}-${int(r, 0, 9)}`,
  (r) => `total ${int(r, 1, 9)}.${digits(r, 3)},${digits(r, 2)} €`,
  (r) => `amount $${int(r, 1, 99)},${digits(r, 3)}.${digits(r, 2)}`,
  (r) => `tracking 1Z${chars(r, ALNUM, 6)}${digits(r, 10)}`,
  (r) => {
    const payload = `4${digits(r, 14)}`
    return `ref ${payload}${(Number(luhnCheck(payload)) + int(r, 1, 9)) % 10}`
  },
  (r) => {
    const b = digits(r, 18)
    return `DE${pad(((98 - mod97(`${b}DE00`) + int(r, 1, 90)) % 97) + 2, 2)}${b}`.replace(/^(DE\d\d)/, 'ref $1')
  },
  (r) => `case ${pick(r, ['000', '666', `9${digits(r, 2)}`])}-${pad(int(r, 1, 99), 2)}-${pad(int(r, 1, 9999), 4)}`,
  (r) => `took ${int(r, 1, 9000)} ms, ${int(r, 1, 999)} KB`,
  (r) => `port ${int(r, 1024, 65535)}`,
  (r) => `SKU ${chars(r, UPPER, 3)}-${digits(r, 5)}-${digits(r, 2)}`,
  (r) => `lot ${digits(r, 4)}/${digits(r, 4)}`,
  (r) => `Kundennummer ${digits(r, 7)}`,
]

/** One hard negative. */
const negative = (r: Rng): string => pick(r, NEGATIVES)(r)

// ---- composing sentences ----------------------------------------------------------------------------------------

type Piece = string | { kind: DetectorKind; v: string }
const SERVICES = ['billing', 'crm-sync', 'payments', 'hr-feed', 'soap-gw', 'auth', 'kyc']
const logPrefix = (r: Rng): string =>
  `2024-${pad(int(r, 1, 12), 2)}-${pad(int(r, 1, 28), 2)}T${pad(int(r, 0, 23), 2)}:${pad(int(r, 0, 59), 2)}:${pad(int(r, 0, 59), 2)}Z ${pick(r, ['INFO', 'WARN', 'ERROR', 'DEBUG'])} [${pick(r, SERVICES)}] `

/** A value of a labelled kind, in one of the five genres. */
function labelled(r: Rng, kind: DetectorKind, lang: Lang, v: string): [string, Piece[]] {
  const label = (LABELS[kind] as Record<Lang, string>)[lang]
  const key = pick(r, JSON_KEYS[kind] as readonly string[])
  const value = { kind, v }
  const neg = negative(r)
  const genre = pick(r, kind === 'email' || kind === 'ip' || kind === 'jwt' ? GENRES_URL : GENRES)
  switch (genre) {
    case 'log':
      return [genre, [logPrefix(r), `${key}=`, ...(v.includes(' ') ? ['"', value, '"'] : [value]), ` ${neg}`]]
    case 'json':
      return [genre, [`{"${key}":"`, value, `","lang":"${lang}","note":"${neg}"}`]]
    case 'url':
      return [
        genre,
        [`GET https://portal.example.com/api/v2/lookup?${key}=`, value, `&lang=${lang} HTTP/1.1 200 (${neg})`],
      ]
    default: {
      const [before, after] = pick(r, PROSE[lang]).split('{v}') as [string, string]
      const body: Piece[] = [before.replace('{label}', label), value, `${after.replace('{label}', label)} (${neg})`]
      if (genre === 'ticket') return [genre, [TICKET[lang].replace('{n}', digits(r, 5)), ...body]]
      return [genre, [MAIL[lang][0], ...body, MAIL[lang][1]]]
    }
  }
}
const GENRES = ['log', 'json', 'ticket', 'email'] as const
const GENRES_URL = [...GENRES, 'url'] as const

const ENV_KEYS = ['GITHUB_TOKEN', 'STRIPE_SECRET_KEY', 'SLACK_BOT_TOKEN', 'GOOGLE_API_KEY']
const SECRET_KEYS = [
  'password',
  'passwd',
  'pwd',
  'api_key',
  'apikey',
  'client_secret',
  'access_token',
  'secret',
  'x-api-key',
]

/** The credential kinds, each in the places it is written. */
function credential(r: Rng, kind: DetectorKind, lang: Lang): [string, Piece[]] {
  const neg = negative(r)
  switch (kind) {
    case 'secret': {
      const v = { kind, v: secretValue(r) }
      const form = int(r, 0, 4)
      if (form === 0) return ['log', [logPrefix(r), `login ${pick(r, SECRET_KEYS)}=`, v, ` ${neg}`]]
      if (form === 1) return ['json', [`{"user":"svc","${pick(r, SECRET_KEYS)}":"`, v, `","ref":"${neg}"}`]]
      if (form === 2) {
        const encoded = { kind, v: encodeURIComponent(v.v) }
        return ['url', ['POST https://api.example.com/v1/sync?api_key=', encoded, `&lang=${lang} (${neg})`]]
      }
      if (form === 3) return ['env', [`${pick(r, ENV_KEYS)}=`, v, `\n# ${neg}`]]
      return [
        'ticket',
        [TICKET[lang].replace('{n}', digits(r, 5)), `config: ${pick(r, SECRET_KEYS)}: `, v, ` (${neg})`],
      ]
    }
    case 'bearer_token': {
      const lead: Record<Lang, string> = {
        en: 'The integration called /orders with Bearer ',
        de: 'Die Schnittstelle rief /orders mit Bearer ',
        fr: "L'intégration a appelé /orders avec Bearer ",
        es: 'La integración llamó a /orders con Bearer ',
        it: "L'integrazione ha chiamato /orders con Bearer ",
      }
      return [
        'ticket',
        [TICKET[lang].replace('{n}', digits(r, 5)), lead[lang], { kind, v: opaqueToken(r) }, ` — 401 (${neg})`],
      ]
    }
    case 'auth_header': {
      const v = {
        kind,
        v:
          r() < 0.6
            ? `Basic ${Buffer.from(`${pick(r, FIRST)}:${secretValue(r)}`).toString('base64')}`
            : `Bearer ${opaqueToken(r)}`,
      }
      const name = r() < 0.85 ? 'Authorization' : 'Proxy-Authorization'
      const form = int(r, 0, 2)
      if (form === 0) return ['log', [logPrefix(r), `${neg} request headers: ${name}: `, v]]
      if (form === 1) return ['json', [`{"headers":{"${name}":"`, v, `","Accept":"application/json"},"ref":"${neg}"}`]]
      return [
        'ticket',
        [TICKET[lang].replace('{n}', digits(r, 5)), `curl -H '${name}: `, v, `' https://erp.example.com/api (${neg})`],
      ]
    }
    case 'cookie': {
      const v = { kind, v: `sid=${hex(r, 32)}; csrftoken=${chars(r, BASE62, 24)}; lang=${lang}` }
      return r() < 0.5
        ? ['log', [logPrefix(r), `${neg} Cookie: `, v]]
        : ['json', [`{"headers":{"cookie":"`, v, `"},"ref":"${neg}"}`]]
    }
    case 'private_key': {
      const v = { kind, v: privateKey(r) }
      const [hello, bye] = MAIL[lang]
      return ['email', [hello, `key for the SFTP export (${neg}):\n`, v, bye]]
    }
    default: {
      // url_credentials: `user:password` (or `:password`) in a URL; percent-encoded passwords too.
      const user = r() < 0.25 ? '' : pick(r, FIRST).replace('.', '')
      const password = `${chars(r, BASE62, int(r, 8, 16))}${r() < 0.3 ? pick(r, ['%40', '%23', '%2F', '%3A']) : ''}${digits(r, 2)}`
      const scheme = pick(r, ['postgres', 'redis', 'https', 'amqp', 'mongodb', 'ftp'])
      const v = { kind, v: `${user}:${password}` }
      return ['log', [logPrefix(r), `connecting to ${scheme}://`, v, `@db.internal.example:5432/app (${neg})`]]
    }
  }
}

const LABELLED_KINDS: readonly DetectorKind[] = [
  'email',
  'card',
  'iban',
  'us_ssn',
  'uk_nino',
  'es_nif',
  'pl_pesel',
  'nl_bsn',
  'de_tax_id',
  'in_aadhaar',
  'ip',
  'dob',
  'aws_access_key',
  'jwt',
]
const CREDENTIAL_KINDS: readonly DetectorKind[] = [
  'secret',
  'bearer_token',
  'auth_header',
  'cookie',
  'private_key',
  'url_credentials',
]
/** Every kind the corpus plants: all the detectors report. */
export const PLANTED_KINDS: readonly DetectorKind[] = [...LABELLED_KINDS, 'phone', ...CREDENTIAL_KINDS]

function drawValue(r: Rng, kind: DetectorKind, lang: Lang): string {
  switch (kind) {
    case 'email':
      return email(r)
    case 'card':
      return card(r)
    case 'iban':
      return iban(r)
    case 'us_ssn':
      return ssn(r)
    case 'uk_nino':
      return nino(r)
    case 'es_nif':
      return nif(r)
    case 'pl_pesel':
      return pesel(r)
    case 'nl_bsn':
      return bsn(r)
    case 'de_tax_id':
      return deTaxId(r)
    case 'in_aadhaar':
      return aadhaar(r)
    case 'ip':
      return ip(r)
    case 'dob':
      return dob(r, lang)
    case 'aws_access_key':
      return awsKey(r)
    default:
      return jwt(r)
  }
}

function assemble(pieces: readonly Piece[]): { text: string; planted: PlantedValue[] } {
  let text = ''
  const planted: PlantedValue[] = []
  for (const p of pieces) {
    if (typeof p === 'string') text += p
    else {
      planted.push({ kind: p.kind, start: text.length, end: text.length + p.v.length })
      text += p.v
    }
  }
  return { text, planted }
}

/**
 * `count` sentences, kinds in turn (every kind equally often), languages and genres drawn; and `negatives` texts
 * holding hard negatives only, in log lines, tickets and JSON. Deterministic for a seed.
 */
export function buildIssuerCorpus(
  count: number,
  negatives: number,
  seed = 2026,
): { sentences: PlantedSentence[]; negatives: string[] } {
  const r = rng(seed)
  const sentences: PlantedSentence[] = []
  for (let i = 0; i < count; i++) {
    const kind = PLANTED_KINDS[i % PLANTED_KINDS.length] as DetectorKind
    const lang = pick(r, LANGS)
    let genre: string
    let pieces: Piece[]
    if (kind === 'phone') {
      const phone = drawPhone(r)
      ;[genre, pieces] = labelled(r, 'phone', lang, phone)
    } else if (LABELLED_KINDS.includes(kind)) [genre, pieces] = labelled(r, kind, lang, drawValue(r, kind, lang))
    else [genre, pieces] = credential(r, kind, lang)
    sentences.push({ ...assemble(pieces), lang, genre })
  }
  const negs: string[] = []
  for (let i = 0; i < negatives; i++) {
    const a = negative(r)
    const b = negative(r)
    negs.push(
      pick(r, [
        `${logPrefix(r)}${a} ${b}`,
        `${TICKET[pick(r, LANGS)].replace('{n}', digits(r, 5))}${a}, ${b}`,
        `{"ref":"${a}","note":"${b}"}`,
      ]),
    )
  }
  return { sentences, negatives: negs }
}
