/** One error code as `fieldkit explain` prints it (generated from the sources by `pnpm errors`). */
export interface ExplainedCode {
  /** `FK_HTTP_RETRY_EXHAUSTED` */
  code: string
  /** The package that throws it: `@fieldkit/http`. */
  package: string
  /** The error classes that throw it (`HttpError`); catching by class family works for each. */
  classes: string[]
  /** What to check, one hint per situation the code is thrown in. */
  hints: string[]
  /** The runbook that covers it, in the Fieldkit repository's `docs/runbooks/`. */
  runbook?: { file: string; title: string }
}
