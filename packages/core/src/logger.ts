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

/**
 * The logger a package uses: the one the caller injected, or a silent pino logger (Fieldkit logs nothing by default).
 * Child bindings name the package, so every line says where it came from.
 *
 * @example
 * ```ts
 * const log = resolveLogger(options.logger, 'http')
 * log.debug({ attempt: 2, delayMs: 400 }, 'retrying')
 * ```
 */
export function resolveLogger(logger: Logger | undefined, pkg: string): Logger {
  if (logger === undefined) {
    silent ??= pino({ level: 'silent' })
    return silent
  }
  return logger.child({ fieldkit: pkg })
}
