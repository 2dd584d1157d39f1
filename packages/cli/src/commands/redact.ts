import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { createRedactor, type Finding } from '@fieldkit/redact'
import type { Command } from 'commander'
import type { Output } from '../output'

/** `fieldkit redact [file]`: personal data and secrets out of a log or export, stdin to stdout by default. */
export function registerRedact(program: Command, output: () => Output): void {
  program
    .command('redact')
    .description('redact personal data and secrets from a file or stdin, to stdout')
    .argument('[file]', 'the file to read (default: stdin)')
    .option('--report', 'count what was found, per kind, on stderr (with --json: as JSON on stderr)')
    .addHelpText(
      'after',
      `
Examples:
  $ fieldkit redact app.log > app.redacted.log
  $ kubectl logs deploy/sync | fieldkit redact --report > safe.log

Hashing (the same input gives the same output, so joins still work) uses FIELDKIT_REDACT_SECRET from the
environment; without it, values are replaced by their kind ([EMAIL], [IBAN], …).`,
    )
    .action(async (file: string | undefined, options: { report?: boolean }) => {
      const out = output()
      const secret = process.env.FIELDKIT_REDACT_SECRET
      const redactor = createRedactor(secret ? { secret, actions: { email: 'hash', default: 'redact' } } : {})
      const counts: Record<string, number> = {}
      const stream = redactor.redactStream()
      stream.on('finding', (finding: Finding) => {
        counts[finding.kind] = (counts[finding.kind] ?? 0) + 1
      })
      await pipeline(file ? createReadStream(file) : process.stdin, stream, process.stdout)
      if (options.report) {
        const total = Object.values(counts).reduce((a, b) => a + b, 0)
        if (out.json) out.note(JSON.stringify({ total, byKind: counts }))
        else
          out.note(
            `redacted ${total} value(s)${
              total
                ? `: ${Object.entries(counts)
                    .map(([k, v]) => `${k} ${v}`)
                    .join(', ')}`
                : ''
            }`,
          )
      }
    })
}
