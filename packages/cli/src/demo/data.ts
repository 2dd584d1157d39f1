import { seededRandom } from '@fieldkit/mocks'

/** One employee of the demo's HR system (the SOAP service). */
export interface DemoEmployee {
  /** Six digits with leading zeros: must survive every hop as a string. */
  id: string
  name: string
  email: string
  department: string
  hiredOn: string
}

/** One account of the demo's CRM (the REST API), owned by an employee through their email. */
export interface DemoAccount {
  id: string
  name: string
  ownerEmail: string
  annualRevenue: number
}

const FIRST = ['Anna', 'Björn', 'Chloé', 'Dário', 'Eva', 'Femi', 'Grete', 'Hugo', 'Inès', 'Jonas', 'Šárka', 'Luca']
const LAST = ['Müller', 'Dubois', 'Rossi', 'Nowak', 'García', 'Jansen', 'Svensson', 'Ó Briain', 'Novák', 'Schmidt']
const DEPARTMENTS = ['0042', '0107', '0230', '0315']

/**
 * The demo's world, the same on every run (seeded): employees in HR, accounts in the CRM, and a payroll export
 * whose rows match the employees, with a few rows that a careful pipeline must quarantine.
 */
export function demoData(seed = 20261123) {
  const next = seededRandom(seed)
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T
  const employees: DemoEmployee[] = []
  for (let i = 1; i <= 120; i++) {
    const first = pick(FIRST)
    const last = pick(LAST)
    employees.push({
      id: String(i * 7).padStart(6, '0'),
      name: `${first} ${last}`,
      email: `${ascii(first)}.${ascii(last)}${i}@corp.example`.toLowerCase(),
      department: pick(DEPARTMENTS),
      hiredOn: `20${String(10 + Math.floor(next() * 15)).padStart(2, '0')}-${String(1 + Math.floor(next() * 12)).padStart(2, '0')}-15`,
    })
  }
  const accounts: DemoAccount[] = []
  for (let i = 1; i <= 300; i++) {
    accounts.push({
      id: `ACC-${String(i).padStart(5, '0')}`,
      name: `${pick(LAST)} ${pick(['GmbH', 'SARL', 'S.p.A.', 'B.V.', 'AB', 'Ltd'])}`,
      ownerEmail: pick(employees).email,
      annualRevenue: Math.round(next() * 5_000_000) / 100,
    })
  }
  return { employees, accounts, payrollCsv: payrollExport(employees, next) }
}

/** A German-locale payroll export: Windows-1252, semicolons, decimal commas, a preamble and a totals line. */
function payrollExport(employees: DemoEmployee[], next: () => number): Buffer {
  const lines = [
    'Lohnabrechnung Export – erstellt am 03.11.2026;;;;',
    '',
    'Personalnr;Name;Bruttogehalt;IBAN;Auszahlung',
  ]
  let total = 0
  for (const employee of employees) {
    const gross = Math.round((2800 + next() * 6000) * 100) / 100
    total += gross
    lines.push([employee.id, employee.name, euro(gross), iban(employee.id), '28.11.2026'].join(';'))
  }
  // Rows a careful pipeline must not let through: an unknown date, a missing salary, an invalid IBAN checksum.
  lines.push(['000999', 'Zoë Test', euro(3100), iban('000999'), '31.02.2026'].join(';'))
  lines.push(['001000', 'Åsa Prov', '', iban('001000'), '28.11.2026'].join(';'))
  lines.push(['001001', 'Jörg Fehler', euro(4200), 'DE00123456780000001001', '28.11.2026'].join(';'))
  lines.push(['Summe', '', euro(total), '', ''].join(';'))
  return encodeWindows1252(`${lines.join('\r\n')}\r\n`)
}

const euro = (n: number) =>
  n
    .toFixed(2)
    .replace('.', ',')
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.')

/** A valid German IBAN for an employee id (mod-97 check digits computed). */
export function iban(id: string): string {
  const bban = `37040044${id.padStart(10, '0')}`
  const numeric = `${bban}131400`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55))
  let remainder = 0
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97
  return `DE${String(98 - remainder).padStart(2, '0')}${bban}`
}

function ascii(text: string): string {
  return text.normalize('NFD').replace(/[^A-Za-z]/g, '')
}

/** Windows-1252 differs from Latin-1 in 0x80–0x9F, where it puts typographic characters (€, –, Š…). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'

function encodeWindows1252(text: string): Buffer {
  const bytes = Buffer.alloc(text.length)
  let length = 0
  for (const char of text) {
    const high = CP1252_HIGH.indexOf(char)
    const code = char.codePointAt(0) ?? 0x3f
    bytes[length++] = high >= 0 ? 0x80 + high : code <= 0xff ? code : 0x3f
  }
  return bytes.subarray(0, length)
}
