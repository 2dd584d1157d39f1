/**
 * The target of the first link with relation `rel` in an RFC 8288 `Link` header (`<https://…?page=2>; rel="next"`),
 * or `undefined`. Several headers, several links per header, quoted or bare `rel` with several relation types, and
 * commas inside the URL are handled; anything malformed is skipped.
 *
 * @example
 * ```ts
 * linkTarget('<https://api.example/items?page=2>; rel="next", <…?page=9>; rel="last"', 'next')
 * // 'https://api.example/items?page=2'
 * ```
 */
export function linkTarget(header: string | string[] | undefined, rel: string): string | undefined {
  if (header === undefined) return undefined
  const text = Array.isArray(header) ? header.join(', ') : header
  if (text.length > 64 * 1024) return undefined
  const wanted = rel.toLowerCase()
  let pos = 0
  while (pos < text.length) {
    const open = text.indexOf('<', pos)
    if (open === -1) return undefined
    const close = text.indexOf('>', open + 1)
    if (close === -1) return undefined
    const target = text.slice(open + 1, close).trim()
    // Parameters run to the next comma outside quotes.
    let end = close + 1
    let quoted = false
    while (end < text.length) {
      const ch = text.charCodeAt(end)
      if (ch === 34 /* " */) quoted = !quoted
      else if (ch === 92 /* \ */ && quoted) end += 1
      else if (ch === 44 /* , */ && !quoted) break
      end += 1
    }
    const params = text.slice(close + 1, end)
    pos = end + 1
    if (target.includes('<') || /\s/.test(target)) continue
    const relParam = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i.exec(params)
    const rels = (relParam?.[1] ?? relParam?.[2] ?? '').toLowerCase().split(/\s+/)
    if (rels.includes(wanted)) return target
  }
  return undefined
}
