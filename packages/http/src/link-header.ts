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
  const link = /<([^>]*)>((?:\s*;\s*[^;,<]*)*)/g
  for (let match = link.exec(text); match !== null; match = link.exec(text)) {
    const params = match[2] ?? ''
    const relParam = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))/i.exec(params)
    const rels = (relParam?.[1] ?? relParam?.[2] ?? '').toLowerCase().split(/\s+/)
    if (rels.includes(wanted)) return match[1]?.trim()
  }
  return undefined
}
