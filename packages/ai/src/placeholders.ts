import { LABELS } from './labels'

/**
 * The placeholder grammar, in one place (docs/decisions/ai-placeholders-and-streaming.md):
 *
 * - a placeholder is `<LABEL_N>`: a label, ONE underscore, a number;
 * - the forms restored are `<LABEL_N>`, any case (`<email_1>`), spaces inside the brackets (`< EMAIL_1 >`), the bare
 *   core (`EMAIL_1`, not inside a longer word), and in JSON text the brackets escaped as `\u003c` / `\u003e`;
 * - text the user wrote that has the shape of a core (`EMAIL_1`, `email__3`) gets one more underscore on the way out
 *   and loses it on the way back, so a user's text can never turn into someone's data, and round-trips unchanged.
 */
const ALT = LABELS.join('|')
const WORD = 'A-Za-z0-9_'

/**
 * A core: label, underscores, digits, not inside a longer word. Text that JSON-escapes (`\n`, `\u003c`) counts as a
 * word break in every mode, so the escape and the restore agree whichever form the text travels in.
 */
const CORE_SOURCE = `(?:(?<![${WORD}])|(?<=\\\\[nrtbf])|(?<=\\\\u003[cCeE]))(${ALT})(_+)([0-9]+)(?![${WORD}])`

const ESCAPE_RE = new RegExp(CORE_SOURCE, 'gi')
const TEXT_RE = new RegExp(`< *(${ALT})(_+)([0-9]+) *>|${CORE_SOURCE}`, 'gi')
const JSON_RE = new RegExp(`(?:<|\\\\u003[cC]) *(${ALT})(_+)([0-9]+) *(?:>|\\\\u003[eE])|${CORE_SOURCE}`, 'gi')

/** Where restored text goes: plain text, or the inside of JSON text (values inserted JSON-escaped). */
export type RestoreMode = 'text' | 'json'

/** Counts of one restore: placeholders put back, and placeholder-shaped cores not in this conversation's vault. */
export interface RestoreCounts {
  restored: number
  unrestored: number
}

/**
 * Adds one underscore to every placeholder-shaped core the user wrote (`EMAIL_1` → `EMAIL__1`), so the answer's
 * echo of it is unescaped, never restored.
 *
 * @example
 * ```ts
 * escapeUserText('see <EMAIL_1>') // 'see <EMAIL__1>'
 * ```
 */
export function escapeUserText(text: string): string {
  if (!mayHoldCore(text)) return text
  ESCAPE_RE.lastIndex = 0
  return text.replace(ESCAPE_RE, (_m, label: string, bars: string, n: string) => `${label}_${bars}${n}`)
}

/** A cheap pre-check: every core has an underscore followed by a digit. */
function mayHoldCore(text: string): boolean {
  for (let at = text.indexOf('_'); at >= 0; at = text.indexOf('_', at + 1)) {
    const c = text.charCodeAt(at + 1)
    if (c >= 48 && c <= 57) return true
  }
  return false
}

/**
 * Puts the values back for the placeholders of one conversation (`values` is keyed by `EMAIL_1`, upper case) and
 * unescapes what the user wrote. A placeholder-shaped core with one underscore that is not in `values` is left as it
 * is and counted in `counts.unrestored`, never guessed.
 *
 * @example
 * ```ts
 * restorePlaceholders('Write to < email_1 >', new Map([['EMAIL_1', 'ann@example.com']]), 'text', counts)
 * // 'Write to ann@example.com'
 * ```
 */
export function restorePlaceholders(
  text: string,
  values: ReadonlyMap<string, string>,
  mode: RestoreMode,
  counts: RestoreCounts,
  from = 0,
): string {
  if (!mayHoldCore(from === 0 ? text : text.slice(from))) return from === 0 ? text : text.slice(from)
  // `from` lets a stream put the characters it already emitted in front: the lookbehinds see them, no match starts there.
  const re = mode === 'json' ? JSON_RE : TEXT_RE
  let out = ''
  let last = from
  for (let m = nextMatch(re, text, from); m !== null; m = nextMatch(re, text, re.lastIndex)) {
    const match = m[0]
    const label = (m[1] ?? m[4]) as string
    const bars = (m[2] ?? m[5]) as string
    const n = (m[3] ?? m[6]) as string
    let replacement: string
    if (bars.length > 1) {
      // The user's own text, escaped on the way out: drop the one underscore added.
      const at = match.indexOf(bars)
      replacement = match.slice(0, at) + match.slice(at + 1)
    } else {
      const value = String(Number(n)) === n ? values.get(`${label.toUpperCase()}_${n}`) : undefined
      if (value === undefined) {
        counts.unrestored++
        continue
      }
      counts.restored++
      replacement = mode === 'json' ? JSON.stringify(value).slice(1, -1) : value
    }
    out += text.slice(last, m.index) + replacement
    last = m.index + match.length
  }
  return last === from ? text.slice(from) : out + text.slice(last)
}

/**
 * The leftmost match of `re` at or after `from`, found without running the regex over text that cannot hold one:
 * every match contains an underscore followed by a digit, and starts no earlier than the run of underscores,
 * letters and spaces in front of it, less an opening bracket of at most six characters. Starting the regex there
 * (its lookbehinds still see the text before) gives the match a plain `exec` from `from` gives: no match can lie
 * wholly between `from` and the first such underscore.
 */
function nextMatch(re: RegExp, text: string, from: number): RegExpExecArray | null {
  for (let at = text.indexOf('_', from); at >= 0; at = text.indexOf('_', at + 1)) {
    const c = text.charCodeAt(at + 1)
    if (c < 48 || c > 57) continue
    let start = at
    while (start > from && text.charCodeAt(start - 1) === 95) start--
    while (start > from && isLetter(text.charCodeAt(start - 1))) start--
    while (start > from && text.charCodeAt(start - 1) === 32) start--
    // Room for the opening bracket, `<` or `\u003c` (whose `c` the letters may already have taken).
    re.lastIndex = Math.max(from, start - 6)
    return re.exec(text)
  }
  return null
}

const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
const isDigit = (c: number) => c >= 48 && c <= 57
const UPPER_LABELS = LABELS.map((l) => l.toUpperCase())

/** Characters a held suffix may consist of: brackets, escapes, letters, digits, underscore, space. */
const mayBeHeld = (c: number) => isWord(c) || c === 60 || c === 62 || c === 92 || c === 32

/**
 * Where the held part of a streamed text starts: the smallest index from which the rest could still grow into a
 * placeholder form (so nothing before it can change), or `text.length` when nothing needs holding. `lead` is the
 * last characters emitted before `text` (for the "not inside a word" rule).
 */
export function holdFrom(text: string, mode: RestoreMode, lead: string): number {
  let start = text.length
  while (start > 0 && mayBeHeld(text.charCodeAt(start - 1))) start--
  for (let i = start; i < text.length; i++) {
    const behind = i >= LEAD ? text.slice(i - LEAD, i) : (lead + text.slice(0, i)).slice(-LEAD)
    if (viable(text, i, mode, behind)) return i
  }
  return text.length
}

/** Characters of lookbehind a core needs: `\u003c` is the longest. */
export const LEAD = 6

const JSON_ESCAPE_BEHIND = /(?:\\[nrtbf]|\\u003[cCeE])$/

function afterJsonEscape(behind: string): boolean {
  return JSON_ESCAPE_BEHIND.test(behind)
}

const ESC_OPEN = '\\u003c'
const ESC_CLOSE = '\\u003e'

/** Whether `text.slice(i)` is a proper prefix of some placeholder form that the next text could complete. */
function viable(text: string, i: number, mode: RestoreMode, behind: string): boolean {
  const prev = behind.charCodeAt(behind.length - 1) || 0
  const end = text.length
  let p = i
  let bracket = false
  const c0 = text.charCodeAt(p)
  if (c0 === 60) {
    bracket = true
    p++
  } else if (c0 === 92) {
    if (mode !== 'json') return false
    const got = text.slice(p, p + 6).toLowerCase()
    if (!ESC_OPEN.startsWith(got)) return false
    if (p + 6 > end) return true
    bracket = true
    p += 6
  } else {
    if (!isLetter(c0)) return false
    if (isWord(prev) && !afterJsonEscape(behind)) return false
  }
  if (bracket) while (p < end && text.charCodeAt(p) === 32) p++
  if (p === end) return true
  const labelStart = p
  while (p < end && isLetter(text.charCodeAt(p))) p++
  const label = text.slice(labelStart, p).toUpperCase()
  if (p === end) return label !== '' ? UPPER_LABELS.some((l) => l.startsWith(label)) : bracket
  if (!UPPER_LABELS.includes(label)) return false
  const barsStart = p
  while (p < end && text.charCodeAt(p) === 95) p++
  if (p === barsStart) return false
  if (p === end) return true
  const digitsStart = p
  while (p < end && isDigit(text.charCodeAt(p))) p++
  if (p === digitsStart) return false
  if (p === end) return true
  if (!bracket) return false
  while (p < end && text.charCodeAt(p) === 32) p++
  if (p === end) return true
  if (mode === 'json' && text.charCodeAt(p) === 92) {
    const got = text.slice(p, p + 6).toLowerCase()
    return got.length < 6 && ESC_CLOSE.startsWith(got)
  }
  return false
}

/**
 * Restores one streamed text channel (a choice's content, one tool call's arguments) across chunk boundaries:
 * `push` returns what can be emitted now, holding back only a suffix that could still become a placeholder form;
 * `flush` returns the rest at the end. For every chunking, the concatenated output equals
 * `restorePlaceholders` of the whole text.
 *
 * @example
 * ```ts
 * const r = new StreamRestorer(values, 'text', counts)
 * r.push('Mail <EMA') // 'Mail '
 * r.push('IL_1> now') // 'ann@example.com now'
 * ```
 */
export class StreamRestorer {
  private held = ''
  /** The last characters emitted (at most {@link LEAD}), for the lookbehind of the next piece. */
  private lead = ''
  private readonly values: ReadonlyMap<string, string>
  private readonly mode: RestoreMode
  private readonly counts: RestoreCounts

  constructor(values: ReadonlyMap<string, string>, mode: RestoreMode, counts: RestoreCounts) {
    this.values = values
    this.mode = mode
    this.counts = counts
  }

  /** Text that can be emitted now, restored. */
  push(chunk: string): string {
    const text = this.held === '' ? chunk : this.held + chunk
    const lead = this.lead
    const cut = holdFrom(text, this.mode, lead)
    this.held = text.slice(cut)
    if (cut === 0) return ''
    this.lead = cut >= LEAD ? text.slice(cut - LEAD, cut) : (lead + text.slice(0, cut)).slice(-LEAD)
    const piece = cut === text.length ? text : text.slice(0, cut)
    // The last characters already emitted go in front, so "not inside a word" sees them; no match starts in them.
    return restorePlaceholders(lead + piece, this.values, this.mode, this.counts, lead.length)
  }

  /** The held rest, restored; call once at the end of the channel. */
  flush(): string {
    const rest = this.held
    const lead = this.lead
    this.held = ''
    this.lead = ''
    if (rest === '') return ''
    return restorePlaceholders(lead + rest, this.values, this.mode, this.counts, lead.length)
  }

  /** Whether text is held back. */
  get holding(): boolean {
    return this.held !== ''
  }
}
