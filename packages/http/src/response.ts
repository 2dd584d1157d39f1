import { expected, isStandardSchema, type StandardSchemaV1, type TextRedactor, validateStandard } from '@fieldkit/core'
import { HttpError } from './errors'
import { bodyExcerpt, redactUrl } from './redact'

/**
 * An answer, its body already read (within `maxResponseBytes`), so that a socket closed mid-body is retried like
 * any other network error and nothing is left half-read.
 *
 * @example
 * ```ts
 * const res = await client.request({ path: '/api/orders/42' })
 * const order = await res.json(Order)   // any Standard Schema (zod 3.24+/4, valibot, ArkType): typed, or FK_HTTP_SCHEMA
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
   * The body parsed as JSON, and checked against a schema when one is given: any Standard Schema v1 (zod ≥ 3.24 and
   * 4, valibot, ArkType; async checks are awaited). A body that is not JSON gives `FK_HTTP_INVALID_JSON` (with a
   * redacted excerpt); one that does not fit the schema gives `FK_HTTP_SCHEMA` (with the issues' paths and messages,
   * never the values).
   *
   * @example
   * ```ts
   * const order = await res.json(z.object({ id: z.number() }))        // zod 3.24+ or 4
   * const same = await res.json(v.object({ id: v.number() }))         // valibot
   * ```
   */
  async json<T = unknown>(): Promise<T>
  async json<S extends StandardSchemaV1>(schema: S): Promise<StandardSchemaV1.InferOutput<S>>
  async json(schema?: StandardSchemaV1): Promise<unknown> {
    if (schema !== undefined && !isStandardSchema(schema))
      throw new HttpError({
        code: 'FK_HTTP_OPTIONS',
        message: `[fieldkit/http] ${expected('schema', 'a Standard Schema (zod 3.24 or later, valibot, ArkType)', schema)}`,
        hint: 'Pass a schema object from a Standard Schema library (it has a ~standard property); zod before 3.24 has none: upgrade it',
        details: { option: 'schema' },
      })
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
    if (schema === undefined) return data
    const result = await validateStandard(schema, data)
    if (result.issues === undefined) return result.value
    const issues = result.issues.slice(0, 20)
    throw this.#scrubbed(
      new HttpError({
        code: 'FK_HTTP_SCHEMA',
        message: `[fieldkit/http] ${this.method} ${this.url}: the JSON body does not match the schema (${issues
          .slice(0, 3)
          .map((i) => `${i.path || '(root)'}: ${i.message}`)
          .join('; ')}${result.issues.length > 3 ? '; …' : ''})`,
        hint: 'The API answered a shape the schema does not expect; compare the issues with the API version and the schema',
        status: this.status,
        method: this.method,
        url: this.url,
        details: { issues, issueCount: result.issues.length },
      }),
    )
  }

  #scrubbed(error: HttpError): HttpError {
    return this.#scrub === undefined ? error : this.#scrub(error)
  }
}
