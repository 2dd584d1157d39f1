import { appendFileSync } from 'node:fs'
import { expected } from '@fieldkit/core'
import { invalidOption } from './errors'

/**
 * One record per call: where it went, what kinds of values were pseudonymised (counts only), the decision and the
 * token usage. Never a value, a placeholder or a mapping.
 */
export interface AuditRecord {
  /** ISO time the call started. */
  time: string
  /** Origin and path of the endpoint (no query string). */
  endpoint: string
  /** The API format the body was read as, or `passthrough`. */
  format: string
  model?: string
  conversation: string
  /** The data class the residency check ran for, and the region the endpoint is in (when known). */
  dataClass?: string
  region?: string
  /** `allowed`, `denied` (residency), `refused` (bad body), `report` (would be denied, report mode), `passthrough`. */
  decision: 'allowed' | 'denied' | 'refused' | 'report' | 'passthrough'
  /** Values replaced by placeholders, by kind. */
  pseudonymised: Record<string, number>
  /** Secrets replaced irreversibly, by kind. */
  secrets: Record<string, number>
  /** Placeholders put back in the answer, and placeholder-shaped text that could not be (left as it was). */
  restored: number
  unrestored: number
  stream: boolean
  /** HTTP status of the last attempt, and how many attempts were made. */
  status?: number
  attempts: number
  usage?: { inputTokens?: number; outputTokens?: number }
  /** The estimate acquired from the token quota before sending. */
  estimatedTokens?: number
  /** The code of the error the call ended with. */
  error?: string
  durationMs: number
}

/** Where audit records go: a function, or a JSONL file path (one JSON record per line, appended). */
export type AuditSink = ((record: AuditRecord) => void) | string

/** The writer of an audit sink: a callback that throws is ignored; a file that cannot be written fails the call. */
export function auditWriter(sink: AuditSink | undefined): (record: AuditRecord) => void {
  if (sink === undefined) return () => {}
  if (typeof sink === 'function') {
    return (record) => {
      try {
        sink(record)
      } catch {
        // A broken audit callback must not break the call it records.
      }
    }
  }
  if (typeof sink !== 'string' || sink === '') throw invalidOption(expected('audit', 'a function or a file path', sink))
  return (record) => appendFileSync(sink, `${JSON.stringify(record)}\n`, { mode: 0o600 })
}
