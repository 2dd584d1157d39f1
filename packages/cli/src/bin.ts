#!/usr/bin/env node
import { main } from './main'
import { reportFailure } from './output'

// A reader that goes away (`fieldkit redact big.log | head -1`) is the end of the output, not a failure: exit quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}

main(process.argv).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.exitCode = reportFailure(error, { json: process.argv.includes('--json') })
  },
)
