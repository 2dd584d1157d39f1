import { errorTexts, expectNoLeak, memoryLogger } from '@fieldkit/testing'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { pinoRedaction } from './pino'
import { createRedactor } from './redactor'

describe('redact never leaks what it was given to hide', () => {
  it('an option error about a too-short secret names its length, never the secret', () => {
    let error: unknown
    try {
      createRedactor({ secret: 'short-key-9f2', actions: { email: 'hash' } })
    } catch (e) {
      error = e
    }
    expect((error as { code?: string }).code).toBe('FK_REDACT_SECRET_REQUIRED')
    expectNoLeak(['short-key-9f2'], errorTexts(error))
  })

  it('an option error about a bad allow entry does not print the values the caller listed', () => {
    let error: unknown
    try {
      createRedactor({ allow: ['ann@example.com', 42 as unknown as string] })
    } catch (e) {
      error = e
    }
    expect((error as { code?: string }).code).toBe('FK_REDACT_INVALID_OPTION')
    expectNoLeak(['ann@example.com'], errorTexts(error))
  })

  it("the redactor's own debug lines and a pino logger through pinoRedaction carry no planted value", () => {
    const planted = [
      'ann.lee@example.com',
      '4111 1111 1111 1111',
      'DE89370400440532013000',
      'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
    ]
    const own = memoryLogger('debug')
    const redactor = createRedactor({ logger: own.logger })
    const text = `mail ${planted[0]}, card ${planted[1]}, iban ${planted[2]}, key=${planted[3]}`
    redactor.redactString(text)
    redactor.redactObject({ note: text, nested: { card: planted[1] } })
    const lines: string[] = []
    const logger = pino(
      { level: 'debug', ...pinoRedaction(redactor) },
      { write: (line: string) => void lines.push(line) },
    )
    logger.info({ user: { email: planted[0] }, err: new Error(`failed for ${planted[2]}`) }, `charged ${planted[1]}`)
    expect(lines.join('')).toContain('charged')
    expectNoLeak(planted, [own.raw(), lines.join('')])
  })
})
