/** One stored cookie (RFC 6265 section 5.3, the parts a login session needs). */
interface Cookie {
  name: string
  value: string
  domain: string
  hostOnly: boolean
  path: string
  secure: boolean
  /** Epoch ms; undefined for a session cookie. */
  expires: number | undefined
}

/** The default path of a cookie set without one (RFC 6265 section 5.1.4). */
function defaultPath(url: URL): string {
  const path = url.pathname
  if (!path.startsWith('/') || path.lastIndexOf('/') === 0) return '/'
  return path.slice(0, path.lastIndexOf('/'))
}

function domainMatches(host: string, cookie: Cookie): boolean {
  if (cookie.hostOnly) return host === cookie.domain
  return host === cookie.domain || host.endsWith(`.${cookie.domain}`)
}

function pathMatches(path: string, cookiePath: string): boolean {
  if (path === cookiePath) return true
  if (!path.startsWith(cookiePath)) return false
  return cookiePath.endsWith('/') || path[cookiePath.length] === '/'
}

/**
 * A small in-memory cookie jar, one per session strategy: stores `Set-Cookie` answers and builds the `Cookie`
 * header for a URL (domain, path, Secure, Expires and Max-Age honoured).
 */
export class CookieJar {
  #cookies = new Map<string, Cookie>()

  /** Stores the cookies of one response to `url`; a cookie with Max-Age ≤ 0 or a past Expires is removed. */
  store(setCookie: string | readonly string[] | undefined, url: URL, now = Date.now()): void {
    if (setCookie === undefined) return
    for (const line of typeof setCookie === 'string' ? [setCookie] : setCookie) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      if (name === '') continue
      const host = url.hostname.toLowerCase()
      const cookie: Cookie = {
        name,
        value,
        domain: host,
        hostOnly: true,
        path: defaultPath(url),
        secure: false,
        expires: undefined,
      }
      let maxAge: number | undefined
      let foreign = false
      for (const attribute of attributes) {
        const at = attribute.indexOf('=')
        const key = (at === -1 ? attribute : attribute.slice(0, at)).trim().toLowerCase()
        const val = at === -1 ? '' : attribute.slice(at + 1).trim()
        if (key === 'domain' && val !== '') {
          const domain = val.replace(/^\./, '').toLowerCase()
          if (host !== domain && !host.endsWith(`.${domain}`)) foreign = true // another site's cookie: ignored
          cookie.domain = domain
          cookie.hostOnly = false
        } else if (key === 'path' && val.startsWith('/')) cookie.path = val
        else if (key === 'secure') cookie.secure = true
        else if (key === 'max-age' && /^-?\d+$/.test(val)) maxAge = Number(val)
        else if (key === 'expires') {
          const at = Date.parse(val)
          if (!Number.isNaN(at)) cookie.expires = at
        }
      }
      if (foreign) continue
      if (maxAge !== undefined) cookie.expires = maxAge <= 0 ? 0 : now + maxAge * 1000
      const id = `${cookie.domain};${cookie.path};${name}`
      if (cookie.expires !== undefined && cookie.expires <= now) this.#cookies.delete(id)
      else this.#cookies.set(id, cookie)
    }
  }

  /** The `Cookie` header for a request to `url`, longer paths first; undefined when no cookie applies. */
  header(url: URL, now = Date.now()): string | undefined {
    const host = url.hostname.toLowerCase()
    const secure = url.protocol === 'https:'
    const matching: Cookie[] = []
    for (const [id, cookie] of this.#cookies) {
      if (cookie.expires !== undefined && cookie.expires <= now) {
        this.#cookies.delete(id)
        continue
      }
      if (cookie.secure && !secure) continue
      if (domainMatches(host, cookie) && pathMatches(url.pathname, cookie.path)) matching.push(cookie)
    }
    if (matching.length === 0) return undefined
    matching.sort((a, b) => b.path.length - a.path.length)
    return matching.map((c) => `${c.name}=${c.value}`).join('; ')
  }

  /** The value of a cookie by name (for a CSRF token sent back in a header). */
  get(name: string, url: URL): string | undefined {
    const header = this.header(url)
    if (header === undefined) return undefined
    for (const part of header.split('; ')) {
      const eq = part.indexOf('=')
      if (part.slice(0, eq) === name) return part.slice(eq + 1)
    }
    return undefined
  }

  /** Every cookie value held, to keep out of messages and logs. */
  values(): string[] {
    return [...this.#cookies.values()].map((c) => c.value).filter((v) => v.length > 0)
  }

  clear(): void {
    this.#cookies.clear()
  }
}
