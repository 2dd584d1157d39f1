#!/usr/bin/env node
import { main } from './main'

main(process.argv).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`fieldkit: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
