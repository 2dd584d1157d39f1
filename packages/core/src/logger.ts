import { createRequire } from 'node:module'

/** pino is an optional peer: loaded only when `FIELDKIT_DEBUG` turns a package's debug lines on. */
const localRequire = createRequire(import.meta.url)

/** The logging methods Fieldkit calls: a pino logger fits, and so does anything with the same shape. */
export interface Logger {
  trace(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  child(bindings: Record<string, unknown>): Logger
  /** Whether `level` is written at all (pino's method); a caller skips building a line nobody reads. */
  isLevelEnabled?(level: string): boolean
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
    debugToStderr ??= stderrLogger()
    return debugToStderr.child({ fieldkit: pkg })
  }
  silent ??= silentLogger()
  return silent
}

/** The default: writes nothing, and loads nothing. */
function silentLogger(): Logger {
  const log: Logger = {
    trace() {},
    debug() {},
    info() {},
    warn() {},
    error() {},
    child: () => log,
    isLevelEnabled: () => false,
  }
  return log
}

/**
 * pino at debug level on stderr, credentials censored; without pino installed, the same JSON lines written by a few
 * lines of our own (the censoring applied to the same names), so the switch works wherever the package does.
 */
function stderrLogger(): Logger {
  let pino: typeof import('pino').pino | undefined
  try {
    pino = (localRequire('pino') as typeof import('pino')).pino
  } catch {
    pino = undefined
  }
  if (pino !== undefined)
    return pino(
      { level: 'debug', redact: { paths: censorPaths, censor: '[REDACTED]' } },
      pino.destination({ fd: 2, sync: true }),
    )
  return jsonLinesLogger({})
}

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50 } as const

function jsonLinesLogger(bindings: Record<string, unknown>): Logger {
  const line = (level: keyof typeof LEVELS) => (obj: object, msg?: string) => {
    if (LEVELS[level] < LEVELS.debug) return
    const record = { level: LEVELS[level], time: Date.now(), ...bindings, ...censor(obj, 0), ...(msg ? { msg } : {}) }
    process.stderr.write(`${JSON.stringify(record)}\n`)
  }
  return {
    trace: line('trace'),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    child: (more) => jsonLinesLogger({ ...bindings, ...more }),
    isLevelEnabled: (level) => (LEVELS[level as keyof typeof LEVELS] ?? 0) >= LEVELS.debug,
  }
}

function censor(value: object, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    if (CENSORED.includes(key.toLowerCase())) out[key] = '[REDACTED]'
    else if (typeof v === 'object' && v !== null && !Array.isArray(v) && depth < 3) out[key] = censor(v, depth + 1)
    else out[key] = v
  }
  return out
}
