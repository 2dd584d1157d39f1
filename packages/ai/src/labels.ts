import { KINDS } from '@fieldkit/redact'

/**
 * The placeholder label of each kind of personal data the redactor finds. Labels have no underscore, so
 * `KIND_N` splits one way only. `denied` (the caller's deny list: names, project words) becomes `DATA`.
 */
export const PLACEHOLDER_LABELS: Readonly<Record<string, string>> = Object.freeze({
  __proto__: null,
  email: 'EMAIL',
  phone: 'PHONE',
  card: 'CARD',
  iban: 'IBAN',
  us_ssn: 'SSN',
  uk_nino: 'NINO',
  de_tax_id: 'TAXID',
  es_nif: 'NIF',
  pl_pesel: 'PESEL',
  nl_bsn: 'BSN',
  in_aadhaar: 'AADHAAR',
  ip: 'IP',
  dob: 'DOB',
  denied: 'DATA',
  key: 'DATA',
} as unknown as Record<string, string>)

/** Credential kinds (from `jwt` on in the redactor's list): replaced irreversibly, never put in the vault. */
export const SECRET_KINDS: ReadonlySet<string> = new Set(KINDS.slice(KINDS.indexOf('jwt')))

/** Every label, longest first (a regex alternation must try `AADHAAR` before a shorter one sharing its start). */
export const LABELS: readonly string[] = [...new Set(Object.values(PLACEHOLDER_LABELS))].sort(
  (a, b) => b.length - a.length,
)

/** What a secret is replaced with: a fixed mark that no placeholder pattern matches. */
export const SECRET_MARK = '[SECRET]'
