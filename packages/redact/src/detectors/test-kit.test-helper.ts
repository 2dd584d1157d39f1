import { createRedactor, type DetectorKind } from '../index'

const all = createRedactor()

/** The values `redactString` finds in `text`, as `kind:value` strings, with all detectors or only `detectors`. */
export function found(text: string, detectors?: readonly DetectorKind[]): string[] {
  const redactor = detectors === undefined ? all : createRedactor({ detectors })
  return redactor
    .redactString(text)
    .findings.map((f) => `${f.kind}:${text.slice(f.offset ?? 0, (f.offset ?? 0) + f.length)}`)
}
