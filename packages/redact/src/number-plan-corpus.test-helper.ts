// A labelled corpus of phone numbers drawn from number-plan ranges, not from example numbers or from the scanner's
// patterns: for each region, random national numbers of the lengths its plan allows are drawn and kept only when
// libphonenumber-js (full metadata, an implementation we did not write) calls them valid; they are then written
// in the forms people use (libphonenumber's own national and international formats, compact, `+CC (0)`, slash,
// extensions, a joined word, in a URL, under a JSON key) inside log lines, tickets, e-mails, JSON and URLs in
// English, German, French, Spanish and Italian. Hard negatives (order numbers, timestamps, versions, ISBNs, UUIDs,
// SSNs, IBAN and card digit groups, Luhn-failing 16-digit numbers, prices) are planted beside them.
import { type CountryCode, getCountryCallingCode, isValidPhoneNumber, parsePhoneNumber } from 'libphonenumber-js/max'

export interface PlantedPhone {
  text: string
  /** Where the planted number stands (its whole written form, extension included). */
  start: number
  end: number
  /** The form it is written in. */
  form: string
  /** The number in E.164, as drawn. */
  e164: string
}

const REGIONS: readonly { region: CountryCode; lengths: readonly number[]; trunk: boolean }[] = [
  { region: 'DE', lengths: [10, 11], trunk: true },
  { region: 'GB', lengths: [10], trunk: true },
  { region: 'FR', lengths: [9], trunk: true },
  { region: 'NL', lengths: [9], trunk: true },
  { region: 'CH', lengths: [9], trunk: true },
  { region: 'AT', lengths: [10, 11], trunk: true },
  { region: 'ES', lengths: [9], trunk: false },
  { region: 'IT', lengths: [9, 10], trunk: false },
  { region: 'PT', lengths: [9], trunk: false },
  { region: 'DK', lengths: [8], trunk: false },
  { region: 'NO', lengths: [8], trunk: false },
  { region: 'US', lengths: [10], trunk: false },
]

/** The Luhn check digit completing `payload`, computed here, apart from the package's own code. */
export function luhnCheck(payload: string): string {
  let sum = 0
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i])
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  }
  return String((10 - (sum % 10)) % 10)
}

export type Rng = () => number
export function rng(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T
const digits = (r: Rng, n: number): string => Array.from({ length: n }, () => Math.floor(r() * 10)).join('')

/** A random national number of `region` that libphonenumber-js calls valid (rejection sampling over its lengths). */
function drawNumber(r: Rng, region: (typeof REGIONS)[number]): string {
  for (;;) {
    const nsn = String(1 + Math.floor(r() * 9)) + digits(r, pick(r, region.lengths) - 1)
    const e164 = `+${getCountryCallingCode(region.region)}${nsn}`
    if (isValidPhoneNumber(e164)) return e164
  }
}

/** The forms a number of this region is written in; each is valid by construction (checked again by the test). */
function writtenForms(r: Rng, e164: string, region: (typeof REGIONS)[number]): [string, string][] {
  const p = parsePhoneNumber(e164)
  const nsn = String(p.nationalNumber)
  const cc = String(p.countryCallingCode)
  const forms: [string, string][] = [
    ['international', p.formatInternational()],
    ['national', p.formatNational()],
    ['E.164', p.number],
  ]
  if (region.trunk) {
    forms.push(['compact national', `0${nsn}`])
    forms.push(['+CC (0)', `+${cc} (0)${nsn.slice(0, 2)} ${nsn.slice(2, 6)} ${nsn.slice(6)}`])
  }
  if (region.region === 'DE') forms.push(['slash', `0${nsn.slice(0, 3)}/${nsn.slice(3)}`])
  if (region.region === 'US') {
    forms.push(['NANP dotted', `${nsn.slice(0, 3)}.${nsn.slice(3, 6)}.${nsn.slice(6)}`])
    forms.push(['NANP 1-', `1-${nsn.slice(0, 3)}-${nsn.slice(3, 6)}-${nsn.slice(6)}`])
  }
  forms.push(['extension', `${p.formatInternational()} ${pick(r, ['ext. ', 'x', '#'])}${digits(r, 3)}`])
  return forms
}

/** One number drawn from a region's plan, written in one of the forms of that region (for other corpora). */
export function drawPhone(r: Rng): string {
  const region = pick(r, REGIONS)
  return (pick(r, writtenForms(r, drawNumber(r, region), region)) as [string, string])[1]
}

const TEMPLATES: Record<string, readonly string[]> = {
  en: [
    'INFO callback requested by customer, phone {v}, ticket closed',
    'Hi team, please call me back on {v} before 5pm. Thanks, Anna',
    'WARN sms delivery failed to={v} provider=twilio retry=3',
  ],
  de: [
    'Bitte rufen Sie mich unter {v} zurück. Viele Grüße, Jürgen',
    'Kunde erreichbar unter {v} (Mo–Fr), Ticket #4711 offen',
  ],
  fr: ['Merci de me rappeler au {v} dès que possible.', 'Client joignable au {v}, dossier 2024-0031 en cours'],
  es: ['Por favor, llámame al {v} mañana por la mañana.', 'El cliente dejó su número {v} en el formulario'],
  it: ['Mi può richiamare al {v}? Grazie mille.', 'Cliente raggiungibile al {v}, pratica aperta'],
}

const NEGATIVES: readonly ((r: Rng) => string)[] = [
  (r) => `order ${digits(r, 10)}`,
  (r) => `invoice INV-${digits(r, 8)}`,
  (r) => `2024-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}T12:${digits(r, 2).replace(/^[6-9]/, '5')}:00Z`,
  (r) => `ts=${1_700_000_000_000 + Math.floor(r() * 1e10)}`,
  (r) => `version ${Math.floor(r() * 20)}.${Math.floor(r() * 50)}.${Math.floor(r() * 300)}`,
  () => 'ISBN 978-3-16-148410-0',
  (r) =>
    `id ${digits(r, 8).replace(/\d/g, (d) => 'abcdef0123456789'[Number(d)] as string)}-e89b-12d3-a456-426614174000`,
  (r) => `total ${Math.floor(r() * 9000 + 1000)},${digits(r, 2)} EUR`,
  (r) => {
    const d = `4${digits(r, 14)}`
    const wrong = (Number(luhnCheck(d)) + 1 + Math.floor(r() * 9)) % 10
    return `card ${`${d}${wrong}`.replace(/(\d{4})(?=\d)/g, '$1 ')}`
  },
  () => 'GT82 TRAJ 0102 0000 0012 1002 9690',
  () => 'ssn 536-22-8726',
]

/** `count` sentences, each with one planted phone number; and the negatives text planted beside it. */
export function buildPhoneCorpus(count: number, seed = 14): { sentences: PlantedPhone[]; negatives: string[] } {
  const r = rng(seed)
  const sentences: PlantedPhone[] = []
  const negatives: string[] = []
  const langs = Object.keys(TEMPLATES)
  while (sentences.length < count) {
    const region = pick(r, REGIONS)
    const e164 = drawNumber(r, region)
    for (const [form, written] of writtenForms(r, e164, region)) {
      const template = pick(r, TEMPLATES[pick(r, langs)] as readonly string[])
      const at = template.indexOf('{v}')
      sentences.push({
        text: template.replace('{v}', written),
        start: at,
        end: at + written.length,
        form,
        e164,
      })
      negatives.push(`${pick(r, NEGATIVES)(r)} ${pick(r, NEGATIVES)(r)}`)
    }
    // In a URL and in JSON, as systems write them.
    const q = `GET /api/v1/contacts?phone=%2B${e164.slice(1)}&lang=de HTTP/1.1`
    sentences.push({ text: q, start: q.indexOf('%2B'), end: q.indexOf('&'), form: '%2B in a URL', e164 })
    const j = `{"msisdn":"${e164.slice(1)}","status":"active"}`
    sentences.push({ text: j, start: 11, end: 11 + e164.length - 1, form: 'JSON msisdn', e164 })
  }
  return { sentences, negatives }
}
