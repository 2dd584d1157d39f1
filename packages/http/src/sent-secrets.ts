import { type AuthRequest, createSecretScrubber, isFieldkitError, type SecretScrubber } from '@fieldkit/core'

/** Headers whose value is a credential whoever set them (the caller, a hook or the auth strategy). */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'] as const

/**
 * Every secret one request sent, gathered attempt by attempt, so that no message, hint, detail or log line of that
 * request carries one back — a server that echoes the request it received (debug pages, proxies) included. It
 * knows `Authorization`, `Proxy-Authorization` and `Cookie` as sent, and every header or query parameter the auth
 * strategy set or changed (found by comparing the request before and after `strategy.apply()`); core's
 * {@link createSecretScrubber} adds their encodings. The scrubber is made only when there is something to know, so a
 * request without credentials pays nothing.
 *
 * @example
 * ```ts
 * const secrets = new SentSecrets()
 * secrets.noteSent(headers)
 * throw secrets.scrubError(new HttpError({ code: 'FK_HTTP_STATUS', message, hint }))
 * ```
 */
export class SentSecrets {
  private scrubber: SecretScrubber | undefined

  /** Notes the credential headers of what goes on the wire. */
  noteSent(headers: Readonly<Record<string, string>>): void {
    for (const name of CREDENTIAL_HEADERS) {
      const value = headers[name]
      if (value !== undefined) this.known().addHeader(name, value)
    }
  }

  /** Notes every header and query parameter the auth strategy added or changed (`beforeSearch`: the query it was given). */
  noteAuth(before: Readonly<Record<string, string>>, beforeSearch: string, after: AuthRequest): void {
    for (const name in after.headers) {
      const value = after.headers[name]
      if (value !== undefined && before[name] !== value) this.known().addHeader(name, value)
    }
    if (after.url.search === beforeSearch) return
    const sentBefore = new Set<string>()
    for (const [name, value] of new URLSearchParams(beforeSearch)) sentBefore.add(`${name}=${value}`)
    for (const [name, value] of after.url.searchParams) {
      if (!sentBefore.has(`${name}=${value}`)) this.known().add(value)
    }
  }

  /** `text` without any secret this request sent, in any encoding. */
  scrub(text: string): string {
    return this.scrubber === undefined ? text : this.scrubber.scrub(text)
  }

  /**
   * Scrubs a Fieldkit error's message, hint, details and stack in place (its class, code and cause stay), and
   * returns it; any other value is returned as it is.
   */
  scrubError<E>(error: E): E {
    const scrubber = this.scrubber
    if (scrubber === undefined || !isFieldkitError(error)) return error
    const clean = scrubber.scrubError({ message: error.message, hint: error.hint, details: { ...error.details } })
    const writable = error as { message: string; hint: string; details: unknown; stack?: string }
    writable.message = clean.message
    writable.hint = clean.hint
    writable.details = Object.freeze({ ...clean.details })
    if (writable.stack !== undefined) writable.stack = scrubber.scrub(writable.stack)
    return error
  }

  private known(): SecretScrubber {
    this.scrubber ??= createSecretScrubber()
    return this.scrubber
  }
}
