// Context words, matched as whole words after one hash: keys whose value is a secret (`password`, `api_key`),
// header names, and words that change how a nearby number is read (`born`, `ssn`, `order`, month names).
import type { DetectorKind } from './kinds'

// Context words, matched as whole words (lowercased); what each does when it is seen.
export enum Ctx {
  AuthHeader = 1,
  Cookie = 2,
  Bearer = 3,
  SecretKey = 4,
  EntropyKey = 5,
  Dob = 6,
  Ssn = 7,
  Bsn = 8,
  Negative = 9,
  Month = 10,
  Phone = 11,
  TaxId = 12,
}

const CONTEXT = new Map<string, Ctx>()
const addCtx = (ctx: Ctx, words: string): void => {
  for (const w of words.split(' ')) CONTEXT.set(w, ctx)
}
addCtx(Ctx.AuthHeader, 'authorization proxy-authorization')
addCtx(Ctx.Cookie, 'cookie set-cookie')
addCtx(Ctx.Bearer, 'bearer')
addCtx(
  Ctx.SecretKey,
  'password passwd pwd passphrase secret token access_token accesstoken refresh_token refreshtoken id_token ' +
    'api_key apikey api-key x-api-key client_secret clientsecret private_key privatekey auth_token authtoken ' +
    'x-auth-token session_token sessiontoken sessionid session_id jsessionid secret_key secretkey ' +
    'aws_secret_access_key access_key_secret',
)
addCtx(Ctx.EntropyKey, 'key auth credential credentials signature sig access_key accesskey')
addCtx(
  Ctx.Dob,
  'dob born birth birthday birthdate date_of_birth geboren geburtsdatum naissance nacimiento nacido nacida ' +
    'nascita nato nata',
)
addCtx(Ctx.Ssn, 'ssn social')
addCtx(Ctx.Bsn, 'bsn burgerservicenummer')
addCtx(
  Ctx.Negative,
  'order invoice ticket ref reference tracking sku txn transaction bytes size count qty amount port pid build ' +
    'version seq offset bestellung bestellnummer rechnung auftrag commande facture pedido factura ordine fattura ' +
    'kundennummer lot',
)
// Words naming a German tax ID: an 11-digit number right after one is read as that before a PESEL.
addCtx(
  Ctx.TaxId,
  'tax steuer steuer-id steuerid idnr steuer-idnr steueridentifikationsnummer tax_id taxid fiscal fiscale',
)
addCtx(
  Ctx.Phone,
  'phone phone_number phonenumber tel telephone mobile mobile_number msisdn cell cellphone fax handy telefon ' +
    'telefono telefonnummer mobil movil portable whatsapp',
)
const MONTHS = 'jan feb mar apr may jun jul aug sep oct nov dec'.split(' ')
const MONTH_NAMES = 'january february march april may june july august september october november december'.split(' ')
for (const m of [...MONTHS, ...MONTH_NAMES, 'sept']) CONTEXT.set(m, Ctx.Month)
export const monthNumber = (word: string): number => {
  const w = word.toLowerCase()
  const i = MONTHS.indexOf(w.slice(0, 3))
  return i < 0 || (w.length > 3 && !MONTH_NAMES[i]?.startsWith(w) && w !== 'sept') ? 0 : i + 1
}
/** Every context word of the tables (lowercased): for the tests that repeat each one to prove the pass linear. */
export const CONTEXT_WORDS: readonly string[] = [...CONTEXT.keys()]

// Words are looked up by a hash of their lowercased characters first, so most words cost no string copy.
export const wordHash = (t: string, s: number, e: number): number => {
  let h = 0
  for (let i = s; i < e; i++) h = (Math.imul(h, 31) + (t.charCodeAt(i) | 32)) | 0
  return h
}
export const CONTEXT_HASHES = new Set<number>()
const CONTEXT_BY_HASH = new Map<number, [string, Ctx][]>()
// First parts of hyphenated context words (`set` of set-cookie, `x` of x-api-key).
export const HYPHEN_HASHES = new Set<number>()
// A 4096-bit filter in front of the set: most words are turned away by one array read.
export const CONTEXT_FILTER = new Uint8Array(4096)
/**
 * The first two characters (lowercased, as the hash reads them) of every context word, and the lengths of the word
 * and of the first part of a hyphenated one, as bits (bit 31: 31 or more), at `first * 128 + second`: a word of
 * another shape is no context word, and is never hashed. `proxy` and `x` (of `x-api-key`, second character `-`)
 * are read before their hyphen, so their part's length is the one a word can have.
 */
const CONTEXT_SHAPES = new Int32Array(128 * 128)
const shapeAt = (t: string, s: number): number =>
  ((t.charCodeAt(s) | 32) & 127) * 128 + ((t.charCodeAt(s + 1) | 32) & 127)
/** The word `t[s, e)` has the first two characters and the length of a context word (or of its first part). */
export const contextShaped = (t: string, s: number, e: number): boolean =>
  (((CONTEXT_SHAPES[shapeAt(t, s)] as number) >> Math.min(e - s, 31)) & 1) === 1
for (const [w, ctx] of CONTEXT) {
  const first = w.indexOf('-') > 0 ? w.slice(0, w.indexOf('-')) : w
  CONTEXT_SHAPES[shapeAt(w, 0)] = (CONTEXT_SHAPES[shapeAt(w, 0)] as number) | (1 << Math.min(first.length, 31))
  const h = wordHash(w, 0, w.length)
  CONTEXT_HASHES.add(h)
  CONTEXT_FILTER[h & 4095] = 1
  CONTEXT_BY_HASH.set(h, [...(CONTEXT_BY_HASH.get(h) ?? []), [w, ctx]])
  const dash = w.indexOf('-')
  if (dash > 0) HYPHEN_HASHES.add(wordHash(w, 0, dash))
}

/** The context of the word `t[s, e)` with hash `h`, compared without copying it. */
export function contextOf(t: string, s: number, e: number, h: number): Ctx | undefined {
  const entries = CONTEXT_BY_HASH.get(h)
  if (entries === undefined) return undefined
  for (let x = 0; x < entries.length; x++) {
    const [w, ctx] = entries[x] as [string, Ctx]
    if (w.length !== e - s) continue
    let same = true
    for (let i = 0; i < w.length && same; i++) same = (t.charCodeAt(s + i) | 32) === (w.charCodeAt(i) | 32)
    if (same) return ctx
  }
  return undefined
}

/**
 * The secret kind an object key names (`authorization`, `Cookie`, `set-cookie`, `password`, `api_key`, …): the
 * value under such a key is a secret whatever it looks like.
 */
export function secretKindOfKey(key: string): DetectorKind | undefined {
  if (key.length > 28) return undefined
  const ctx = CONTEXT.get(key.toLowerCase())
  return ctx === Ctx.AuthHeader
    ? 'auth_header'
    : ctx === Ctx.Cookie
      ? 'cookie'
      : ctx === Ctx.SecretKey
        ? 'secret'
        : undefined
}
