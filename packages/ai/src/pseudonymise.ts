import type { Redactor } from '@fieldkit/redact'
import { PLACEHOLDER_LABELS, SECRET_KINDS, SECRET_MARK } from './labels'
import { escapeUserText } from './placeholders'
import type { Vault, VaultEntry } from './vault'

/** A string inside a request body that is pseudonymised in place. */
export interface TextSlot {
  get(): string
  set(text: string): void
}

/** What one call's pseudonymisation found: counts by kind (never values), and how many were secrets. */
export interface PseudonymiseCounts {
  /** Values replaced by placeholders, by redactor kind (`email: 2`). */
  pseudonymised: Record<string, number>
  /** Secrets (keys, tokens, passwords, JWTs) replaced irreversibly, by kind. */
  secrets: Record<string, number>
}

type Part = string | { entry: number }

/**
 * Replaces every personal value in the slots by its stable placeholder (one vault round trip for the whole body),
 * every secret by `[SECRET]`, and escapes placeholder-shaped text the user wrote.
 */
export async function pseudonymiseSlots(
  slots: readonly TextSlot[],
  redactor: Redactor,
  vault: Vault,
  conversation: string,
): Promise<PseudonymiseCounts> {
  const counts: PseudonymiseCounts = { pseudonymised: {}, secrets: {} }
  const entries: VaultEntry[] = []
  const planned: { slot: TextSlot; parts: Part[] }[] = []
  for (const slot of slots) {
    const text = slot.get()
    if (text === '') continue
    const { findings } = redactor.redactString(text)
    if (findings.length === 0) {
      const escaped = escapeUserText(text)
      if (escaped !== text) slot.set(escaped)
      continue
    }
    const parts: Part[] = []
    let last = 0
    for (const f of findings) {
      const start = f.offset ?? 0
      if (start < last) continue
      parts.push(escapeUserText(text.slice(last, start)))
      const value = text.slice(start, start + f.length)
      last = start + f.length
      if (SECRET_KINDS.has(f.kind)) {
        counts.secrets[f.kind] = (counts.secrets[f.kind] ?? 0) + 1
        parts.push(SECRET_MARK)
        continue
      }
      counts.pseudonymised[f.kind] = (counts.pseudonymised[f.kind] ?? 0) + 1
      parts.push({ entry: entries.length })
      entries.push({ label: PLACEHOLDER_LABELS[f.kind] ?? 'DATA', value })
    }
    parts.push(escapeUserText(text.slice(last)))
    planned.push({ slot, parts })
  }
  const cores = entries.length === 0 ? [] : await vault.assign(conversation, entries)
  for (const { slot, parts } of planned) {
    let out = ''
    for (const p of parts) out += typeof p === 'string' ? p : `<${cores[p.entry]}>`
    slot.set(out)
  }
  return counts
}

/** A slot over one string property of an object or array element. */
export function slotOf(holder: Record<string, unknown> | unknown[], key: string | number): TextSlot {
  const h = holder as Record<string | number, unknown>
  return {
    get: () => h[key] as string,
    set: (text) => {
      h[key] = text
    },
  }
}
