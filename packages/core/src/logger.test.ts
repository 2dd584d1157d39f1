import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { debugEnabled, type Logger, resolveLogger } from './logger'

describe('resolveLogger', () => {
  it('is silent by default', () => {
    const log = resolveLogger(undefined, 'test')
    expect(() => log.info({ a: 1 }, 'nothing is written')).not.toThrow()
  })

  it('says no level is enabled by default, so callers skip building lines nobody reads', () => {
    const log = resolveLogger(undefined, 'test')
    for (const level of ['trace', 'debug', 'info', 'warn', 'error']) expect(log.isLevelEnabled?.(level)).toBe(false)
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

describe('FIELDKIT_DEBUG', () => {
  it.each([
    ['http', 'http', true],
    ['http', 'auth, HTTP', true],
    ['csv', '*', true],
    ['csv', 'http,auth', false],
    ['csv', '', false],
    ['csv', undefined, false],
  ])('debugEnabled(%j, %j) is %j', (pkg, setting, on) => {
    expect(debugEnabled(pkg, setting)).toBe(on)
  })

  /** Runs a script that resolves loggers without injecting one, with FIELDKIT_DEBUG set; returns its stderr. */
  function stderrOf(setting: string, preload: string[] = []): string {
    const core = fileURLToPath(new URL('./index.ts', import.meta.url))
    const script = `
      import { resolveLogger } from ${JSON.stringify(core)}
      resolveLogger(undefined, 'http').debug({ attempt: 2, headers: { authorization: 'Basic c2VjcmV0LXZhbHVl' } }, 'retrying')
      resolveLogger(undefined, 'csv').debug({ rows: 5 }, 'normalised')`
    const result = spawnSync(process.execPath, [...preload, '--import', tsx, '--input-type=module', '-e', script], {
      env: { ...process.env, FIELDKIT_DEBUG: setting },
      encoding: 'utf8',
    })
    expect(result.status, result.stderr).toBe(0)
    expect(result.stdout).toBe('')
    return result.stderr
  }
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

  it('sends the named packages’ debug lines to stderr as JSON, credentials censored, others silent', () => {
    const lines = stderrOf('http')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ level: 20, fieldkit: 'http', attempt: 2, msg: 'retrying' })
    expect(JSON.stringify(lines[0])).not.toContain('c2VjcmV0LXZhbHVl')
    expect(lines[0]?.headers).toEqual({ authorization: '[REDACTED]' })
  })

  it('sends every package’s lines with *, and none without the variable', () => {
    const all = stderrOf('*')
    expect(all).toContain('"fieldkit":"http"')
    expect(all).toContain('"fieldkit":"csv"')
    expect(stderrOf('')).toBe('')
  })

  it('without pino installed, writes the same JSON lines itself, credentials censored', () => {
    // A preload that makes `pino` unresolvable, as in an install without the optional peer.
    const dir = mkdtempSync(join(tmpdir(), 'fieldkit-no-pino-'))
    const hide = join(dir, 'hide-pino.cjs')
    writeFileSync(
      hide,
      `const M = require('node:module'); const resolve = M._resolveFilename
       M._resolveFilename = function (request, ...rest) {
         if (request === 'pino') throw Object.assign(new Error("Cannot find module 'pino'"), { code: 'MODULE_NOT_FOUND' })
         return resolve.call(this, request, ...rest)
       }`,
    )
    try {
      const lines = stderrOf('http', ['--require', hide])
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatchObject({ level: 20, fieldkit: 'http', attempt: 2, msg: 'retrying' })
      expect(lines[0]?.headers).toEqual({ authorization: '[REDACTED]' })
      expect(lines[0]).not.toHaveProperty('pid') // pino writes pid and hostname; core's own lines do not
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
