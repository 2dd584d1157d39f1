import type { TextRedactor } from '@fieldkit/core'
import type { ZodType } from 'zod'
import { HttpError } from './errors'
import { bodyExcerpt, redactUrl } from './redact'

/**
 * An answer, its body already read (within `maxResponseBytes`), so that a socket closed mid-body is retried like
 * any other network error and nothing is left half-read.
 *
 * @example
 * ```ts
 * const res = await client.request({ path: '/api/orders/42' })
 * const order = await res.json(Order)   // a zod schema: typed, or FK_HTTP_SCHEMA
 * ```
 */
export class HttpResponse {
  /** HTTP status. */
  readonly status: number
  /** Lower-case names; repeated headers as arrays. */
  readonly headers: Record<string, string | string[] | undefined>
  /** The raw body bytes. */
  readonly body: Buffer
  /** How many times the request was sent (retries and auth re-sends included). */
  readonly attempts: number
  readonly method: string
  readonly #origin: string
  readonly #path: string
  #url: string | undefined
  readonly #redactor: TextRedactor | undefined
  readonly #scrub: (<E>(error: E) => E) | undefined

  constructor(
    raw: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer },
    attempts: number,
    method: string,
    origin: string,
    path: string,
    redactor: TextRedactor | undefined,
    /** Removes the secrets the request sent from this response's errors (a body that echoes them). */
    secrets?: { scrubError<E>(error: E): E },
  ) {
    this.status = raw.status
    this.headers = raw.headers
    this.body = raw.body
    this.attempts = attempts
    this.method = method
    this.#origin = origin
    this.#path = path
    this.#redactor = redactor
    this.#scrub = secrets === undefined ? undefined : (error) => secrets.scrubError(error)
  }

  /** The request URL with secret query parameters replaced by `[REDACTED]`. */
  get url(): string {
    this.#url ??= redactUrl(`${this.#origin}${this.#path}`)
    return this.#url
  }

  /** True for 2xx. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300
  }

  /** The body as UTF-8 text. */
  async text(): Promise<string> {
    return this.body.toString('utf8')
  }

  /**
   * The body parsed as JSON, and checked against a zod schema when one is given. A body that is not JSON gives
   * `FK_HTTP_INVALID_JSON` (with a redacted excerpt); one that does not fit the schema gives `FK_HTTP_SCHEMA`
   * (with the issues' paths and messages, never the values).
   */
  async json<T = unknown>(schema?: ZodType<T>): Promise<T> {
    const text = this.body.toString('utf8')
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch (error) {
      throw this.#scrubbed(
        new HttpError({
          code: 'FK_HTTP_INVALID_JSON',
          message: `[fieldkit/http] ${this.method} ${this.url} answered ${this.status} with a body that is not JSON (content-type ${String(this.headers['content-type'] ?? 'none')}): ${bodyExcerpt(text, this.#redactor, 200)}`,
          hint: 'The endpoint answered something other than JSON (an HTML error page, a proxy or login page); check the URL, the auth and the content-type',
          cause: error,
          status: this.status,
          method: this.method,
          url: this.url,
          details: { contentType: String(this.headers['content-type'] ?? ''), bytes: this.body.length },
        }),
      )
    }
    if (schema === undefined) return data as T
    const result = schema.safeParse(data)
    if (result.success) return result.data
    const issues = result.error.issues.slice(0, 20).map((issue) => ({
      path: issue.path.map(String).join('.'),
      code: issue.code,
      message: issue.message,
    }))
    throw this.#scrubbed(
      new HttpError({
        code: 'FK_HTTP_SCHEMA',
        message: `[fieldkit/http] ${this.method} ${this.url}: the JSON body does not match the schema (${issues
          .slice(0, 3)
          .map((i) => `${i.path || '(root)'}: ${i.message}`)
          .join('; ')}${result.error.issues.length > 3 ? '; …' : ''})`,
        hint: 'The API answered a shape the schema does not expect; compare the issues with the API version and the schema',
        cause: result.error,
        status: this.status,
        method: this.method,
        url: this.url,
        details: { issues, issueCount: result.error.issues.length },
      }),
    )
  }

  #scrubbed(error: HttpError): HttpError {
    return this.#scrub === undefined ? error : this.#scrub(error)
  }
}
