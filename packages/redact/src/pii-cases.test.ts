import { readFileSync } from 'node:fs'
import { getCountries, isValidPhoneNumber } from 'libphonenumber-js/max'
import { describe, expect, it } from 'vitest'
import { createRedactor, type Kind } from './index'

interface Case {
  kind: string
  value: string
  shouldDetect: boolean
  note?: string
  span?: [number, number]
  spans?: [number, number][]
}

// The kinds issue 9 names, mapped to this package's kinds. `date` values are dates of birth only near a context
// word, so they are tested after "DOB: ".
const KIND_OF: Record<string, Kind> = {
  credit_card: 'card',
  iban: 'iban',
  iban_in_text: 'iban',
  us_ssn: 'us_ssn',
  uk_nino: 'uk_nino',
  de_tax_id: 'de_tax_id',
  es_nif: 'es_nif',
  pl_pesel: 'pl_pesel',
  in_aadhaar: 'in_aadhaar',
  email: 'email',
  phone: 'phone',
  ip_address: 'ip',
  date: 'dob',
  negative_text: 'card',
}

const cases = (
  JSON.parse(
    readFileSync(new URL('../../../fixtures/shared/vectors/pii-cases.json', import.meta.url), 'utf8'),
  ) as Case[]
).filter((c) => c.kind in KIND_OF)

const redactor = createRedactor()

/** Valid as a number of some region by libphonenumber-js and its full metadata: an oracle we did not write. */
function validSomewhere(value: string): boolean {
  return getCountries().some((region) => isValidPhoneNumber(value, region))
}

describe('pii-cases.json (../shared/vectors), kinds of issue 9', () => {
  it('covers every case of those kinds', () => {
    expect(cases.length).toBeGreaterThan(400)
  })

  for (const c of cases.filter((x) => x.shouldDetect)) {
    it(`${c.kind}: finds ${JSON.stringify(c.value)}`, () => {
      const prefix = c.kind === 'date' ? 'DOB: ' : ''
      const text = prefix + c.value
      const { findings } = redactor.redactString(text)
      if (c.kind === 'iban_in_text' && c.span === undefined && c.spans === undefined) {
        // No span given ("DE89370400440532013000 2 days"): one IBAN finding that stops before the " 2".
        const iban = findings.filter((f) => f.kind === 'iban')
        expect(iban).toHaveLength(1)
        expect(text.slice((iban[0]?.offset ?? 0) + (iban[0]?.length ?? 0))).toMatch(/^ 2 days/)
        return
      }
      const wanted = c.spans ?? (c.span ? [c.span] : [[0, c.value.length]])
      for (const [start, end] of wanted) {
        expect(findings).toContainEqual(
          expect.objectContaining({ kind: KIND_OF[c.kind], offset: start + prefix.length, length: end - start }),
        )
      }
    })
  }

  for (const c of cases.filter((x) => !x.shouldDetect)) {
    // One negative text holds a valid North American phone number; its case is about IBANs ("no IBAN here").
    const onlyKind = c.note === 'no IBAN here' ? 'iban' : undefined
    it(`${c.kind}: no finding in ${JSON.stringify(c.value)}${onlyKind ? ' (of kind iban)' : ''}`, () => {
      const prefix = c.kind === 'date' ? 'DOB: ' : ''
      const text = prefix + c.value
      const { findings } = redactor.redactString(text)
      // A negative of another kind that is a phone number valid in some region by libphonenumber's own metadata
      // (Presidio's 10-digit non-SSN `0780511201` is a French mobile number) may be reported as a phone, and only so.
      const notPhones = findings.filter(
        (f) => f.kind !== 'phone' || !validSomewhere(text.slice(f.offset ?? 0, (f.offset ?? 0) + f.length)),
      )
      expect(notPhones.filter((f) => onlyKind === undefined || f.kind === onlyKind)).toEqual([])
    })
  }
})
