/**
 * The part of a redactor that other packages call: `@fieldkit/http` passes log lines and error excerpts through it,
 * so a `createRedactor()` from `@fieldkit/redact` plugs straight in.
 *
 * @example
 * ```ts
 * const upper: TextRedactor = { redactString: (text) => ({ text: text.replace(/\d/g, '#') }) }
 * ```
 */
export interface TextRedactor {
  redactString(text: string): { text: string }
}
