import { normalizeCsv, type QuarantineEntry } from '@fieldkit/csv'
import { createRedactor } from '@fieldkit/redact'
import { z } from 'zod'

/** One booking of a bank statement export. */
export const Booking = z.object({
  bookingDate: z.date(),
  amount: z.number(),
  currency: z.string().length(3),
  counterpartyIban: z.string().min(15),
  purpose: z.string(),
})

export interface IngestResult {
  bookings: Record<string, unknown>[]
  quarantine: QuarantineEntry[]
  counts: { read: number; emitted: number; quarantined: number; skipped: number }
}

/**
 * Reads a bank portal's CSV export (German locale: semicolons, decimal commas, DD.MM.YYYY, Windows-1252) into
 * typed bookings, with IBANs masked and emails or phone numbers in the free-text purpose hashed or redacted before
 * anything is stored or logged.
 */
export async function ingestStatement(path: string, secret: string): Promise<IngestResult> {
  const redactor = createRedactor({ actions: { iban: 'mask', email: 'hash', default: 'redact' }, secret })
  const result = normalizeCsv(
    { path },
    {
      schema: Booking,
      headers: {
        case: 'camel',
        aliases: {
          bookingDate: ['Buchungstag'],
          amount: ['Betrag'],
          currency: ['Währung'],
          counterpartyIban: ['IBAN Auftraggeber'],
          purpose: ['Verwendungszweck'],
        },
      },
      values: { decimal: ',', dateFormats: ['DD.MM.YYYY'] },
      maxErrorRatio: 0.2,
    },
  )
  const bookings: Record<string, unknown>[] = []
  for await (const row of result.rows) bookings.push(redactor.redactObject(row).value as Record<string, unknown>)
  const report = await result.report
  const { read, emitted, quarantined, skipped } = report.records
  return {
    bookings,
    quarantine: report.quarantine,
    counts: { read, emitted, quarantined, skipped: skipped.preamble + skipped.blank + skipped.summary },
  }
}
