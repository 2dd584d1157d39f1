/** Every kind of value the built-in detectors find: personal data, then credentials (from `jwt` on). */
export const KINDS = [
  'email',
  'phone',
  'card',
  'iban',
  'us_ssn',
  'uk_nino',
  'de_tax_id',
  'es_nif',
  'pl_pesel',
  'nl_bsn',
  'in_aadhaar',
  'ip',
  'dob',
  'jwt',
  'auth_header',
  'cookie',
  'bearer_token',
  'aws_access_key',
  'private_key',
  'url_credentials',
  'secret',
] as const

/** A kind a built-in detector reports. */
export type DetectorKind = (typeof KINDS)[number]

/** The credential kinds: secrets, tokens, keys, cookies and authorization headers. */
export const CREDENTIAL_KINDS: ReadonlySet<string> = new Set(KINDS.slice(KINDS.indexOf('jwt')))

/**
 * The kind of a finding: a detector's kind, `denied` (a value on the caller's deny list) or `key` (a value under a
 * key path given in `keys`).
 */
export type Kind = DetectorKind | 'denied' | 'key'

/** The text `redact` puts in place of a value of each kind. */
export const LABELS: Readonly<Record<Kind, string>> = {
  email: '[EMAIL]',
  phone: '[PHONE]',
  card: '[CARD]',
  iban: '[IBAN]',
  us_ssn: '[SSN]',
  uk_nino: '[NINO]',
  de_tax_id: '[TAX_ID]',
  es_nif: '[NIF]',
  pl_pesel: '[PESEL]',
  nl_bsn: '[BSN]',
  in_aadhaar: '[AADHAAR]',
  ip: '[IP]',
  dob: '[DOB]',
  jwt: '[JWT]',
  auth_header: '[AUTHORIZATION]',
  cookie: '[COOKIE]',
  bearer_token: '[TOKEN]',
  aws_access_key: '[AWS_KEY]',
  private_key: '[PRIVATE_KEY]',
  url_credentials: '[CREDENTIALS]',
  secret: '[SECRET]',
  denied: '[REDACTED]',
  key: '[REDACTED]',
}
