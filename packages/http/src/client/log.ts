import type { Logger } from '@fieldkit/core'
import { redactUrl } from '../redact'

/** One attempt, as its log line shows it. */
export interface AttemptLine {
  method: string
  origin: string
  /** The path as sent, already scrubbed of the request's secrets; query secrets are redacted here. */
  path: string
  status?: number | undefined
  error?: string | undefined
  attempt: number
  durationMs: number
  delayMs?: number | undefined
}

/**
 * The client's log: one redacted line per attempt (`http attempt`, or `http attempt failed; retrying` with the
 * wait), and a cheap check of whether a level is on, so that the success path builds no line it would not write.
 *
 * @example
 * ```ts
 * const log = new AttemptLog(resolveLogger(options.logger, 'http'))
 * if (log.enabled('debug')) log.attempt('debug', { method, origin, path, status: 200, attempt: 1, durationMs: 3 })
 * ```
 */
export class AttemptLog {
  readonly #check: ((level: string) => boolean) | undefined
  constructor(readonly logger: Logger) {
    this.#check = logger.isLevelEnabled?.bind(logger)
  }

  enabled(level: 'debug' | 'warn'): boolean {
    return this.#check === undefined ? true : this.#check(level)
  }

  attempt(level: 'debug' | 'warn', line: AttemptLine): void {
    if (!this.enabled(level)) return
    const out: Record<string, unknown> = {
      method: line.method,
      origin: line.origin,
      path: redactUrl(line.path),
      attempt: line.attempt,
      durationMs: round(line.durationMs),
    }
    if (line.status !== undefined) out.status = line.status
    if (line.error !== undefined) out.error = line.error
    if (line.delayMs !== undefined) out.delayMs = Math.round(line.delayMs)
    this.logger[level](out, line.delayMs !== undefined ? 'http attempt failed; retrying' : 'http attempt')
  }
}

/** Milliseconds to two decimals, as logs and attempt records show them. */
export const round = (ms: number): number => Math.round(ms * 100) / 100
