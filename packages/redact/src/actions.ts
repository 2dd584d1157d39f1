import { createHmac } from 'node:crypto'
import { ibanChecksumValid, luhnValid } from './checksums'
import { CREDENTIAL_KINDS, type Kind, LABELS } from './kinds'

/**
 * What happens to a value that was found: `redact` puts a label (`[EMAIL]`), `mask` keeps the last four letters or
 * digits (at most half of them; none of a credential), `hash` puts an HMAC-SHA-256 of the value (same value, same output), `tokenise` puts a deterministic
 * stand-in of the same shape and length, `drop` removes it.
 */
export type Action = 'redact' | 'mask' | 'hash' | 'tokenise' | 'drop'

export const ACTIONS: readonly Action[] = ['redact', 'mask', 'hash', 'tokenise', 'drop']

const NUMERIC_KINDS = new Set<Kind>(['card', 'phone', 'us_ssn', 'de_tax_id', 'pl_pesel', 'nl_bsn', 'in_aadhaar'])

/** The form a value is keyed by for `hash` and `tokenise`, so `4111 1111…` and `4111-1111…` give the same output. */
function normalise(kind: Kind, value: string): string {
  if (NUMERIC_KINDS.has(kind)) return value.replace(/\D/g, '')
  if (kind === 'iban' || kind === 'uk_nino' || kind === 'es_nif') return value.replace(/[\s-]/g, '').toUpperCase()
  if (kind === 'email') return value.toLowerCase()
  return value
}

/**
 * Stars for every letter and digit but the last four, keeping separators; a short value keeps at most half of its
 * letters and digits (`a@b.io` → `*@*.io`), and a credential keeps none (part of a key or password still helps a
 * guess), so a mask never gives a value away.
 */
export function mask(kind: Kind, value: string): string {
  let letters = 0
  for (let i = 0; i < value.length; i++) if (!isSeparator(value.charCodeAt(i))) letters++
  let keep = CREDENTIAL_KINDS.has(kind) ? 0 : Math.min(4, Math.floor(letters / 2))
  let out = ''
  for (let i = value.length - 1; i >= 0; i--) {
    const c = value.charCodeAt(i)
    if (isSeparator(c)) out = value[i] + out
    else if (keep > 0 && c < 128) {
      keep--
      out = value[i] + out
    } else {
      // Other scripts are starred, never kept: a kept half of a surrogate pair would be a broken character.
      keep = 0
      out = `*${out}`
    }
  }
  return out
}

/** ASCII white space and punctuation: kept by `mask`, so the value keeps its shape. */
const isSeparator = (c: number): boolean =>
  c < 128 && !((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))

export function hmacHex(secret: Uint8Array, kind: Kind, value: string): string {
  return createHmac('sha256', secret)
    .update(`${kind}\u0000${normalise(kind, value)}`)
    .digest('hex')
}

function tokenBytes(secret: Uint8Array, kind: Kind, value: string, length: number): Uint8Array {
  const out = new Uint8Array(length)
  const key = `tokenise\u0000${kind}\u0000${normalise(kind, value)}`
  for (let block = 0, filled = 0; filled < length; block++) {
    const digest = createHmac('sha256', secret).update(`${block}\u0000${key}`).digest()
    for (let i = 0; i < digest.length && filled < length; i++) out[filled++] = digest[i] as number
  }
  return out
}

/** A deterministic stand-in keeping separators, digit/letter positions and case; cards Luhn-invalid, IBANs mod-97-invalid. */
export function tokenise(secret: Uint8Array, kind: Kind, value: string): string {
  const bytes = tokenBytes(secret, kind, value, value.length)
  const chars = value.split('')
  let keepFrom = chars.length
  if (kind === 'email') keepFrom = value.lastIndexOf('.') > value.indexOf('@') ? value.lastIndexOf('.') : chars.length
  const start = kind === 'iban' ? 2 : 0
  // Bytes are taken per letter or digit, not per character, so `4111 1111…` and `4111-1111…` get the same digits.
  let at = 0
  for (let i = start; i < keepFrom; i++) {
    const c = chars[i] as string
    if (!/[A-Za-z0-9]/.test(c)) continue
    const b = bytes[at++] as number
    if (c >= '0' && c <= '9') chars[i] = String.fromCharCode(48 + (b % 10))
    else if (c >= 'A' && c <= 'Z') chars[i] = String.fromCharCode(65 + (b % 26))
    else if (c >= 'a' && c <= 'z') chars[i] = String.fromCharCode(97 + (b % 26))
  }
  const bumpLastDigit = (): void => {
    for (let i = chars.length - 1; i >= 0; i--) {
      const c = chars[i] as string
      if (c >= '0' && c <= '9') {
        chars[i] = String.fromCharCode(48 + ((c.charCodeAt(0) - 47) % 10))
        return
      }
    }
  }
  if (kind === 'card' && luhnValid(chars.join('').replace(/\D/g, ''))) bumpLastDigit()
  if (kind === 'iban' && ibanChecksumValid(chars.join('').replace(/[\s-]/g, ''))) bumpLastDigit()
  let token = chars.join('')
  if (token === value) {
    bumpLastDigit()
    token = chars.join('')
  }
  return token
}

/** The text that replaces `value` of `kind` under `action`. */
export function replacement(action: Action, kind: Kind, value: string, secret: Uint8Array | undefined): string {
  switch (action) {
    case 'redact':
      return LABELS[kind]
    case 'mask':
      return mask(kind, value)
    case 'hash':
      return `${LABELS[kind].slice(0, -1)}:${hmacHex(secret as Uint8Array, kind, value).slice(0, 24)}]`
    case 'tokenise':
      return tokenise(secret as Uint8Array, kind, value)
    case 'drop':
      return ''
  }
}
