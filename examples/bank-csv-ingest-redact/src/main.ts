// Run: REDACT_SECRET=… pnpm start statement.csv
import { ingestStatement } from './ingest-statement'

const secret = process.env.REDACT_SECRET
if (!secret) throw new Error('Set REDACT_SECRET (a long random value kept with the integration’s other secrets)')
const file = process.argv[2]
if (!file) throw new Error('Usage: pnpm start <statement.csv>')
const { bookings, quarantine, counts } = await ingestStatement(file, secret)
for (const booking of bookings) process.stdout.write(`${JSON.stringify(booking)}\n`)
for (const q of quarantine) process.stderr.write(`quarantined line ${q.line}: ${q.reason}\n`)
process.stderr.write(
  `${counts.read} read = ${counts.emitted} + ${counts.quarantined} quarantined + ${counts.skipped} skipped\n`,
)
