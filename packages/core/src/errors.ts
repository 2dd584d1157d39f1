const brand = Symbol.for('fieldkit.error')

/** Values allowed in {@link FieldkitError.details}: plain data that is safe to log. */
export type ErrorDetail =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly ErrorDetail[]
  | { readonly [key: string]: ErrorDetail }

/** What every Fieldkit error is built from. */
export interface FieldkitErrorOptions<Code extends string = string> {
  /** Stable code, `FK_<PACKAGE>_<WHAT>`; users match on it, never on the message. */
  code: Code
  /** What happened, where: `[fieldkit/http] GET https://erp.example/api failed with 503 after 5 attempts`. */
  message: string
  /** What the maintainer should check or change, in plain words. */
  hint: string
  /**
   * The error underneath, kept for debugging; not serialised by {@link FieldkitError.toJSON}. A cause that carries the
   * caller's input text (Node's `ERR_INVALID_URL` keeps the whole URL, password included, in `input`) is kept without
   * that text: see {@link withoutInput}.
   */
  cause?: unknown
  /** Redaction-safe facts (status, attempt counts, header names): never a credential or personal data. */
  details?: Record<string, ErrorDetail>
}

/**
 * The one base class of every error Fieldkit throws: a stable `code`, a `hint` for whoever maintains the
 * integration, the `cause`, and `details` that are safe to log. Each package narrows `Code` to the union of its own
 * codes, so editors complete and narrow `err.code`; each subclass writes its `name` out as a literal, because a
 * consumer's minifier renames `constructor.name`.
 *
 * @example
 * ```ts
 * throw new FieldkitError({
 *   code: 'FK_CSV_TOO_MANY_ERRORS',
 *   message: '[fieldkit/csv] 512 of 1,000 rows were quarantined',
 *   hint: 'Check the delimiter and encoding in the report, or raise maxErrors',
 *   details: { quarantined: 512, read: 1000 },
 * })
 * ```
 */
export class FieldkitError<Code extends string = string> extends Error {
  override name = 'FieldkitError'
  readonly code: Code
  readonly hint: string
  readonly details: Readonly<Record<string, ErrorDetail>>

  constructor(options: FieldkitErrorOptions<Code>) {
    super(options.message, options.cause === undefined ? undefined : { cause: withoutInput(options.cause) })
    this.code = options.code
    this.hint = options.hint
    this.details = Object.freeze({ ...options.details })
    Object.defineProperty(this, brand, { value: true })
  }

  /** A plain object for logs and JSON output: name, code, message, hint and details (never the cause's secrets). */
  toJSON(): { name: string; code: Code; message: string; hint: string; details: Record<string, ErrorDetail> } {
    return { name: this.name, code: this.code, message: this.message, hint: this.hint, details: { ...this.details } }
  }
}

/**
 * True for any Fieldkit error, also one created by another copy of `@fieldkit/core` (a duplicate install, or the
 * CommonJS build beside the ESM one): the check is a `Symbol.for` brand, not `instanceof`.
 *
 * @example
 * ```ts
 * try { await client.request({ path: '/api' }) } catch (e) {
 *   if (isFieldkitError(e) && e.code === 'FK_HTTP_CIRCUIT_OPEN') scheduleLater()
 *   else throw e
 * }
 * ```
 */
export function isFieldkitError(value: unknown): value is FieldkitError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true
}

/**
 * The rule for causes: no Fieldkit error keeps a cause that carries the caller's input text. Node's URL parser
 * throws a `TypeError` whose `input` property holds the whole string it was given (a password in `user:pw@host`
 * included), and `util.inspect(err)` prints it. Such a cause is replaced by a copy with the same name, message and
 * code, and without `input`; every other cause is kept as it is.
 *
 * @example
 * ```ts
 * try { new URL(text) } catch (e) { throw new HttpError({ code: 'FK_HTTP_INVALID_REQUEST', message, hint, cause: e }) }
 * // err.cause.input is gone; err.cause.code is still 'ERR_INVALID_URL'
 * ```
 */
export function withoutInput(cause: unknown): unknown {
  if (!(cause instanceof Error) || !Object.hasOwn(cause, 'input')) return cause
  const copy = new (cause instanceof TypeError ? TypeError : Error)(cause.message)
  const code = (cause as { code?: unknown }).code
  if (typeof code === 'string') Object.defineProperty(copy, 'code', { value: code, enumerable: true })
  copy.stack = `${cause.name}: ${cause.message} (input removed by @fieldkit/core)`
  return copy
}
