import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ingestStatement } from './ingest-statement'

const statement = [
  'Kontoauszug Girokonto DE89 3704 0044 0532 0130 00;;;;',
  '',
  'Buchungstag;Betrag;Währung;IBAN Auftraggeber;Verwendungszweck',
  '03.11.2026;-1.234,56;EUR;DE89370400440532013000;Miete November, Rückfragen an anna.mueller@corp.example',
  '04.11.2026;2.500,00;EUR;FR1420041010050500013M02606;Gehalt Oktober',
  ...Array.from(
    { length: 8 },
    (_, i) => `0${i + 1}.11.2026;-${i + 10},99;EUR;DE89370400440532013000;Kartenzahlung ${i + 1}`,
  ),
  '31.11.2026;12,00;EUR;DE89370400440532013000;ungültiges Datum',
  'Summe;1.277,44;;;',
].join('\r\n')

describe('bank statement ingest', () => {
  it('types the bookings, masks IBANs, hashes emails, quarantines the bad row, and the counts add up', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fieldkit-bank-')), 'statement.csv')
    writeFileSync(file, Buffer.from(statement, 'latin1'))
    const { bookings, quarantine, counts } = await ingestStatement(file, 'test-secret-of-sufficient-length')
    expect(bookings).toHaveLength(10)
    expect(bookings[0]).toMatchObject({ amount: -1234.56, currency: 'EUR' })
    expect(String(bookings[0]?.counterpartyIban)).toMatch(/^\*+3000$/)
    expect(String(bookings[0]?.purpose)).not.toContain('anna.mueller@corp.example')
    expect(quarantine).toHaveLength(1)
    expect(quarantine[0]?.line).toBe(14)
    expect(counts.read).toBe(counts.emitted + counts.quarantined + counts.skipped)
  })
})
