import { Writable } from 'node:stream'
import { pino } from 'pino'

/** A pino logger at debug level whose lines are kept in memory, parsed. */
export function memoryLogger(): { logger: pino.Logger; lines: Record<string, unknown>[]; raw: () => string } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk))
      callback()
    },
  })
  const logger = pino({ level: 'debug' }, stream)
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

/** The rejection of `promise`, or a failure when it resolves. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { code?: string; details?: Record<string, unknown> }
  }
  throw new Error('expected the promise to reject')
}
