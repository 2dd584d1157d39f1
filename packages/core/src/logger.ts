import { pino } from 'pino'

/** The logging methods Fieldkit calls: a pino logger fits, and so does anything with the same shape. */
export interface Logger {
  trace(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  child(bindings: Record<string, unknown>): Logger
}

let silent: Logger | undefined
let debugToStderr: Logger | undefined

/**
 * Field names whose values the FIELDKIT_DEBUG logger censors even if a line carried one: a second guard behind
 * each package's own scrubbing of what it logs.
 */
const CENSORED = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'password', 'secret', 'token']
const censorPaths = CENSORED.flatMap((name) => [`["${name}"]`, `*["${name}"]`, `*.headers["${name}"]`])

/**
 * Whether `FIELDKIT_DEBUG` turns on the debug lines of package `pkg`: a comma- or space-separated list of package
 * names (`http,auth`), or `*` for every package. Case and spaces do not matter.
 *
 * @example
 * ```ts
 * debugEnabled('http', 'http,auth') // true
 * debugEnabled('csv', '*')          // true
 * debugEnabled('csv', 'http')       // false
 * ```
 */
export function debugEnabled(pkg: string, setting: string | undefined = readDebugSetting()): boolean {
  if (setting === undefined) return false
  const names = setting
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean)
  return names.includes('*') || names.includes(pkg.toLowerCase())
}

function readDebugSetting(): string | undefined {
  return typeof process === 'undefined' ? undefined : process.env.FIELDKIT_DEBUG
}

/**
 * The logger a package uses: the one the caller injected; else, when `FIELDKIT_DEBUG` names the package (or is
 * `*`), a pino logger at debug level on stderr (one JSON line each, credentials censored), so diagnostics need no
 * code change; else a silent one (Fieldkit logs nothing by default). Child bindings name the package, so every
 * line says where it came from.
 *
 * @example
 * ```ts
 * const log = resolveLogger(options.logger, 'http')
 * log.debug({ attempt: 2, delayMs: 400 }, 'retrying')
 * // FIELDKIT_DEBUG=http node app.js → {"level":20,"fieldkit":"http","attempt":2,"delayMs":400,"msg":"retrying"} on stderr
 * ```
 */
export function resolveLogger(logger: Logger | undefined, pkg: string): Logger {
  if (logger !== undefined) return logger.child({ fieldkit: pkg })
  if (debugEnabled(pkg)) {
    debugToStderr ??= pino(
      { level: 'debug', redact: { paths: censorPaths, censor: '[REDACTED]' } },
      pino.destination({ fd: 2, sync: true }),
    )
    return debugToStderr.child({ fieldkit: pkg })
  }
  silent ??= pino({ level: 'silent' })
  return silent
}
