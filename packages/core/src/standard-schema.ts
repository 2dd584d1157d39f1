/**
 * The Standard Schema v1 interface (https://standardschema.dev, `@standard-schema/spec`), copied as the spec invites,
 * so that no Fieldkit package depends on a schema library: zod ≥ 3.24 and 4, valibot and ArkType all implement it.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * const schema: StandardSchemaV1<unknown, { id: number }> = z.object({ id: z.number() })
 * const result = await schema['~standard'].validate({ id: 1 }) // { value: { id: 1 } }
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>
}

/** The types that go with {@link StandardSchemaV1}, as the spec names them. */
export declare namespace StandardSchemaV1 {
  /** What a schema carries under `~standard`. */
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>
    readonly types?: Types<Input, Output> | undefined
  }
  /** A validation's outcome. */
  export type Result<Output> = SuccessResult<Output> | FailureResult
  /** The value passed (and possibly transformed). */
  export interface SuccessResult<Output> {
    readonly value: Output
    readonly issues?: undefined
  }
  /** The value failed; each issue says where and why. */
  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>
  }
  /** One problem; libraries add their own fields (zod a `code`, valibot a `type`). */
  export interface Issue {
    readonly message: string
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined
  }
  /** A path step given as an object. */
  export interface PathSegment {
    readonly key: PropertyKey
  }
  /** The schema's input and output types (types only). */
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input
    readonly output: Output
  }
  /** The input type of a schema. */
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input']
  /** The output type of a schema. */
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output']
}

/**
 * True for a Standard Schema v1 (anything with `~standard.validate`).
 *
 * @example
 * ```ts
 * isStandardSchema(z.string())  // true
 * isStandardSchema({ parse() {} }) // false
 * ```
 */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const props = (value as { '~standard'?: { validate?: unknown } } | null | undefined)?.['~standard']
  return typeof props === 'object' && props !== null && typeof props.validate === 'function'
}

/** A schema issue reduced to what Fieldkit reports: a dotted path, a code and the message (never the value). */
export type SchemaIssue = {
  /** Dotted path of the value, `''` for the root. */
  path: string
  /** The library's own code when it gives one (zod's `code`, valibot's `type`), else `invalid`. */
  code: string
  message: string
}

/**
 * Runs a Standard Schema: the output, or the issues (path, code, message). Async schemas are awaited.
 *
 * @example
 * ```ts
 * const r = await validateStandard(z.object({ id: z.number() }), { id: 'x' })
 * // { issues: [{ path: 'id', code: 'invalid_type', message: 'Invalid input: expected number, received string' }] }
 * ```
 */
export async function validateStandard<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
): Promise<{ value: StandardSchemaV1.InferOutput<S>; issues?: undefined } | { issues: SchemaIssue[] }> {
  const result = await schema['~standard'].validate(value)
  return result.issues === undefined
    ? { value: result.value as StandardSchemaV1.InferOutput<S> }
    : { issues: result.issues.map(toIssue) }
}

/**
 * Runs a Standard Schema synchronously, for APIs that cannot wait: the output, the issues, or `'async'` when the
 * schema answered with a promise (async refinements), which the caller turns into its own typed error.
 *
 * @example
 * ```ts
 * const r = validateStandardSync(z.number(), 'x')
 * if (r === 'async') throw new Error('pass a schema without async checks')
 * ```
 */
export function validateStandardSync<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
): { value: StandardSchemaV1.InferOutput<S>; issues?: undefined } | { issues: SchemaIssue[] } | 'async' {
  const result = schema['~standard'].validate(value)
  if (result instanceof Promise || typeof (result as { then?: unknown }).then === 'function') {
    // A rejected promise must not go unhandled.
    Promise.resolve(result).catch(() => {})
    return 'async'
  }
  const r = result as StandardSchemaV1.Result<unknown>
  return r.issues === undefined
    ? { value: r.value as StandardSchemaV1.InferOutput<S> }
    : { issues: r.issues.map(toIssue) }
}

function toIssue(issue: StandardSchemaV1.Issue): SchemaIssue {
  const own = issue as { code?: unknown; type?: unknown }
  const code = typeof own.code === 'string' ? own.code : typeof own.type === 'string' ? own.type : 'invalid'
  const path = (issue.path ?? [])
    .map((step) => String(typeof step === 'object' && step !== null ? step.key : step))
    .join('.')
  return { path, code, message: withoutValue(issue) }
}

/**
 * The message without the value it was given: valibot writes the input into its messages ("Expected string but
 * received \"jane@example.com\""), and that value may be personal data. Its `received` text is replaced by the
 * value's kind; zod's messages name only kinds and are kept as they are.
 */
function withoutValue(issue: StandardSchemaV1.Issue): string {
  const own = issue as { received?: unknown; input?: unknown }
  if (typeof own.received !== 'string' || own.received.length === 0 || !('input' in issue)) return issue.message
  const input = own.input
  const kind = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input
  return issue.message.split(own.received).join(kind)
}
