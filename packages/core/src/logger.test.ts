import { describe, expect, it } from 'vitest'
import { type Logger, resolveLogger } from './logger'

describe('resolveLogger', () => {
  it('is silent by default', () => {
    const log = resolveLogger(undefined, 'test')
    expect(() => log.info({ a: 1 }, 'nothing is written')).not.toThrow()
  })

  it('binds the package name on an injected logger', () => {
    const bindings: Record<string, unknown>[] = []
    const fake: Logger = {
      trace() {},
      debug() {},
      info() {},
      warn() {},
      error() {},
      child(b) {
        bindings.push(b)
        return fake
      },
    }
    resolveLogger(fake, 'http')
    expect(bindings).toEqual([{ fieldkit: 'http' }])
  })
})
