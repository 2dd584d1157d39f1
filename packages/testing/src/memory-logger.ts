import { Writable } from 'node:stream'
import { pino } from 'pino'

/** A pino logger at `level` whose lines are kept in memory: `raw()` for grepping, `lines` parsed. */
export function memoryLogger(level: pino.Level = 'trace'): {
  logger: pino.Logger
  lines: Record<string, unknown>[]
  raw: () => string
} {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk))
      callback()
    },
  })
  const logger = pino({ level }, stream)
  return {
    logger,
    raw: () => chunks.join(''),
    get lines() {
      return chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    },
  }
}
