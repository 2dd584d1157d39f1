/** Where the CSRF token is read from and how it is sent back. */
export interface CsrfOptions {
  /** The page fetched (GET) before the login to obtain the token; default: the login URL. */
  url?: string | URL
  /**
   * Where the token is found: a hidden `<input name>` or `<meta name>` in the HTML (`html`), a cookie (`cookie`,
   * e.g. `XSRF-TOKEN`), a response header (`header`) or a field of a JSON body (`json`).
   */
  from: 'html' | 'cookie' | 'header' | 'json'
  /** The input, meta, cookie, header or JSON field name. */
  name: string
  /** The login body field the token goes into; default: `name` for `html` and `json`, none otherwise. */
  field?: string
  /** A request header that carries the token on the login and on every later request (e.g. `x-xsrf-token`). */
  header?: string
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'" }

function decodeEntities(text: string): string {
  return text.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (all, entity: string) => {
    const known = ENTITIES[entity.toLowerCase()]
    if (known !== undefined) return known
    if (entity.startsWith('#x') || entity.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(entity.slice(2), 16))
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)))
    return all
  })
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag)
  if (match === null) return undefined
  return decodeEntities(match[1] ?? match[2] ?? match[3] ?? '')
}

/** Finds `<input name="…" value="…">` or `<meta name="…" content="…">` in a page, attributes in any order. */
export function csrfFromHtml(html: string, name: string): string | undefined {
  const tags = html.slice(0, 2_000_000).match(/<(?:input|meta)\b[^>]*>/gi) ?? []
  for (const tag of tags) {
    if (attribute(tag, 'name') !== name) continue
    const value = tag.toLowerCase().startsWith('<meta') ? attribute(tag, 'content') : attribute(tag, 'value')
    if (value !== undefined && value !== '') return value
  }
  return undefined
}

/** Reads a top-level (or dotted, `data.csrfToken`) string field of a JSON body. */
export function csrfFromJson(text: string, name: string): string | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  for (const part of name.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return typeof value === 'string' && value !== '' ? value : undefined
}
