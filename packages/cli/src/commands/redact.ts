import { createReadStream } from 'node:fs'
import { resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createRedactor, type Finding } from '@fieldkit/redact'
import type { Command } from 'commander'
import { TextOnly } from '../binary-input'
import { fileSize } from '../files'
import type { Output } from '../output'
import { startProgress } from '../progress'

/** `fieldkit redact [file]`: personal data and secrets out of a log or export, stdin to stdout by default. */
export function registerRedact(program: Command, output: () => Output): void {
  program
    .command('redact')
    .description('redact personal data and secrets from a file or stdin, to stdout')
    .argument('[file]', 'the file to read (default: stdin)')
    .option('--report', 'count what was found, per kind, on stderr (with --json: as JSON on stderr)')
    .option('--progress', 'show progress on stderr even for a small input (shown by default for files from 4 MiB)')
    .option('--no-progress', 'never show progress')
    .addHelpText(
      'after',
      `
Examples:
  $ fieldkit redact app.log > app.redacted.log
  $ kubectl logs deploy/sync | fieldkit redact --report > safe.log
  $ fieldkit redact big.log | head -20

Hashing (the same input gives the same output, so joins still work) uses FIELDKIT_REDACT_SECRET from the
environment; without it, values are replaced by their kind ([EMAIL], [IBAN], …).
Binary input (an archive, an image, a workbook, UTF-16) is refused with exit code 7; a missing file exits 4.`,
    )
    .action(redactAction(output))
}

function redactAction(output: () => Output) {
  return async (file: string | undefined, options: { report?: boolean; progress?: boolean }) => {
    const out = output()
    const totalBytes = file ? await fileSize(resolve(file), '<file>') : undefined
    if (!file && out.stdin.isTTY)
      out.note(
        'fieldkit redact: reading stdin (paste or type, end with Ctrl-D), or pass a file: fieldkit redact app.log',
      )
    const secret = out.env.FIELDKIT_REDACT_SECRET
    const redactor = createRedactor(secret ? { secret, actions: { email: 'hash', default: 'redact' } } : {})
    const counts = new Map<string, number>()
    const stream = redactor.redactStream()
    stream.on('finding', (finding: Finding) => {
      counts.set(finding.kind, (counts.get(finding.kind) ?? 0) + 1)
    })
    const progress = startProgress(out, {
      label: 'redact',
      ...(totalBytes !== undefined ? { totalBytes } : {}),
      flag: options.progress,
    })
    const source = file ? createReadStream(resolve(file)) : out.stdin
    try {
      await pipeline(source, new TextOnly(file ?? 'stdin', (n) => progress.advance(n)), stream, out.stdout)
    } catch (error) {
      // The reader went away (`| head -1`): what it wanted was written; stop quietly, as cat and grep do.
      if (!readerGone(error)) throw error
      return
    }
    progress.done()
    if (options.report) report(out, counts)
  }
}

/** A write to a pipe whose reader has closed: EPIPE, or the stream destroyed because of it. */
function readerGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED'
}

function report(out: Output, counts: Map<string, number>): void {
  const byKind = Object.fromEntries(counts)
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  if (out.json) out.note(JSON.stringify({ total, byKind }))
  else out.note(`redacted ${total} value(s)${total ? `: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`)
}
